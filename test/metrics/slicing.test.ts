import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isMiaError } from '../../src/errors.js';
import { buildSlices, lossDeciles, parseSliceFamily, sliceLabel } from '../../src/metrics/slicing.js';
import { attackInputFromArrays, poolAttackInput, type RawArray } from '../../src/signals/attack-input.js';

const arr = (data: number[], shape: number[]): RawArray => ({ data: Float64Array.from(data), shape });

function pooled() {
  // members: labels 0,1,2 ; non-members: labels 0,0,2
  const m = new Map<string, RawArray>([
    ['probs_train', arr([0.9, 0.05, 0.05, 0.1, 0.8, 0.1, 0.6, 0.3, 0.1], [3, 3])],
    ['probs_test', arr([0.2, 0.7, 0.1, 0.5, 0.3, 0.2, 0.1, 0.1, 0.8], [3, 3])],
    ['labels_train', { data: Int32Array.from([0, 1, 2]), shape: [3] }],
    ['labels_test', { data: Int32Array.from([0, 0, 2]), shape: [3] }],
  ]);
  return poolAttackInput(attackInputFromArrays(m, 't'));
}

test('class and correctness slices', () => {
  const p = pooled();
  const slices = buildSlices(p, ['entire', 'class', 'correctness']);
  const names = slices.map((s) => sliceLabel(s.spec));
  assert.deepEqual(names, [
    'entire dataset',
    'class 0',
    'class 1',
    'class 2',
    'correctly classified',
    'misclassified',
  ]);
  assert.deepEqual([...slices[1]!.mask], [1, 0, 0, 1, 1, 0]);
  // member 0 (argmax 0 = 0), member 1 (1 = 1), member 2 (argmax 0 ≠ 2), nm0 (1 ≠ 0), nm1 (0 = 0), nm2 (2 = 2)
  assert.deepEqual([...slices[4]!.mask], [1, 1, 0, 0, 1, 1]);
  assert.deepEqual(slices[4]!.spec, { feature: 'correctly_classified', value: true });
});

test('loss deciles: ordered, ties kept together, each decile n/10 without ties', () => {
  const loss = Float64Array.from({ length: 100 }, (_, i) => 99 - i);
  const d = lossDeciles(loss);
  assert.equal(d[99], 1); // smallest loss → decile 1
  assert.equal(d[0], 10);
  for (let k = 1; k <= 10; k++) assert.equal(d.filter((x) => x === k).length, 10);
  const tied = lossDeciles(new Float64Array([1, 1, 1, 1, 2]));
  assert.equal(new Set([tied[0], tied[1], tied[2], tied[3]]).size, 1);
  assert.ok(tied[4]! > tied[0]!);
});

test('slice family names and custom masks are checked', () => {
  assert.equal(parseSliceFamily('loss_decile'), 'loss-decile');
  assert.throws(
    () => parseSliceFamily('clas'),
    (e: unknown) => isMiaError(e) && e.code === 'E_UNKNOWN_NAME',
  );
  const p = pooled();
  assert.throws(
    () => buildSlices(p, [], [{ name: 'bad', mask: new Uint8Array(2) }]),
    (e: unknown) => isMiaError(e) && e.code === 'E_SHAPE_MISMATCH',
  );
  const s = buildSlices(p, [], [{ name: 'first two', mask: Uint8Array.from([1, 1, 0, 0, 0, 0]) }]);
  assert.deepEqual(s[0]!.spec, { feature: 'custom', value: 'first two' });
});
