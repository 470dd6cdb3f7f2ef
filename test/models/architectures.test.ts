import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isMiaError } from '../../src/errors.js';
import {
  architectureNames,
  buildLayerGraph,
  normalizeArchSpec,
  parseArchParams,
} from '../../src/models/architectures.js';
import { initialWeights } from '../../src/models/init.js';
import { analyzeGraph, countTrainable } from '../../src/models/layer-graph.js';

const params = (name: string, shape: number[], classes: number, p: Record<string, number | string> = {}) =>
  countTrainable(analyzeGraph(buildLayerGraph({ name, params: p }, shape, classes)).params);

const FROM_ONNX_LAYERS = JSON.stringify([
  {
    type: 'conv2d',
    filters: 4,
    kernel: 3,
    stride: 2,
    padding: 'valid',
    activation: 'linear',
    bias: true,
    init: 'glorot_uniform',
  },
  {
    type: 'residual',
    main: [{ type: 'batchnorm' }, { type: 'activation', activation: 'relu' }],
    shortcut: [],
  },
  { type: 'global_avg_pool' },
  { type: 'dense', units: 3, activation: 'linear', init: 'glorot_uniform' },
]);

test('from_onnx: its layer list as JSON, the last dense taking the class count; no layers is an error', () => {
  const g = buildLayerGraph({ name: 'from_onnx', params: { layers: FROM_ONNX_LAYERS } }, [9, 9, 2], 5);
  const a = analyzeGraph(g);
  assert.deepEqual(a.outputShape, [5]);
  assert.deepEqual(
    a.params.map((p) => `${p.name} ${p.shape.join('x')}`),
    [
      'l0.kernel 3x3x2x4',
      'l0.bias 4',
      'l1.main0.gamma 4',
      'l1.main0.beta 4',
      'l1.main0.moving_mean 4',
      'l1.main0.moving_variance 4',
      'l3.kernel 4x5',
      'l3.bias 5',
    ],
  );
  assert.throws(
    () => normalizeArchSpec({ name: 'from_onnx' }),
    (e: unknown) => isMiaError(e) && e.code === 'E_CONFIG' && /must end in a dense layer/.test(e.message),
  );
  assert.throws(
    () => normalizeArchSpec({ name: 'from_onnx', params: { layers: '{' } }),
    (e: unknown) => isMiaError(e) && /JSON array of layers/.test(e.message),
  );
});

test('registry lists the architectures; unknown names list them', () => {
  assert.deepEqual(architectureNames(), [
    'conv',
    'dense',
    'from_onnx',
    'logistic',
    'mlp',
    'resnet18',
    'resnet18_imagenet',
    'small_cnn',
    'wrn28',
  ]);
  assert.throws(
    () => normalizeArchSpec({ name: 'vgg' }),
    (e: Error & { code?: string; expected?: string }) =>
      e.code === 'E_UNKNOWN_NAME' &&
      e.expected ===
        'one of conv, dense, from_onnx, logistic, mlp, resnet18, resnet18_imagenet, small_cnn, wrn28',
  );
});

test('parameter counts match hand-computed Keras / PyTorch counts', () => {
  // small_cnn, CIFAR 32×32×3, num_conv=3: 32→30→15→13→6→4→2; conv 896 + 9248 + 9248, dense 128·64+64, 64·10+10
  assert.equal(params('small_cnn', [32, 32, 3], 10), 896 + 9248 + 9248 + 8256 + 650);
  // num_conv=2 on Fashion-MNIST 28×28×1: 28→26→13→11→5 → 800 features
  assert.equal(params('small_cnn', [28, 28, 1], 10, { num_conv: 2 }), 320 + 9248 + (800 * 64 + 64) + 650);
  // seed 000's conv_nn_builder is the same network with its defaults
  assert.equal(params('conv', [32, 32, 3], 10), params('small_cnn', [32, 32, 3], 10));
  // seed 000's dense_nn_builder(depth=3, 64) — "depth 4", our default: 3072→64, 3 × 64→64, 64→10
  assert.equal(params('dense', [32, 32, 3], 10), 3072 * 64 + 64 + 3 * (64 * 64 + 64) + 650);
  assert.equal(params('dense', [28, 28, 1], 10, { depth: 1, width: 5 }), 784 * 5 + 5 + 5 * 10 + 10);
  // ResNet-18 (kuangliu/pytorch-cifar): 11,173,962 parameters
  assert.equal(params('resnet18', [32, 32, 3], 10), 11_173_962);
  // WRN-28-2 on CIFAR-10 (1.47 M, Zagoruyko & Komodakis) and torchvision's resnet18 (11,689,512).
  assert.equal(params('wrn28', [32, 32, 3], 10), 1_467_610);
  assert.equal(params('resnet18_imagenet', [224, 224, 3], 1000), 11_689_512);
  assert.equal(params('logistic', [600], 100), 600 * 100 + 100);
  assert.equal(
    params('mlp', [600], 100),
    600 * 512 + 512 + 512 * 256 + 256 + 256 * 128 + 128 + 128 * 100 + 100,
  );
  assert.equal(params('mlp', [4], 3, { hidden: '5' }), 4 * 5 + 5 + 5 * 3 + 3);
});

test('hyper-parameters: defaults filled, strings converted, bad ones rejected with E_CONFIG', () => {
  assert.deepEqual(
    normalizeArchSpec({ name: 'dense', params: parseArchParams(['depth=4', 'width = 512']) }),
    {
      name: 'dense',
      params: { activation: 'relu', depth: 4, width: 512 },
    },
  );
  assert.deepEqual(normalizeArchSpec({ name: 'small_cnn' }).params, { activation: 'relu', num_conv: 3 });
  const code = (f: () => unknown) => {
    try {
      f();
    } catch (e) {
      return (e as { code: string }).code;
    }
    return 'none';
  };
  assert.equal(
    code(() => normalizeArchSpec({ name: 'dense', params: { depht: 3 } })),
    'E_CONFIG',
  );
  assert.equal(
    code(() => normalizeArchSpec({ name: 'dense', params: { depth: 2.5 } })),
    'E_CONFIG',
  );
  assert.equal(
    code(() => normalizeArchSpec({ name: 'small_cnn', params: { num_conv: 0 } })),
    'E_CONFIG',
  );
  assert.equal(
    code(() => normalizeArchSpec({ name: 'mlp', params: { hidden: '3,x' } })),
    'E_CONFIG',
  );
  assert.equal(
    code(() => normalizeArchSpec({ name: 'conv', params: { activation: 'gelu' } })),
    'E_CONFIG',
  );
  assert.equal(
    code(() => parseArchParams(['depth'])),
    'E_USAGE',
  );
  // image architectures need [h, w, c]; too many pooling stages leave no output
  assert.equal(
    code(() => buildLayerGraph({ name: 'small_cnn' }, [100], 10)),
    'E_CONFIG',
  );
  assert.equal(
    code(() =>
      analyzeGraph(buildLayerGraph({ name: 'small_cnn', params: { num_conv: 4 } }, [28, 28, 1], 10)),
    ),
    'E_CONFIG',
  );
  assert.equal(
    code(() => buildLayerGraph({ name: 'logistic' }, [5], 1)),
    'E_CONFIG',
  );
});

test('layer graphs: output is [classes] and the last layer is linear', () => {
  for (const name of architectureNames()) {
    const shape = name === 'logistic' || name === 'mlp' || name === 'dense' ? [12] : [32, 32, 3];
    // from_onnx has no layers of its own (mia train --arch-from reads them): a conv net's here
    const params = name === 'from_onnx' ? { layers: FROM_ONNX_LAYERS } : {};
    const g = buildLayerGraph({ name, params }, shape, 7);
    assert.deepEqual(analyzeGraph(g).outputShape, [7], name);
    const last = g.layers[g.layers.length - 1]!;
    assert.ok(last.type === 'dense' && last.activation === 'linear', name);
  }
});

test('initial weights: seeded, Glorot / He statistics, constants', () => {
  const infos = analyzeGraph(
    buildLayerGraph({ name: 'resnet18', params: { width: 8 } }, [16, 16, 3], 10),
  ).params;
  const a = initialWeights(infos, 7);
  const b = initialWeights(infos, 7);
  const c = initialWeights(infos, 8);
  assert.deepEqual(a, b);
  assert.notDeepEqual(a[0]!.data, c[0]!.data);
  // He normal fan_out on the first conv: std √(2 / (3·3·8))
  const k0 = a[0]!.data;
  const std = Math.sqrt(k0.reduce((s, v) => s + v * v, 0) / k0.length);
  assert.ok(Math.abs(std - Math.sqrt(2 / 72)) < 0.25 * Math.sqrt(2 / 72), `std ${std}`);
  const byName = new Map(a.map((w) => [w.name, w.data]));
  assert.ok(byName.get('l1.gamma')!.every((v) => v === 1));
  assert.ok(byName.get('l1.moving_mean')!.every((v) => v === 0));
  assert.ok(byName.get('l1.moving_variance')!.every((v) => v === 1));
  // Glorot uniform on a dense kernel 64×32: within ±√(6/96), variance l²/3
  const dense = analyzeGraph(buildLayerGraph({ name: 'mlp', params: { hidden: '32' } }, [64], 4)).params;
  const w = initialWeights(dense, 1)[0]!.data;
  const limit = Math.sqrt(6 / 96);
  assert.ok(w.every((v) => Math.abs(v) <= limit));
  const v = w.reduce((s, x) => s + x * x, 0) / w.length;
  assert.ok(Math.abs(v - (limit * limit) / 3) < 0.1 * ((limit * limit) / 3), `var ${v}`);
  assert.ok(
    initialWeights(dense, 1)[1]!.data.every((x) => x === 0),
    'biases start at 0',
  );
});
