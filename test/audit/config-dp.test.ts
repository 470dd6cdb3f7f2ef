// The `dp` key of target / reference / training / models: read, inherited by the references, turned off
// with false, and its errors one line naming the key.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseAuditConfig } from '../../src/audit/config.js';
import { isMiaError } from '../../src/errors.js';

const BASE = 'data:\n  dataset: synthetic\ntarget:\n  architecture: mlp\n';

test('target.dp is read with its defaults and inherited by the references', () => {
  const { config: cfg } = parseAuditConfig(`${BASE}  dp:\n    noise_multiplier: 1.2\n`, 'c.yaml');
  assert.equal(cfg.mode, 'reference');
  if (cfg.mode !== 'reference') return;
  assert.deepEqual(cfg.target.dp, {
    noiseMultiplier: 1.2,
    maxGradNorm: 1,
    delta: 1e-5,
    sampling: 'poisson',
    where: 'target.dp',
  });
  assert.deepEqual(cfg.reference.dp, { ...cfg.target.dp, where: 'reference.dp' });
  const { config: off } = parseAuditConfig(
    `${BASE}  dp:\n    target_epsilon: 3\n    max_grad_norm: 0.5\n    delta: 1e-6\n    sampling: shuffle\nreference:\n  dp: false\n`,
    'c.yaml',
  );
  if (off.mode !== 'reference') return;
  assert.deepEqual(off.target.dp, {
    targetEpsilon: 3,
    maxGradNorm: 0.5,
    delta: 1e-6,
    sampling: 'shuffle',
    where: 'target.dp',
  });
  assert.equal(off.reference.dp, undefined);
});

test('dp in the experiments mode: training.dp and a model overriding it', () => {
  const { config: cfg } = parseAuditConfig(
    'data:\n  dataset: synthetic\ntraining:\n  dp:\n    noise_multiplier: 2\nmodels:\n  a:\n    architecture: mlp\n  b:\n    architecture: mlp\n    dp: false\nexperiments:\n  - name: one\n    models: [a, b]\n',
    'c.yaml',
  );
  assert.equal(cfg.mode, 'experiments');
  if (cfg.mode !== 'experiments') return;
  const [a, b] = cfg.experiments.models;
  assert.equal(a!.training.dp?.noiseMultiplier, 2);
  assert.equal(a!.training.dp?.where, 'models.a.dp');
  assert.equal(b!.training.dp, undefined);
});

test('dp errors are one line naming the key', () => {
  const cases: [string, RegExp][] = [
    [
      `${BASE}  dp:\n    max_grad_norm: 1\n`,
      /target\.dp: give exactly one of noise_multiplier and target_epsilon/,
    ],
    [`${BASE}  dp:\n    noise_multiplier: 1\n    target_epsilon: 2\n`, /exactly one/],
    [`${BASE}  dp:\n    noise_multiplier: -1\n`, /target\.dp\.noise_multiplier must be/],
    [`${BASE}  dp:\n    noise_multiplier: 1\n    delta: 1\n`, /target\.dp\.delta must be/],
    [`${BASE}  dp:\n    noise_multiplier: 1\n    max_grad_norm: 0\n`, /target\.dp\.max_grad_norm must be/],
    [
      `${BASE}  dp:\n    noise_multiplier: 1\n    sampling: fixed\n`,
      /target\.dp\.sampling must be one of poisson, shuffle/,
    ],
    [`${BASE}  dp: 3\n`, /target\.dp must be a mapping/],
  ];
  for (const [text, re] of cases) {
    assert.throws(
      () => parseAuditConfig(text, 'c.yaml'),
      (e: unknown) =>
        isMiaError(e) && e.code === 'E_CONFIG' && re.test(e.message) && !e.message.includes('\n'),
      text,
    );
  }
});
