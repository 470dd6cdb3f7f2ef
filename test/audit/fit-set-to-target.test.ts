import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fitSetLayout, fitSetScale, targetScale } from '../../src/audit/fit-set-to-target.js';
import type { MembershipSet } from '../../src/audit/membership-sets.js';
import { isMiaError } from '../../src/errors.js';
import type { ModelRecord } from '../../src/models/store.js';

function set(values: number[], shape: number[], normalized: 'unit' | 'none' = 'none'): MembershipSet {
  const per = shape.reduce((a, b) => a * b, 1);
  const n = values.length / per;
  return {
    x: Float32Array.from(values),
    y: new Int32Array(n),
    n,
    shape,
    member: undefined,
    ids: Array.from({ length: n }, (_, i) => String(i)),
    normalized,
    path: 'p.npz',
  };
}

function record(name: string, options: Record<string, unknown>, inputShape: number[]): ModelRecord {
  return { spec: { inputShape }, dataset: { name, options } } as unknown as ModelRecord;
}

test('targetScale: the recorded normalize, else the dataset default, else unknown', () => {
  assert.equal(targetScale(record('cifar10', {}, [32, 32, 3])), 'unit');
  assert.equal(targetScale(record('cifar10', { normalize: 'standard' }, [32, 32, 3])), 'standard');
  assert.equal(targetScale(record('csv', {}, [5])), 'none');
  assert.equal(targetScale(record('synthetic', {}, [8, 8, 1])), 'unit');
  assert.equal(targetScale(record('synthetic', {}, [8])), 'none');
  assert.equal(targetScale(undefined), undefined, 'ONNX / tfjs: no record');
});

test('float pixels in [0, 255] for a model trained on x / 255 are divided by 255, with a note', () => {
  const s = set([0, 128, 255, 64], [2, 2, 1]);
  const out = fitSetScale(s, 'unit', 'auto');
  assert.deepEqual(Array.from(out.set.x), [0, 128 / 255, 1, 64 / 255].map(Math.fround));
  assert.equal(out.set.normalized, 'unit');
  assert.match(out.note!, /float x in \[0, 255\] divided by 255/);
  // already in [0, 1]: unchanged, no note
  const unit = fitSetScale(set([0, 0.5, 1, 0.25], [2, 2, 1]), 'unit', 'auto');
  assert.equal(unit.note, undefined);
  // --normalize none: the user's choice is kept
  assert.equal(fitSetScale(s, 'unit', 'none').set, s);
});

test('values that fit neither [0, 1] nor [0, 255] stop with one line naming file:x', () => {
  for (const [values, expected] of [
    [[-3, 2, 0.5, 1], 'unit'],
    [[0, 300, 2, 1], 'unit'],
    [[0, 200, 2, 1], 'standard'],
    [[0, 200, 2, 1], undefined],
  ] as const) {
    assert.throws(
      () => fitSetScale(set([...values], [2, 2, 1]), expected, 'auto'),
      (e) => isMiaError(e) && e.code === 'E_VALUE' && e.where === 'p.npz:x' && !e.oneLine().includes('\n'),
      `${values} for ${expected}`,
    );
  }
  // unknown scale: rows (not images) and non-integer floats are left alone
  assert.equal(fitSetScale(set([0, 200, 2, 1], [2]), undefined, 'auto').note, undefined);
  assert.equal(fitSetScale(set([0, 200.5, 2, 1], [2, 2, 1]), undefined, 'auto').note, undefined);
});

test('uint8 x (divided on reading) for a model trained on raw values is used as it is', () => {
  const s = set([0, 128 / 255, 1, 3 / 255], [2, 2, 1], 'unit');
  const out = fitSetScale(s, 'none', 'auto');
  assert.deepEqual(Array.from(out.set.x), [0, 128, 255, 3]);
  assert.equal(fitSetScale(s, 'unit', 'auto').set, s);
});

test('NCHW images for a model taking NHWC are transposed; matching or other shapes are unchanged', () => {
  // one sample, c = 2, h = 1, w = 3: channel 0 = [1, 2, 3], channel 1 = [10, 20, 30]
  const s = set([1, 2, 3, 10, 20, 30], [2, 1, 3]);
  const out = fitSetLayout(s, [1, 3, 2]);
  assert.deepEqual(out.set.shape, [1, 3, 2]);
  assert.deepEqual(Array.from(out.set.x), [1, 10, 2, 20, 3, 30]);
  assert.match(out.note!, /NCHW \[2, 1, 3\]; transposed to the target's NHWC \[1, 3, 2\]/);
  assert.equal(fitSetLayout(s, [2, 1, 3]).set, s);
  assert.equal(fitSetLayout(s, undefined).set, s);
});
