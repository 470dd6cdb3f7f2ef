import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { parseAuditConfig } from '../../src/audit/config.js';
import { runAudit } from '../../src/audit/pipeline.js';
import { memoryLogger } from '../../src/core/logger.js';
import { readRunDir } from '../../src/report/run-dir.js';
import { writeReport } from '../../src/report/write-report.js';
import { errorOf } from './helpers.js';

const tmp = mkdtempSync(join(tmpdir(), 'mia-exposure-'));
after(() => rmSync(tmp, { recursive: true, force: true }));
const dir = join(tmp, 'run');

// a model that memorises its half: few samples, noisy classes, many epochs
const config = (exposure: string) => `run:
  seed: 3
  log_dir: ${dir}
data:
  dataset: synthetic
  audit_size: 200
  population_size: 40
  validation_size: 20
  synthetic: {shape: [10], classes: 4, noise: 3}
target:
  architecture: {name: mlp, params: {hidden: "64"}}
  epochs: 40
  batch_size: 10
  learning_rate: 0.01
audit:
  reference_models: 3
  attacks: [lira-offline-fixed-variance, loss, threshold-confidence, label-gap]
  slices: [entire]
  exposure: ${exposure}
report:
  enabled: false
`;

test('audit.exposure runs every attack that fits on each exposure, tags the results and skips the rest with a note', async () => {
  const log = memoryLogger();
  const run = await runAudit(parseAuditConfig(config('[probs, top-1, round-1, label]'), 'x.yaml'), {
    logger: log,
  });
  const file = JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8'));
  const rows = file.results as { attack: string; exposure?: string; auc: number }[];
  const by = (x: string) => rows.filter((r) => r.exposure === x);
  for (const x of ['probs', 'top-1', 'round-1']) {
    assert.deepEqual(
      by(x).map((r) => r.attack),
      ['lira-offline-fixed-variance', 'loss', 'threshold-confidence', 'label-gap'],
      x,
    );
  }
  assert.deepEqual(
    by('label').map((r) => r.attack),
    ['label-gap'],
  );
  assert.equal(rows.length, 13);
  for (const a of ['lira-offline-fixed-variance', 'loss', 'threshold-confidence']) {
    assert.ok(
      run.notes.some((n) => n.startsWith(`${a} skipped on exposure label`)),
      `note for ${a}: ${run.notes.join(' | ')}`,
    );
  }
  // the predicted label is the same under probs, top-1 and label, so is label-gap (round-1 may tie)
  const gap = (x: string) => by(x).find((r) => r.attack === 'label-gap')!.auc;
  assert.equal(gap('top-1'), gap('probs'));
  assert.equal(gap('label'), gap('probs'));
  // a leaky model leaks more through its probabilities than through its label
  const best = (x: string) => Math.max(...by(x).map((r) => r.auc));
  assert.ok(best('probs') > 0.6, `probs AUC ${best('probs')}`);
  assert.ok(best('probs') > best('label') + 0.03, `probs ${best('probs')} vs label ${best('label')}`);
  // records.csv: every audit sample once, in risk order, recorded in the manifest; members rank higher
  const csv = readFileSync(join(dir, 'records.csv'), 'utf8').trim().split('\n');
  assert.match(
    csv[0]!,
    /^index,label,member,risk_rank,flagged_at_0\.001,flagged_at_0\.01,.*loss_score,loss_rank/,
  );
  const recs = csv.slice(1).map((l) => l.split(','));
  assert.equal(recs.length, 200);
  assert.deepEqual(new Set(recs.map((r) => r[0])).size, 200);
  assert.deepEqual(
    recs.map((r) => Number(r[3])),
    [...Array(200).keys()].map((i) => i + 1),
  );
  const members = (rows: string[][]) => rows.filter((r) => r[2] === '1').length;
  assert.ok(members(recs.slice(0, 20)) >= 15, `members among the top 20: ${members(recs.slice(0, 20))}`);
  const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
  assert.ok(JSON.stringify(manifest).includes('records.csv'));
  // the primary exposure's scores are in scores.npz; a rerun reuses everything
  const again = await runAudit(parseAuditConfig(config('[probs, top-1, round-1, label]'), 'x.yaml'), {
    logger: memoryLogger(),
  });
  assert.ok(again.resultsReused);
  // the report: the main tables read the primary exposure, the exposure section all of them
  const report = await writeReport(dir, { png: false });
  const html = readFileSync(report.html, 'utf8');
  assert.match(html, /<section id="exposure"><h2>What each API choice leaks<\/h2>/);
  assert.match(
    html,
    /Returning label instead of probs (lowers|raises|leaves) the best attack&#39;s TPR at 1% FPR/,
  );
  assert.ok(existsSync(join(dir, 'report', 'exposure.svg')));
  assert.equal(readRunDir(dir).results.length, 4);
  assert.match(html, /<section id="records"><h2>The riskiest records<\/h2>/);
});

test('audit.exposure rejects unknown names and repeats at the item', () => {
  const e = errorOf(() => parseAuditConfig(config('[probs, top-0]'), 'x.yaml'));
  assert.equal(e.code, 'E_CONFIG');
  assert.match(e.where ?? '', /x\.yaml:\d+:\d+/);
  assert.match(e.message, /audit\.exposure\[1\].*'top-0' is not an output exposure/);
  const d = errorOf(() => parseAuditConfig(config('[label, label]'), 'x.yaml'));
  assert.match(d.message, /lists 'label' twice/);
});
