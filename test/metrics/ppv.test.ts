import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ppv } from '../../src/metrics/ppv.js';
import { rocCurve } from '../../src/metrics/roc.js';
import { fixtures } from './fixtures.js';

const f64 = (a: number[]) => Float64Array.from(a);
const u8 = (a: number[]) => Uint8Array.from(a);

test('hand-computed: highest TP / (TP + FP) over thresholds', () => {
  // Points (tp, fp): (0,0) (1,0) (1,1) (2,1) (2,2): precisions –, 1, ½, ⅔, ½.
  assert.equal(ppv(rocCurve(f64([0.1, 0.4, 0.35, 0.8]), u8([0, 0, 1, 1]))), 1);
  // Non-member on top, then a tie: (0,1) → 0, (2,2) → ½.
  assert.equal(ppv(rocCurve(f64([9, 5, 5, 5]), u8([0, 1, 1, 0]))), 0.5);
});

test("TF Privacy's conventions: 1/(1 + n0/n1) where TPR and FPR are both ≤ 1e-3, else num/den", () => {
  // All scores equal: points (0,0) → 1/(1 + 3/1) = 0.25 and (1,1) → 1/(1+3) = 0.25.
  assert.equal(ppv(rocCurve(new Float64Array(4).fill(1), u8([1, 0, 0, 0]))), 0.25);
  // 2000 members, 2000 non-members; the top member alone has TPR 5e-4 ≤ 1e-3 and FPR 0: TF Privacy
  // counts it as 1/(1+1) = 0.5, not as precision 1. Next comes a non-member, then all the rest tied.
  const n = 4000;
  const s = new Float64Array(n);
  const m = new Uint8Array(n);
  for (let i = 0; i < 2000; i++) m[i] = 1;
  s[0] = 3;
  s[2000] = 2;
  const roc = rocCurve(s, m);
  // Points: (0,0) → .5, (tp 1, fp 0) → .5 by the rule, (1,1) → .5 by the rule, (2000,2000) → .5.
  assert.equal(ppv(roc), 0.5);
});

for (const fx of fixtures.roc) {
  test(`equals TF Privacy get_ppv (transcribed) on sklearn's curve: ${fx.name}`, () => {
    const s = fx.dtype === 'float32' ? Float32Array.from(fx.scores) : Float64Array.from(fx.scores);
    assert.equal(ppv(rocCurve(s, Uint8Array.from(fx.isMember))), fx.ppv);
  });
}
