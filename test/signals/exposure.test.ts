import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isMiaError } from '../../src/errors.js';
import { argmaxRows, exposeOutputs, exposureName, parseExposure } from '../../src/signals/exposure.js';
import { makeModelOutputs } from '../../src/signals/model-outputs.js';

const o = makeModelOutputs(
  {
    probs: Float64Array.from([0.5, 0.3, 0.15, 0.05, 0.25, 0.25, 0.25, 0.25]),
    labels: Int32Array.from([2, 3]),
  },
  't',
);

test('top-k keeps the k largest and spreads the rest uniformly', () => {
  const t = exposeOutputs(o, parseExposure('top-2', 'x'));
  const want = [0.5, 0.3, 0.1, 0.1, 0.25, 0.25, 0.25, 0.25];
  for (const [i, p] of t.probs.entries()) assert.ok(Math.abs(p - want[i]!) < 1e-12, `probs[${i}]`);
  assert.equal(t.logits, undefined);
  assert.ok(Math.abs(t.loss[0]! + Math.log(0.1)) < 1e-12);
  assert.deepEqual([...t.predicted!], [0, 0]);
  const t1 = exposeOutputs(o, parseExposure('top-1', 'x'));
  assert.ok(Math.abs(t1.probs[1]! - 0.5 / 3) < 1e-12);
});

test('round-d rounds each probability to d decimals; label keeps only the argmax', () => {
  const r = exposeOutputs(o, parseExposure('round-1', 'x'));
  assert.deepEqual([...r.probs], [0.5, 0.3, 0.2, 0.1, 0.3, 0.3, 0.3, 0.3]);
  const l = exposeOutputs(o, parseExposure('label', 'x'));
  assert.equal(l.labelOnly, true);
  assert.deepEqual([...l.probs], [1, 0, 0, 0, 1, 0, 0, 0]);
  assert.equal(exposeOutputs(o, parseExposure('probs', 'x')), o);
});

test('exposure names round-trip; bad names are E_CONFIG', () => {
  for (const n of ['probs', 'top-3', 'round-2', 'label'])
    assert.equal(exposureName(parseExposure(n, 'x')), n);
  for (const n of ['top-0', 'round-', 'full', 'round-16'])
    assert.throws(() => parseExposure(n, 'c.yaml:3'), isMiaError);
  assert.deepEqual([...argmaxRows(Float64Array.from([0.5, 0.5, 0.2, 0.8]), 2, 2)], [0, 1]);
});
