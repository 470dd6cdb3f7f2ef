import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isMiaError, type MiaErrorCode } from '../../src/errors.js';
import { attackInputFromArrays, poolAttackInput, type RawArray } from '../../src/signals/attack-input.js';

const arr = (data: number[], shape: number[]): RawArray => ({ data: Float64Array.from(data), shape });
const ints = (data: number[]): RawArray => ({ data: Int32Array.from(data), shape: [data.length] });

function base(): Map<string, RawArray> {
  return new Map([
    ['logits_train', arr([2, 0, 0, 3], [2, 2])],
    ['logits_test', arr([0, 1, 1, 0, 0, 0], [3, 2])],
    ['labels_train', ints([0, 1])],
    ['labels_test', ints([0, 1, 1])],
  ]);
}

function expectError(arrays: Map<string, RawArray>, code: MiaErrorCode, mention: string): void {
  assert.throws(
    () => attackInputFromArrays(arrays, 'run.npz'),
    (e: unknown) => {
      assert.ok(isMiaError(e), String(e));
      assert.equal(e.code, code, e.oneLine());
      assert.ok(e.oneLine().includes(mention), `'${e.oneLine()}' should mention ${mention}`);
      assert.ok(!e.oneLine().includes('\n'));
      return true;
    },
  );
}

test('builds members and non-members from TF Privacy keys and pools them members first', () => {
  const input = attackInputFromArrays(base(), 'run.npz');
  assert.equal(input.members.n, 2);
  assert.equal(input.nonMembers.n, 3);
  const pooled = poolAttackInput(input);
  assert.equal(pooled.n, 5);
  assert.deepEqual([...pooled.isMember], [1, 1, 0, 0, 0]);
  assert.deepEqual([...pooled.labels], [0, 1, 0, 1, 1]);
  assert.ok(Math.abs(pooled.loss[0]! - Math.log(1 + Math.exp(-2))) < 1e-12);
});

test('every bad input names the array at fault', () => {
  const m1 = base();
  m1.set('labels_train', ints([0, 1, 1]));
  expectError(m1, 'E_SHAPE_MISMATCH', 'labels_train');

  const m2 = base();
  m2.set('labels_test', ints([0, 2, 1]));
  expectError(m2, 'E_LABEL_RANGE', 'labels_test');

  const m3 = base();
  m3.set('logits_test', arr([0, 1, Number.NaN, 0, 0, 0], [3, 2]));
  expectError(m3, 'E_NOT_FINITE', 'logits_test');

  const m4 = base();
  m4.delete('logits_train');
  m4.delete('logits_test');
  expectError(m4, 'E_MISSING_FIELD', 'probs_train');

  const m5 = base();
  m5.delete('logits_train');
  m5.delete('logits_test');
  m5.set('probs_train', arr([0.5, 0.5, 0.9, 0.3], [2, 2]));
  m5.set('probs_test', arr([0.5, 0.5, 0.5, 0.5, 1, 0], [3, 2]));
  expectError(m5, 'E_PROBS_SUM', 'probs_train');

  const m6 = base();
  m6.set('labels_test', ints([]));
  m6.set('logits_test', arr([], [0, 2]));
  expectError(m6, 'E_EMPTY', 'labels_test');

  const m7 = base();
  m7.set('logit_train', arr([1], [1]));
  expectError(m7, 'E_UNKNOWN_NAME', 'logit_train');

  const m8 = base();
  m8.delete('logits_test');
  expectError(m8, 'E_MISSING_FIELD', 'logits_test');

  const m9 = base();
  m9.set('logits_test', arr([0, 1, 1, 0, 0, 0], [2, 3]));
  expectError(m9, 'E_SHAPE_MISMATCH', 'logits_test');

  const m10 = base();
  m10.set('loss_train', arr([0.1, Number.POSITIVE_INFINITY], [2]));
  m10.set('loss_test', arr([0.1, 0.2, 0.3], [3]));
  expectError(m10, 'E_NOT_FINITE', 'loss_train');
});

test('a given loss is used as is; probs are accepted within tolerance', () => {
  const m = new Map([
    ['probs_train', arr([0.6, 0.4, 0.2, 0.8], [2, 2])],
    ['probs_test', arr([0.5, 0.5004, 0.3, 0.7], [2, 2])],
    ['loss_train', arr([9, 8], [2])],
    ['loss_test', arr([7, 6], [2])],
    ['labels_train', ints([0, 1])],
    ['labels_test', ints([0, 1])],
  ]);
  const input = attackInputFromArrays(m, 'x');
  assert.deepEqual([...input.members.loss], [9, 8]);
  assert.equal(input.members.logits, undefined);
});

test('a negative loss is refused naming the array and the first bad index; −1e-6 rounding is kept', () => {
  const m = base();
  m.set('loss_train', arr([0.1, 0.2], [2]));
  m.set('loss_test', arr([0.3, -0.5, -2], [3]));
  expectError(m, 'E_VALUE', 'run.npz:loss_test: loss_test[1] = -0.5 is negative');
  m.set('loss_test', arr([0.3, -1e-7, 0], [3]));
  const input = attackInputFromArrays(m, 'run.npz');
  assert.deepEqual([...input.nonMembers.loss], [0.3, -1e-7, 0]);
});

test('logits and probs together must agree (probs = softmax(logits)), else both arrays and the row are named', () => {
  const softmax = (z: number[]) => {
    const e = z.map((v) => Math.exp(v));
    const s = e.reduce((a, b) => a + b, 0);
    return e.map((v) => v / s);
  };
  const m = base();
  m.set('probs_train', arr([...softmax([2, 0]), ...softmax([0, 3])], [2, 2]));
  m.set('probs_test', arr([...softmax([0, 1]), ...softmax([1, 0]), 0.5, 0.5], [3, 2]));
  // consistent (float32 rounding is fine): accepted, the logits give the probabilities
  m.set('probs_test', {
    data: Float32Array.from([...softmax([0, 1]), ...softmax([1, 0]), 0.5, 0.5]),
    shape: [3, 2],
  });
  const input = attackInputFromArrays(m, 'run.npz');
  assert.ok(Math.abs(input.nonMembers.probs[1]! - softmax([0, 1])[1]!) < 1e-12);
  // row 1 of probs_test swapped: refused, naming both arrays and row 1
  m.set('probs_test', arr([...softmax([0, 1]), ...softmax([0, 1]), 0.5, 0.5], [3, 2]));
  expectError(m, 'E_PROBS_SUM', 'run.npz:logits_test+probs_test');
  expectError(m, 'E_PROBS_SUM', 'first at row 1');
  expectError(m, 'E_PROBS_SUM', 'give one of logits_test and probs_test');
});

test('logits with a different number of columns on the two sides are named, not reported as a label out of range', () => {
  const m = base();
  // 3 classes in train, 2 in test, and a test label 2 that only the train side knows
  m.set('logits_train', arr([2, 0, 0, 0, 3, 0], [2, 3]));
  m.set('labels_test', ints([0, 1, 1]));
  expectError(m, 'E_SHAPE_MISMATCH', 'logits_train has 3 columns (classes) but logits_test has 2');
  expectError(m, 'E_SHAPE_MISMATCH', 'run.npz:logits_test');
  m.set('labels_test', ints([0, 1, 2]));
  expectError(m, 'E_SHAPE_MISMATCH', 'logits_train has 3 columns');
});
