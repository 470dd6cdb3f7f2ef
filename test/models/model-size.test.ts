// What a model needs before it is built (src/models/model-size.ts): the parameter count and training
// memory from the layer graph, hand-computed for small nets and against Keras' counts, for every
// architecture; absurd sizes and conv stacks too deep for the input stop with one line naming the key.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { architectureNames, normalizeArchSpec } from '../../src/models/architectures.js';
import { checkModelFits, formatBytes, modelFootprint } from '../../src/models/model-size.js';
import { errorOf } from '../audit/helpers.js';

const opts = {
  label: (k: string | undefined) => (k === undefined ? 'arch' : `arch.${k}`),
  where: (k: string | undefined) => `c.yaml:${k ?? '-'}`,
};

test('dense depth 1 width 3 on [4] with 2 classes: 23 parameters, 13 activations per sample, the bytes', () => {
  const f = modelFootprint({ name: 'dense', params: { depth: 1, width: 3 } }, [4], 2, 8);
  // Dense(4→3): 12 + 3; Dense(3→2): 6 + 2
  assert.equal(f.params, 23);
  assert.equal(f.largestTensor, 12);
  // input 4, flatten 4, dense 3, dense 2
  assert.equal(f.activationsPerSample, 13);
  assert.equal(f.bytes, 4 * (4 * 23 + 2 * 8 * 13));
});

test('Keras counts: the CIFAR ResNet-18 (width 64) and the small CNN on 28×28×1', () => {
  // torchvision-style CIFAR ResNet-18: 11,173,962 trainable parameters + 9,600 batch-norm statistics
  assert.equal(modelFootprint({ name: 'resnet18' }, [32, 32, 3], 10, 1).params, 11_173_962 + 9_600);
  // small_cnn (3 × Conv2D(32) + pool, Dense(64), Dense(10)): 320 + 9248 + 9248 + (32·64 + 64) + 650
  assert.equal(modelFootprint({ name: 'small_cnn' }, [28, 28, 1], 10, 1).params, 21_578);
});

test('every registered architecture gets a footprint with its defaults (and fits in memory)', () => {
  const layers = JSON.stringify([
    { type: 'flatten' },
    { type: 'dense', units: 2, activation: 'linear', init: 'glorot_uniform' },
  ]);
  for (const name of architectureNames()) {
    // from_onnx has no layers of its own (mia train --arch-from reads them)
    const spec = normalizeArchSpec({ name, params: name === 'from_onnx' ? { layers } : {} });
    const f = checkModelFits(spec, [32, 32, 3], 10, 64, opts);
    assert.ok(f.params > 0 && f.bytes > 0, name);
  }
});

test('width 1e9, filters 1e9, hidden widths: one line naming the key, what it needs and the limit', () => {
  const dense = errorOf(() =>
    checkModelFits(normalizeArchSpec({ name: 'dense', params: { width: 1e9 } }), [28, 28, 1], 10, 64, {
      ...opts,
      limitBytes: 16e9,
    }),
  );
  assert.equal(dense.code, 'E_CONFIG');
  assert.equal(
    dense.oneLine(),
    '[E_CONFIG] c.yaml:width: arch.width: the model would need 3.0e18 parameters, 48 EB to train ' +
      '(weights, gradients and Adam state, activations of a batch of 64) (expected at most 16 GB ' +
      "(this machine's memory), found width 1000000000)",
  );
  const conv = errorOf(() =>
    checkModelFits(
      normalizeArchSpec({ name: 'conv', params: { filters: 1e9, depth: 1 } }),
      [28, 28, 1],
      10,
      64,
      opts,
    ),
  );
  assert.match(conv.oneLine(), /^\[E_CONFIG\] c\.yaml:filters: arch\.filters: the model would need /);
  const mlp = errorOf(() =>
    checkModelFits(
      normalizeArchSpec({ name: 'mlp', params: { hidden: '64,3000000000' } }),
      [784],
      10,
      64,
      opts,
    ),
  );
  assert.match(mlp.oneLine(), /c\.yaml:hidden: arch\.hidden: .*found hidden 64,3000000000/);
  const resnet = errorOf(() =>
    checkModelFits(
      normalizeArchSpec({ name: 'resnet18', params: { width: 200000 } }),
      [32, 32, 3],
      10,
      64,
      opts,
    ),
  );
  assert.match(resnet.oneLine(), /c\.yaml:width: arch\.width: /);
});

test('the memory limit counts the batch: a net that fits at batch 64 does not at batch 10⁶ (no key to blame)', () => {
  const spec = normalizeArchSpec({ name: 'conv' });
  checkModelFits(spec, [28, 28, 1], 10, 64, { ...opts, limitBytes: 1e9 });
  const e = errorOf(() => checkModelFits(spec, [28, 28, 1], 10, 1e6, { ...opts, limitBytes: 1e9 }));
  assert.match(
    e.oneLine(),
    /^\[E_CONFIG\] c\.yaml:-: arch: the model would need .*batch of 1000000\) \(expected at most 1\.0 GB/,
  );
});

test('a conv stack too deep for the input names the depth key, or the architecture when defaults fail', () => {
  const deep = errorOf(() =>
    checkModelFits(normalizeArchSpec({ name: 'conv', params: { depth: 5 } }), [28, 28, 1], 10, 64, opts),
  );
  assert.equal(
    deep.oneLine(),
    '[E_CONFIG] c.yaml:depth: arch.depth: layer 6 (conv2d) with a 3×3 kernel leaves no output: too large a depth ' +
      'for the input (expected a smaller depth (default 3), found input shape [28, 28, 1], depth 5)',
  );
  const tiny = errorOf(() =>
    checkModelFits(normalizeArchSpec({ name: 'small_cnn' }), [6, 6, 1], 10, 64, opts),
  );
  assert.match(tiny.oneLine(), /^\[E_CONFIG\] c\.yaml:-: arch: layer 2 \(conv2d\) .*too deep for the input/);
});

test('formatBytes', () => {
  assert.equal(formatBytes(0), '0 B');
  assert.equal(formatBytes(999), '999 B');
  assert.equal(formatBytes(1500), '1.5 kB');
  assert.equal(formatBytes(25e9), '25 GB');
  assert.equal(formatBytes(436e12), '436 TB');
});
