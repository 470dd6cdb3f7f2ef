/**
 * The report on runs whose results.json lacks TPR at 1% FPR (custom audit.fpr_targets), whose optional
 * files are corrupt, or whose report folder holds charts of an earlier report.
 */
import assert from 'node:assert/strict';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { formatResultsTable, worstCaseSentence } from '../../src/cli/format-results.js';
import { npyArray } from '../../src/io/npy.js';
import { writeNpz } from '../../src/io/npz.js';
import type { BarPanel } from '../../src/report/chart-spec.js';
import { modelsChart } from '../../src/report/charts/bars.js';
import { fprLabel, headlineFpr } from '../../src/report/fpr.js';
import type { ReportResult } from '../../src/report/run-dir.js';
import { leakageLevel, summarizeResults } from '../../src/report/summary.js';
import { targetsOf } from '../../src/report/targets.js';
import { writeReport } from '../../src/report/write-report.js';
import { tprEntry } from '../audit/helpers.js';
import { makeRunDir, reportResult } from './fixture.js';

const e = (tpr: number, low = tpr / 2) => ({
  ...tprEntry(tpr, low, Math.min(1, tpr * 2), false),
  truePositives: Math.round(tpr * 1000),
});

const r = reportResult;

test('headlineFpr: 1% when computed, else the lowest FPR the results have', () => {
  assert.equal(headlineFpr([r('a', 0.6, { '0.001': e(0.01), '0.01': e(0.05) })]), '0.01');
  assert.equal(headlineFpr([r('a', 0.6, { '0.2': e(0.4), '0.02': e(0.05) })]), '0.02');
  assert.equal(headlineFpr([r('a', 0.6, {})]), undefined);
  assert.deepEqual(['0.02', '0.2', '0.001', '0.005'].map(fprLabel), ['2%', '20%', '0.1%', '0.5%']);
});

test('leakageLevel without 1% FPR: thresholds scale with the FPR read; a missing TPR is not a 0', () => {
  // At 2% FPR (1000 non-members: resolvable) on lower bounds: high ≥ 20%, moderate > 4%, low > 2%.
  assert.equal(leakageLevel([r('a', 0.51, { '0.02': e(0.25), '0.2': e(0.5) })]), 'high');
  assert.equal(leakageLevel([r('a', 0.51, { '0.02': e(0.06), '0.2': e(0.5) })]), 'moderate');
  assert.equal(leakageLevel([r('a', 0.51, { '0.02': e(0.035), '0.2': e(0.5) })]), 'low');
  assert.equal(leakageLevel([r('a', 0.51, { '0.02': e(0.02), '0.2': e(0.3) })]), 'none measured');
  // No TPR at all: the AUC's lower bound alone (AUC − 0.049 here).
  assert.equal(leakageLevel([r('a', 0.66, {})]), 'moderate');
  assert.equal(leakageLevel([r('a', 0.5, {})]), 'none measured');
});

test('summarizeResults without 1% FPR: every TPR is labelled with the FPR it was computed at', () => {
  const t = (tpr: number) => ({ '0.02': e(tpr), '0.2': e(Math.min(1, tpr * 3)) });
  const s = summarizeResults([
    r('loss', 0.8, t(0.46), { experiment: '0', model: 'target' }),
    r('loss', 0.78, t(0.435), { experiment: '1', model: 'ref-01' }),
  ]);
  assert.equal(s.fpr, '0.02');
  const text = [...s.sentences, ...s.comparisons, s.rule].join('\n');
  assert.doesNotMatch(text, /1% FPR [0-9]|TPR at 1% FPR|0\.0%/);
  assert.match(
    s.sentences[1]!,
    /^At a 2% false-positive rate \(the lowest FPR this audit resolves.*\) — wrongly accusing 1 non-member in 50/,
  );
  assert.match(s.sentences[1]!, /identifies 46\.0% of the training members/);
  assert.deepEqual(
    s.keyNumbers.filter((k) => k.label.startsWith('TPR')).map((k) => [k.label, k.value]),
    [['TPR at 2% FPR', '46.0%']],
  );
  assert.deepEqual(s.comparisons, [
    'Across all experiments the leakiest target is 0 · target (AUC 0.800, TPR at 2% FPR 46.0%) and the least leaky is 1 · ref-01 (AUC 0.780, 43.5%).',
  ]);
  assert.match(
    s.rule,
    /high = AUC bound ≥ 0\.70 or TPR bound at 2% FPR ≥ 20%; moderate = .* ≥ 4%; low = .* above 2%\./,
  );
  // With the default targets the rule reads as before.
  const d = summarizeResults([r('loss', 0.6, { '0.001': e(0.01), '0.01': e(0.03) })]);
  assert.match(d.rule, /TPR bound at 1% FPR ≥ 10%; moderate = AUC bound ≥ 0\.60 or TPR bound ≥ 2%/);
  assert.deepEqual(
    d.keyNumbers.filter((k) => k.label.startsWith('TPR')).map((k) => k.label),
    ['TPR at 1% FPR'],
  );
  // No FPR target at all: "not computed", never 0.
  const none = summarizeResults([r('loss', 0.6, {})]);
  assert.deepEqual(
    none.keyNumbers.filter((k) => k.label.startsWith('TPR')).map((k) => k.value),
    ['not computed'],
  );
  assert.ok(none.sentences.some((x) => x.includes('was not computed')));
});

test('modelsChart without 1% FPR: the TPR panel is titled with the FPR it shows; none without TPR', () => {
  const targets = targetsOf([
    r('loss', 0.8, { '0.02': e(0.46), '0.2': e(0.9) }, { model: 'a' }),
    r('loss', 0.7, { '0.02': e(0.3), '0.2': e(0.8) }, { model: 'b' }),
  ]);
  const spec = modelsChart('models', 'x', targets)!;
  assert.deepEqual(
    spec.panels.map((p) => p.title),
    ['AUC', 'Attacker advantage', 'TPR at 2% FPR'],
  );
  assert.deepEqual((spec.panels[2] as BarPanel).groups[0]!.values, [0.46, 0.3]);
  const bare = modelsChart(
    'models',
    'x',
    targetsOf([r('loss', 0.8, {}, { model: 'a' }), r('loss', 0.7, {}, { model: 'b' })]),
  )!;
  assert.deepEqual(
    bare.panels.map((p) => p.title),
    ['AUC', 'Attacker advantage'],
  );
});

test('worstCaseSentence and the results table without 1% FPR', () => {
  const rows = [
    r('loss', 0.8, { '0.02': e(0.46), '0.2': e(0.9) }),
    r('lr', 0.7, { '0.02': e(0.3), '0.2': e(0.8) }),
  ];
  assert.match(worstCaseSentence(rows), /loss identifies 46\.0% of members at 2% FPR/);
  assert.doesNotMatch(worstCaseSentence(rows), /1% FPR/);
  assert.match(formatResultsTable(rows, 10), /TPR@2\.0% \[95% CI\]\s+TPR@20\.0% \[95% CI\]/);
});

/** Rewrites results.json keeping only the FPR keys `keep`. */
function keepFprs(dir: string, keep: string[]): void {
  const file = JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8')) as { results: ReportResult[] };
  for (const x of file.results) {
    x.tprAtFpr = Object.fromEntries(Object.entries(x.tprAtFpr).filter(([k]) => keep.includes(k)));
  }
  writeFileSync(join(dir, 'results.json'), JSON.stringify(file));
}

test('writeReport without 1% FPR in results.json: no "TPR at 1% FPR" from results anywhere', async () => {
  const d = join(mkdtempSync(join(tmpdir(), 'mia-report-fpr-')), 'run');
  makeRunDir(d, {
    multi: true,
    n: 100,
    attacks: ['threshold', 'lr'],
    history: false,
    privacy: false,
    samples: false,
  });
  keepFprs(d, ['0.05', '0.1']);
  const res = await writeReport(d, { png: false });
  const html = readFileSync(res.html, 'utf8');
  assert.doesNotMatch(html, /TPR at 1% FPR/);
  // 100 non-members: 5% FPR rests on 5 false positives, so the headline reads the lowest resolvable, 10%
  assert.match(html, /<div class="l">TPR at 10% FPR<\/div>/);
  assert.match(html, /TPR bound at 10% FPR ≥ 100%/);
  const models = readFileSync(join(d, 'report', 'models.svg'), 'utf8');
  assert.match(models, /TPR at 5% FPR/);
  assert.doesNotMatch(models, /1% FPR/);
});

test('writeReport: unreadable optional files are warnings that leave their charts out', async () => {
  const d = join(mkdtempSync(join(tmpdir(), 'mia-report-corrupt-')), 'run');
  makeRunDir(d, { n: 100, attacks: ['threshold'] });
  const cut = (f: string) => {
    const b = readFileSync(join(d, f));
    writeFileSync(join(d, f), b.subarray(0, Math.floor(b.length / 2)));
  };
  for (const f of [
    'scores.npz',
    'history.json',
    'samples.npz',
    'privacy-by-epoch.json',
    'timing.json',
    'environment.json',
  ])
    cut(f);
  const res = await writeReport(d, { png: false });
  const want = [
    /^scores\.npz: unreadable \(\[E_ZIP\]: not a valid zip archive.*\); its charts are left out$/,
    /^history\.json: unreadable \(\[E_JSON\] at \d+:\d+: .*\); its charts are left out$/,
    /^privacy-by-epoch\.json: unreadable \(\[E_JSON\].*\); its charts are left out$/,
    /^samples\.npz: unreadable \(\[E_ZIP\].*\); its charts are left out$/,
    /^environment\.json: unreadable \(\[E_JSON\].*\); it is left out of the page$/,
    /^timing\.json: unreadable \(\[E_JSON\].*\); it is left out of the page$/,
  ];
  assert.equal(res.warnings.length, want.length, res.warnings.join('\n'));
  for (const w of want)
    assert.ok(
      res.warnings.some((x) => w.test(x)),
      `${w} in ${res.warnings.join('\n')}`,
    );
  const html = readFileSync(res.html, 'utf8');
  assert.match(html, /scores\.npz: unreadable/);
  // Unreadable is not "not in the run directory".
  assert.doesNotMatch(html, /Not in the run directory/);
  assert.deepEqual(
    res.charts.map((c) => c.slice(c.lastIndexOf('/') + 1)),
    ['slices.svg'],
  );
  // results.json stays required: a malformed one is still an error.
  writeFileSync(join(d, 'results.json'), '{"results": [');
  await assert.rejects(writeReport(d, { png: false }), /invalid JSON/);
});

test('writeReport: a missing scores.npz of a multi-experiment run is named; stale chart files are removed', async () => {
  const d = join(mkdtempSync(join(tmpdir(), 'mia-report-stale-')), 'run');
  makeRunDir(d, { n: 60, attacks: ['threshold'], history: false, privacy: false, samples: false });
  // The audit pipeline's layout: experiment 0 in scores.npz, experiment 1 in scores/experiment-1.npz.
  const file = JSON.parse(readFileSync(join(d, 'results.json'), 'utf8')) as { results: ReportResult[] };
  const results = [
    ...file.results.map((x) => ({ ...x, experiment: '0', model: 'target' })),
    ...file.results.map((x) => ({ ...x, experiment: '1', model: 'ref-01' })),
  ];
  writeFileSync(join(d, 'results.json'), JSON.stringify({ results }));
  mkdirSync(join(d, 'scores'));
  copyFileSync(join(d, 'scores.npz'), join(d, 'scores', 'experiment-1.npz'));
  const first = await writeReport(d);
  const out = join(d, 'report');
  for (const f of ['roc-0.svg', 'roc-0.png', 'roc-1.svg']) assert.ok(existsSync(join(out, f)), f);
  assert.deepEqual(first.removed, []);
  writeFileSync(join(out, 'notes.txt'), 'mine');
  writeFileSync(join(out, 'roc-0.svg.bak'), 'mine');
  writeFileSync(join(out, 'Roc-0.svg'), 'mine');
  rmSync(join(d, 'scores.npz'));
  const second = await writeReport(d, { png: false });
  assert.ok(
    !existsSync(join(out, 'roc-0.svg')) && !existsSync(join(out, 'roc-0.png')),
    'stale roc-0 removed',
  );
  assert.ok(!existsSync(join(out, 'roc-1.png')), 'PNGs not written this time are removed');
  assert.ok(existsSync(join(out, 'roc-1.svg')));
  for (const f of ['notes.txt', 'roc-0.svg.bak', 'Roc-0.svg'])
    assert.ok(existsSync(join(out, f)), `${f} kept`);
  assert.ok(second.removed.includes(join(out, 'roc-0.svg')));
  const html = readFileSync(second.html, 'utf8');
  assert.match(
    html,
    /Not in the run directory, so their charts are left out: scores\.npz \(ROC curves of experiment 0\)/,
  );
  // scores/experiment-1.npz corrupt: named as unreadable, not as absent.
  writeFileSync(join(d, 'scores', 'experiment-1.npz'), 'not a zip');
  const third = await writeReport(d, { png: false });
  assert.ok(third.warnings.some((w) => w.startsWith('scores/experiment-1.npz: unreadable ([E_ZIP]')));
  assert.ok(!existsSync(join(out, 'roc-1.svg')));
  // A scores file present but without the target's scores.
  writeNpz(join(d, 'scores', 'experiment-1.npz'), {
    'other/threshold': npyArray(Float64Array.from([1, 0]), [2]),
    'other/is_member': npyArray(Uint8Array.from([1, 0]), [2], 'bool'),
  });
  const fourth = await writeReport(d, { png: false });
  assert.match(readFileSync(fourth.html, 'utf8'), /The scores files hold no scores of 1 · ref-01/);
});

test('worstCaseSentence names a slice only beyond the noise after the multiple-comparison correction (issue 17 item 4)', () => {
  const entire = r('lr', 0.6, { '0.01': e(0.02) });
  const slice = (value: number, auc: number, n: number) =>
    r('lr', auc, { '0.01': e(0.1) }, { slice: { feature: 'class', value }, nMembers: n, nNonMembers: n });
  // a 2-member slice at AUC 0.981 was "the worst case"; it is below the minimum size
  const tiny = worstCaseSentence([entire, slice(4, 0.981, 2)]);
  assert.match(
    tiny,
    /^Worst case: lr on the entire dataset, AUC 0\.600 \(95% CI 0\.550–0\.650\); no slice beats it/,
  );
  assert.match(tiny, /0 slice × attack comparisons/);
  // within the noise: (0.65 − 0.6)/(0.025·√2) = 1.41 SE, below Φ⁻¹(1 − 0.05) = 1.64
  assert.match(worstCaseSentence([entire, slice(1, 0.65, 100)]), /on the entire dataset.*no slice beats it/);
  // beyond it: 0.75 is 4.2 SE above
  assert.match(
    worstCaseSentence([entire, slice(1, 0.65, 100), slice(2, 0.75, 100)]),
    /^Worst case: lr on class 2 \(100 members, 100 non-members\) reaches AUC 0\.750 .* against 0\.600 on the entire dataset — beyond the noise after correcting for 2 slice × attack comparisons/,
  );
  assert.match(worstCaseSentence([r('lr', 0.52, {})]), /not distinguishable from chance/);
});
