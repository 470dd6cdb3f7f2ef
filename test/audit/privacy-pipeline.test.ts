import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { parseAuditConfig } from '../../src/audit/config.js';
import { runAudit } from '../../src/audit/pipeline.js';
import { memoryLogger } from '../../src/core/logger.js';
import { loadCollection } from '../../src/report/collection.js';

const tmp = mkdtempSync(join(tmpdir(), 'mia-privacy-pipeline-'));
after(() => rmSync(tmp, { recursive: true, force: true }));
const dir = join(tmp, 'run');

const config = (every: number) => `run:
  seed: 4
  log_dir: ${dir}
  num_experiments: 2
data:
  dataset: synthetic
  audit_size: 160
  population_size: 40
  validation_size: 40
  synthetic: {shape: [10], classes: 3, noise: 2}
target:
  architecture: {name: mlp, params: {hidden: "24"}}
  epochs: 4
  batch_size: 16
  learning_rate: 0.01
audit:
  reference_models: 3
  attacks: [lira-offline-fixed-variance, loss]
  privacy_every_epochs: ${every}
  privacy_attacks: [threshold]
  privacy_samples: 50
  slices: [entire]
report:
  enabled: false
`;

test('audit.privacy_every_epochs with reference models: the targets are attacked while they train', async () => {
  const run = await runAudit(parseAuditConfig(config(2), 'p.yaml'), { logger: memoryLogger() });
  const points = loadCollection(join(dir, 'privacy-by-epoch.json')).points;
  // models 0 and 1 act as targets (num_experiments 2): epochs 2 and 4, one attack
  assert.deepEqual(
    points.map((p) => [p.experiment, p.model, p.epoch, p.attack]),
    [
      ['0', 'target', 2, 'threshold'],
      ['0', 'target', 4, 'threshold'],
      ['1', 'ref-01', 2, 'threshold'],
      ['1', 'ref-01', 4, 'threshold'],
    ],
  );
  assert.equal(run.privacyPoints.length, 4);
  const history = JSON.parse(readFileSync(join(dir, 'history.json'), 'utf8')).models[0].epochs;
  assert.equal(points[1]!.valAccuracy, history[3].valAccuracy);
  assert.ok(
    !existsSync(join(dir, 'privacy', 'ref-02.json')),
    'references that never act as target are not attacked',
  );

  // a rerun reuses the signal files and the points; switching the attacks off removes the file
  const again = await runAudit(parseAuditConfig(config(2), 'p.yaml'), { logger: memoryLogger() });
  assert.ok(again.models.every((m) => m.signalsReused));
  assert.deepEqual(again.privacyPoints, run.privacyPoints);
  const off = await runAudit(parseAuditConfig(config(0), 'p.yaml'), { logger: memoryLogger() });
  assert.ok(off.models.every((m) => m.signalsReused));
  assert.ok(!existsSync(join(dir, 'privacy-by-epoch.json')));
});
