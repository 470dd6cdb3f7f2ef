import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { dpTrainingOf } from '../../src/audit/dp-target.js';
import { dpOfModel } from '../../src/models/dp/dp-record.js';
import { errorOf } from './helpers.js';

const tmp = mkdtempSync(join(tmpdir(), 'mia-dp-target-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

// the field contract of the DP-SGD training's model.json
const DP = {
  noiseMultiplier: 1.1,
  maxGradNorm: 1,
  delta: 1e-5,
  sampleRate: 0.004,
  steps: 2500,
  epochs: 10,
  sampling: 'poisson',
  accountant: 'rdp',
  epsilon: 2.9,
};
function model(name: string, dp: unknown): string {
  const dir = join(tmp, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, 'model.json'),
    JSON.stringify({
      format: 'mia-audit-model',
      version: 1,
      engine: 'ort',
      spec: { architecture: 'mlp' },
      ...(dp !== undefined ? { dp } : {}),
    }),
  );
  return dir;
}

test("dpOfModel: model.json's dp field read and validated; absent = not DP; malformed = one-line E_MODEL", () => {
  assert.deepEqual(dpOfModel(model('dp', DP)), DP);
  assert.deepEqual(dpOfModel(model('inf', { ...DP, epsilon: null, maxGradNorm: null })), {
    ...DP,
    epsilon: Infinity,
    maxGradNorm: Infinity,
  });
  assert.equal(dpOfModel(model('plain', undefined)), undefined);
  assert.equal(errorOf(() => dpOfModel(join(tmp, 'missing'))).code, 'E_MODEL');
  const e = errorOf(() => dpOfModel(model('bad', { ...DP, steps: 'many' })));
  assert.equal(e.code, 'E_MODEL');
  assert.match(e.oneLine(), /model\.json:dp\.steps: model\.json's dp field is malformed/);
  const s = errorOf(() => dpOfModel(model('bad-sampling', { ...DP, sampling: 'uniform' })));
  assert.match(s.oneLine(), /model\.json:dp\.sampling: /);
});

test('dpTrainingOf: each DP target with its accuracy against the mean of the non-DP models', () => {
  const out = dpTrainingOf(
    [
      { id: 'target', modelDir: model('t', DP), accuracy: 0.7, target: true },
      { id: 'ref-01', modelDir: model('r1', undefined), accuracy: 0.8, target: false },
      { id: 'ref-02', modelDir: model('r2', undefined), accuracy: 0.7, target: false },
      { id: 'ref-03', modelDir: model('r3', DP), accuracy: 0.1, target: false },
    ],
    'the reference models',
  );
  assert.equal(out.length, 1);
  assert.deepEqual(out[0], {
    model: 'target',
    ...DP,
    accuracy: 0.7,
    baselineAccuracy: 0.75,
    baseline: 'the reference models',
  });
  assert.deepEqual(
    dpTrainingOf([{ id: 'target', modelDir: model('p', undefined), accuracy: 0.7, target: true }], 'x'),
    [],
  );
});
