import assert from 'node:assert/strict';
import { test } from 'node:test';
import { attackerAdvantage } from '../../src/metrics/advantage.js';
import { rocCurve } from '../../src/metrics/roc.js';
import { fixtures } from './fixtures.js';

const f64 = (a: number[]) => Float64Array.from(a);
const u8 = (a: number[]) => Uint8Array.from(a);

test('hand-computed: max(tpr − fpr), perfect → 1, inverted → 0 (|·| form → 1)', () => {
  // Points (0,0) (0,.5) (.5,.5) (.5,1) (1,1): best tpr − fpr = 0.5.
  assert.equal(attackerAdvantage(rocCurve(f64([0.1, 0.4, 0.35, 0.8]), u8([0, 0, 1, 1]))), 0.5);
  const m = u8([1, 1, 0, 0]);
  assert.equal(attackerAdvantage(rocCurve(f64([4, 3, 2, 1]), m)), 1);
  const inverted = rocCurve(f64([1, 2, 3, 4]), m);
  assert.equal(attackerAdvantage(inverted), 0);
  assert.equal(attackerAdvantage(inverted, { absolute: true }), 1);
  assert.equal(attackerAdvantage(rocCurve(new Float64Array(4).fill(1), m)), 0);
});

for (const fx of fixtures.roc) {
  test(`equals numpy max(tpr − fpr) and TF Privacy max|tpr − fpr|: ${fx.name}`, () => {
    const s = fx.dtype === 'float32' ? Float32Array.from(fx.scores) : Float64Array.from(fx.scores);
    const roc = rocCurve(s, Uint8Array.from(fx.isMember));
    assert.equal(attackerAdvantage(roc), fx.advantage);
    assert.equal(attackerAdvantage(roc, { absolute: true }), fx.advantageAbs);
  });
}
