import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { metricOf, parseMetricName } from '../../src/audit/result-metric.js';
import {
  ceilingChecks,
  parseIncrease,
  parseSliceSelector,
  parseTprCeiling,
  readGateResults,
  selectResults,
} from '../../src/report/gate.js';
import { increaseChecks, moverDifference, pairedDifference } from '../../src/report/gate-baseline.js';
import { formatCheck, gateJunit, gateMarkdown } from '../../src/report/gate-output.js';
import { Rng } from '../../src/rng.js';
import { errorOf, fakeResult } from '../audit/helpers.js';

const tmp = mkdtempSync(join(tmpdir(), 'mia-gate-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

function resultsFile(name: string, results: unknown[]): string {
  const path = join(tmp, `${name}.json`);
  writeFileSync(path, JSON.stringify({ results }));
  return path;
}

const tpr = (t: number, low: number, high: number) => ({
  tpr: t,
  low,
  high,
  fpr: 0.01,
  threshold: 1,
  falsePositives: 10,
  truePositives: 5,
  precision: 0.5,
  precisionLow: 0.2,
  precisionHigh: 0.8,
  lowSupport: false,
});

test('metric names parse, and the metric is read with its interval', () => {
  assert.deepEqual(parseMetricName('tpr@1e-3', 'x'), { kind: 'tpr', fpr: 0.001 });
  assert.deepEqual(parseMetricName('AUC', 'x'), { kind: 'auc' });
  assert.equal(errorOf(() => parseMetricName('tpr@2', '--x')).code, 'E_UNKNOWN_NAME');
  const r = fakeResult('rmia', 0.7, 0.1, {
    tprAtFpr: { '0.001': tpr(0.1, 0.05, 0.2) },
    aucInterval: { low: 0.5, high: 0.9, se: 0.1, method: 'DeLong' },
  });
  assert.deepEqual(metricOf(r, { kind: 'tpr', fpr: 1e-3 }, 'f'), { value: 0.1, low: 0.05, high: 0.2 });
  assert.deepEqual(metricOf(r, { kind: 'auc' }, 'f'), { value: 0.7, low: 0.5, high: 0.9 });
  const missing = errorOf(() => metricOf(r, { kind: 'tpr', fpr: 0.02 }, 'results.json'));
  assert.equal(missing.code, 'E_MISSING_FIELD');
  assert.match(missing.oneLine(), /results\.json: attack 'rmia' has no TPR at FPR 0\.02 .*0\.001/);
});

test('rule interval fails a ceiling only when the lower bound is above it; rule point on the estimate', () => {
  const results = [fakeResult('rmia', 0.75, 0), fakeResult('loss', 0.65, 0)]; // AUC ± 0.2
  const interval = ceilingChecks(results, [{ metric: { kind: 'auc' }, max: 0.52 }], 'interval', 'f');
  assert.deepEqual(
    interval.map((c) => [c.attack, c.pass]),
    [
      ['rmia', false], // low 0.55 > 0.52
      ['loss', true], // low 0.45
    ],
  );
  const point = ceilingChecks(results, [{ metric: { kind: 'auc' }, max: 0.7 }], 'point', 'f');
  assert.deepEqual(
    point.map((c) => c.pass),
    [false, true],
  );
  assert.match(
    formatCheck(interval[0]!, 'interval'),
    /^FAIL {2}auc ≤ 0\.52 {2}rmia · entire dataset {2}value 0\.75 \[0\.55, 0\.95\] {2}ceiling 0\.52 {2}\(lower bound above the ceiling\)$/,
  );
  // a ceiling exactly at the lower bound passes (not above it)
  assert.equal(
    ceilingChecks(results, [{ metric: { kind: 'auc' }, max: 0.55 }], 'interval', 'f')[0]!.pass,
    true,
  );
});

test('flags parse, and bad values are one-line usage errors', () => {
  assert.deepEqual(parseTprCeiling('0.01:0.05'), { metric: { kind: 'tpr', fpr: 0.01 }, max: 0.05 });
  assert.equal(errorOf(() => parseTprCeiling('0.01')).code, 'E_USAGE');
  assert.equal(errorOf(() => parseTprCeiling('2:0.1')).code, 'E_USAGE');
  assert.deepEqual(parseIncrease('tpr@0.01:0.02'), { metric: { kind: 'tpr', fpr: 0.01 }, max: 0.02 });
  assert.equal(errorOf(() => parseIncrease('auc:-1')).code, 'E_USAGE');
  assert.equal(errorOf(() => parseIncrease('ppv:0.1')).code, 'E_UNKNOWN_NAME');
  const cls = parseSliceSelector('class:3');
  assert.equal(cls.matches({ feature: 'class', value: 3 }), true);
  assert.equal(cls.matches({ feature: 'class', value: 2 }), false);
  assert.equal(parseSliceSelector('class').matches({ feature: 'class', value: 2 }), true);
  assert.equal(
    parseSliceSelector('misclassified').matches({ feature: 'correctly_classified', value: false }),
    true,
  );
  assert.equal(parseSliceSelector('entire').matches({ feature: 'class', value: 1 }), false);
  assert.equal(errorOf(() => parseSliceSelector('klass:1')).code, 'E_UNKNOWN_NAME');
});

test('results are selected by attack and slice; unknown ones are errors naming the file', () => {
  const file = resultsFile('sel', [
    fakeResult('rmia', 0.7, 0),
    fakeResult('rmia', 0.8, 0, { slice: { feature: 'class', value: 1 } }),
    fakeResult('loss', 0.6, 0),
  ]);
  const g = readGateResults(file);
  assert.equal(selectResults(g, undefined, [parseSliceSelector('entire')]).length, 2);
  assert.equal(selectResults(g, ['rmia'], [parseSliceSelector('all')]).length, 2);
  const unknown = errorOf(() => selectResults(g, ['lira'], [parseSliceSelector('entire')]));
  assert.equal(unknown.code, 'E_UNKNOWN_NAME');
  assert.match(unknown.oneLine(), /sel\.json: no attack 'lira' in the results \(expected rmia, loss/);
  assert.equal(
    errorOf(() => selectResults(g, undefined, [parseSliceSelector('class:7')])).code,
    'E_MISSING_FIELD',
  );
  assert.equal(errorOf(() => readGateResults(join(tmp, 'none'))).code, 'E_IO');
  writeFileSync(join(tmp, 'bad.json'), '{"results": [{"attack": 1}]}');
  assert.equal(errorOf(() => readGateResults(join(tmp, 'bad.json'))).code, 'E_JSON');
});

test('MOVER: the difference interval from the two intervals (hand-computed)', () => {
  const d = moverDifference({ value: 0.7, low: 0.64, high: 0.75 }, { value: 0.6, low: 0.52, high: 0.68 });
  assert.ok(Math.abs(d.value - 0.1) < 1e-12);
  assert.ok(Math.abs(d.low - (0.1 - Math.hypot(0.06, 0.08))) < 1e-12); // 0.1 − 0.1 = 0
  assert.ok(Math.abs(d.high - (0.1 + Math.hypot(0.05, 0.08))) < 1e-12);
  // with the same interval on both sides the increase is symmetric around 0
  const same = moverDifference({ value: 0.5, low: 0.4, high: 0.6 }, { value: 0.5, low: 0.4, high: 0.6 });
  assert.ok(Math.abs(same.low + same.high) < 1e-12);
});

test('an increase fails beyond the noise only: independent runs by MOVER, with a missing baseline an error', () => {
  const now = readGateResults(resultsFile('now', [fakeResult('rmia', 0.9, 0), fakeResult('loss', 0.62, 0)]));
  const before = readGateResults(
    resultsFile('before', [fakeResult('rmia', 0.5, 0), fakeResult('loss', 0.6, 0)]),
  );
  const checks = increaseChecks(
    now,
    now.results,
    before,
    [{ metric: { kind: 'auc' }, max: 0.01 }],
    'interval',
  );
  // rmia: 0.4 − √(0.2² + 0.2²) = 0.117 > 0.01 → fail; loss: 0.02 − 0.28 < 0.01 → pass
  assert.deepEqual(
    checks.map((c) => [c.attack, c.pass]),
    [
      ['rmia', false],
      ['loss', true],
    ],
  );
  assert.equal(
    increaseChecks(now, now.results, before, [{ metric: { kind: 'auc' }, max: 0.01 }], 'point')[1]!.pass,
    false,
  );
  const short = readGateResults(resultsFile('short', [fakeResult('rmia', 0.5, 0)]));
  const e = errorOf(() =>
    increaseChecks(now, now.results, short, [{ metric: { kind: 'auc' }, max: 0 }], 'interval'),
  );
  assert.equal(e.code, 'E_MISSING_FIELD');
  assert.match(e.oneLine(), /short\.json: the baseline has no result for loss · entire dataset/);
});

test('paired bootstrap: identical scores give an increase of exactly 0, a real gain is found', () => {
  const n = 400;
  const rng = new Rng(3);
  const isMember = new Uint8Array(n).map((_, i) => (i % 2 === 0 ? 1 : 0));
  const base = Float64Array.from({ length: n }, () => rng.normal());
  const same = pairedDifference(base, base, isMember, { kind: 'auc' }, 100);
  assert.deepEqual(same, { value: 0, low: 0, high: 0 });
  const better = base.map((v, i) => v + (isMember[i] === 1 ? 1 : 0));
  const d = pairedDifference(better, base, isMember, { kind: 'auc' }, 200);
  assert.ok(d.value > 0.2 && d.low > 0.1 && d.low < d.value && d.value < d.high, JSON.stringify(d));
  // paired is narrower than treating the runs as independent: both see the same noise in `base`
  assert.ok(d.high - d.low < 0.2);
});

test('JUnit XML has one test case per check with failures escaped; Markdown lists failed checks first', () => {
  const results = [fakeResult('a<b', 0.9, 0), fakeResult('loss', 0.5, 0)];
  const checks = ceilingChecks(results, [{ metric: { kind: 'auc' }, max: 0.6 }], 'interval', 'f');
  const xml = gateJunit(checks, 'interval');
  assert.match(xml, /<testsuites name="mia gate" tests="2" failures="1">/);
  assert.equal(xml.match(/<testcase /g)?.length, 2);
  assert.equal(xml.match(/<failure /g)?.length, 1);
  assert.match(xml, /classname="mia-gate\.a&lt;b"/);
  assert.doesNotMatch(xml, /a<b/);
  const md = gateMarkdown([...checks].reverse(), 'interval', 'r.json');
  assert.match(md, /^## Privacy gate: FAIL/);
  const rows = md.split('\n').filter((l) => l.startsWith('| ✅') || l.startsWith('| ❌'));
  assert.equal(rows.length, 2);
  assert.match(rows[0]!, /^\| ❌ fail \| auc ≤ 0\.6 \| a<b · entire dataset \| 0\.9 \| \[0\.7, 1\]/);
});
