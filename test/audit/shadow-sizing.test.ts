import assert from 'node:assert/strict';
import { test } from 'node:test';
import { shadowSizing } from '../../src/audit/shadow-models.js';
import { isMiaError } from '../../src/errors.js';

test('shadow models are sized like the target where the public set allows', () => {
  // 10,000 public samples, target trained on 1,000: 4 shadows of 1,250 members (⌊10000/4⌋ / 2)
  const big = shadowSizing(10_000, 1000);
  assert.deepEqual([big.count, big.members], [4, 1250]);
  assert.match(big.note, /^4 shadow models train on 1250 samples each, sized like the target \(1000/);
  // 5,000 public samples, target 2,000: one pair of parts fits at most ⌊5000 / 4000⌋ = 1 shadow of 2,500
  const one = shadowSizing(5000, 2000);
  assert.deepEqual([one.count, one.members], [1, 2500]);
  assert.match(one.note, /sized like the target/);
});

test('a public set too small for target-sized shadows is said, with the numbers (seed 004: 1,000 vs 4,000)', () => {
  const small = shadowSizing(1000, 4000);
  assert.deepEqual([small.count, small.members], [1, 500]);
  assert.match(
    small.note,
    /1 shadow model trains on 500 samples each, fewer than the target's 4000: .*8000 are needed/,
  );
  // an explicit count is kept, and still compared with the target
  const given = shadowSizing(1000, 4000, 4);
  assert.deepEqual([given.count, given.members], [4, 125]);
  assert.match(given.note, /fewer than the target's 4000/);
  assert.throws(
    () => shadowSizing(10, 1, 4),
    (e) => isMiaError(e) && e.code === 'E_CONFIG',
  );
});

test('an unknown target size keeps the default of 4 (fewer on a tiny public set) and says so', () => {
  assert.equal(shadowSizing(1000, null).count, 4);
  assert.match(shadowSizing(1000, undefined).note, /not recorded/);
  assert.equal(shadowSizing(8, null).count, 2);
});
