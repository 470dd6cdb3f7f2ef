// The query-based label-only attacks in an audit: the model stage queries the target and the reference
// on perturbed inputs (signals/<id>-labels.npz, recorded in the manifest), the attacks run once, on the
// label exposure, results.json carries the query budget, and a rerun reuses or recomputes the same labels.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { parseAuditConfig } from '../../src/audit/config.js';
import { runAudit } from '../../src/audit/pipeline.js';
import { ManifestFile, ResultsFile } from '../../src/audit/run-format/index.js';
import { memoryLogger } from '../../src/core/logger.js';
import { readNpz } from '../../src/io/npz.js';
import { errorOf } from './helpers.js';

const tmp = mkdtempSync(join(tmpdir(), 'mia-label-only-'));
after(() => rmSync(tmp, { recursive: true, force: true }));
const dir = join(tmp, 'run');

const config = (attacks: string, shape = '[6, 6, 1]') => `run:
  seed: 2
  log_dir: ${dir}
data:
  dataset: synthetic
  audit_size: 120
  population_size: 20
  validation_size: 10
  synthetic: {shape: ${shape}, classes: 4, noise: 4}
target:
  architecture: {name: mlp, params: {hidden: "64"}}
  epochs: 40
  batch_size: 10
  learning_rate: 0.01
audit:
  reference_models: 1
  attacks: ${attacks}
  slices: [entire]
  exposure: [probs, label]
  label_only: {shift: 1, flip: true, noise_sigmas: [0.3], noise_draws: 4, boundary_queries: 40}
report:
  enabled: false
`;

const ATTACKS = '[loss, label-gap, label-augment, label-noise, label-boundary]';

test('an audit runs label-augment, label-noise and label-boundary on the label exposure, with the query budget', async () => {
  const log = memoryLogger();
  await runAudit(parseAuditConfig(config(ATTACKS), 'x.yaml'), { logger: log });
  const file = ResultsFile.parse(JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8')));
  const rows = file.results as { attack: string; exposure?: string; auc: number }[];
  const on = (x: string) => rows.filter((r) => r.exposure === x).map((r) => r.attack);
  assert.deepEqual(on('probs'), ['loss', 'label-gap']);
  assert.deepEqual(on('label'), ['label-gap', 'label-augment', 'label-noise', 'label-boundary']);
  for (const a of ['label-augment', 'label-noise', 'label-boundary']) {
    const r = rows.find((x) => x.attack === a)!;
    assert.ok(r.auc > 0.5, `${a} AUC ${r.auc}`);
  }
  const b = file.labelQueries!;
  assert.deepEqual(b.perSample, { augment: 10, noise: 4, boundaryMax: 40 });
  assert.deepEqual(
    b.models.map((m) => m.model),
    ['target', 'ref-01'],
  );
  for (const m of b.models) {
    assert.ok(m.queries > 120 * 14 && m.queries <= 120 * (14 + 40), `${m.model}: ${m.queries}`);
    assert.ok(m.boundaryMean! >= 1 && m.boundaryMean! <= 40);
  }
  assert.equal(
    b.total,
    b.models.reduce((s, m) => s + m.queries, 0),
  );
  assert.ok(
    log.lines.some((l) => /target: label queries per sample: label-augment 10, label-noise 4/.test(l)),
  );
  assert.ok(
    log.lines.some((l) => /^label queries: 10 \(label-augment\) \+ 4 \(label-noise\) \+ ≤ 40/.test(l)),
  );
  const labels = readNpz(join(dir, 'signals', 'target-labels.npz'));
  assert.deepEqual(labels.get('augment_preds')!.shape, [10, 120]);
  assert.deepEqual(labels.get('noise_preds')!.shape, [4, 120]);
  const manifest = ManifestFile.parse(JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')));
  assert.ok(manifest.files['signals/target-labels.npz'] !== undefined);
  assert.ok(manifest.files['signals/ref-01-labels.npz'] !== undefined);

  // a rerun reuses the labels without loading the model
  const log2 = memoryLogger();
  const again = await runAudit(parseAuditConfig(config(ATTACKS), 'x.yaml'), { logger: log2 });
  assert.ok(again.resultsReused);
  assert.ok(!log2.lines.some((l) => /label queries missing/.test(l)));
  // without the label file the model is loaded and queried again: the same seeded labels
  rmSync(join(dir, 'signals', 'target-labels.npz'));
  rmSync(join(dir, 'results.json'));
  const log3 = memoryLogger();
  await runAudit(parseAuditConfig(config(ATTACKS), 'x.yaml'), { logger: log3 });
  assert.ok(log3.lines.some((l) => /target: label queries missing or stale; loading the model/.test(l)));
  const redone = readNpz(join(dir, 'signals', 'target-labels.npz'));
  for (const k of ['augment_preds', 'noise_preds', 'boundary_distance', 'boundary_queries'])
    assert.deepEqual(redone.get(k)!.data, labels.get(k)!.data, k);
});

test('label-augment on tabular data and query attacks in privacy_attacks are config errors', () => {
  const e = errorOf(() => parseAuditConfig(config('[label-augment]', '[10]'), 'x.yaml'));
  assert.equal(e.code, 'E_CONFIG');
  assert.match(e.message, /label-augment, which flips and shifts images/);
  const p = errorOf(() =>
    parseAuditConfig(
      config('[loss]').replace('  slices: [entire]', '  slices: [entire]\n  privacy_attacks: [label-noise]'),
      'x.yaml',
    ),
  );
  assert.match(p.message, /queries the model on perturbed inputs/);
  const k = errorOf(() =>
    parseAuditConfig(config('[loss]').replace('boundary_queries: 40', 'boundary_queries: 0'), 'x.yaml'),
  );
  assert.match(k.message, /boundary_queries/);
});
