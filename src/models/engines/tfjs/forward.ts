/**
 * The forward pass of a layer graph (layer-graph.ts) in TensorFlow.js ops. Convolutions and dense layers
 * go through tf.fused.conv2d / tf.fused.matMul (bias and ReLU fused; their gradients are tfjs's own), so
 * backends with fused kernels (wasm/XNNPACK, tfjs-node) run them in one call.
 */
import * as tf from '@tensorflow/tfjs-core';
import { MiaError } from '../../../errors.js';
import { type Activation, blockNormName, type Layer, type LayerGraph } from '../../layer-graph.js';

/** Batch-norm ε (PyTorch's default) and moving-average momentum (Keras: moving ← 0.9·moving + 0.1·batch). */
export const BN_EPSILON = 1e-5;
export const BN_MOMENTUM = 0.9;

/** A batch statistic computed in a training forward pass, to fold into the moving averages afterwards. */
export interface BnUpdate {
  prefix: string;
  mean: tf.Tensor;
  variance: tf.Tensor;
}

type Params = ReadonlyMap<string, tf.Variable>;

function param(params: Params, name: string): tf.Variable {
  const p = params.get(name);
  if (p === undefined) throw new Error(`internal: parameter ${name} missing`);
  return p;
}

/** Activations that tf.fused ops fuse and differentiate ('linear', 'relu'); others are applied after. */
function fusable(a: Activation): a is 'linear' | 'relu' {
  return a === 'linear' || a === 'relu';
}

function activate(x: tf.Tensor, a: Activation): tf.Tensor {
  switch (a) {
    case 'linear':
      return x;
    case 'relu':
      return tf.relu(x);
    case 'tanh':
      return tf.tanh(x);
    case 'sigmoid':
      return tf.sigmoid(x);
  }
}

function conv(
  params: Params,
  prefix: string,
  x: tf.Tensor4D,
  stride: number,
  padding: 'valid' | 'same' | [number, number, number, number],
  activation: Activation,
  bias: boolean,
): tf.Tensor4D {
  const pad: 'valid' | 'same' | [[0, 0], [number, number], [number, number], [0, 0]] =
    typeof padding === 'string'
      ? padding
      : [
          [0, 0],
          [padding[0], padding[2]],
          [padding[1], padding[3]],
          [0, 0],
        ];
  const filter = param(params, `${prefix}.kernel`) as unknown as tf.Tensor4D;
  const b = bias ? param(params, `${prefix}.bias`) : undefined;
  const fa = fusable(activation) ? activation : 'linear';
  const y = tf.fused.conv2d({
    x,
    filter,
    strides: stride,
    pad,
    ...(b !== undefined ? { bias: b } : {}),
    activation: fa,
  });
  return (fusable(activation) ? y : activate(y, activation)) as tf.Tensor4D;
}

function batchNorm(
  params: Params,
  prefix: string,
  x: tf.Tensor,
  training: boolean,
  updates: BnUpdate[] | undefined,
): tf.Tensor {
  const gamma = param(params, `${prefix}.gamma`);
  const beta = param(params, `${prefix}.beta`);
  if (!training) {
    return tf.batchNorm(
      x,
      param(params, `${prefix}.moving_mean`),
      param(params, `${prefix}.moving_variance`),
      beta,
      gamma,
      BN_EPSILON,
    );
  }
  const axes = x.rank === 4 ? [0, 1, 2] : [0];
  const { mean, variance } = tf.moments(x, axes);
  if (updates !== undefined) updates.push({ prefix, mean: tf.keep(mean), variance: tf.keep(variance) });
  // (x − μ) · γ / √(σ² + ε) + β with elementary ops, so gradients flow to μ and σ² as well.
  const scale = tf.mul(gamma, tf.rsqrt(tf.add(variance, BN_EPSILON)));
  return tf.add(tf.mul(tf.sub(x, mean), scale), beta);
}

/** GroupNorm of NHWC `x` over `groups` channel groups (ε = 1e-5), then γ·x̂ + β. */
function groupNorm(params: Params, prefix: string, x: tf.Tensor, groups: number): tf.Tensor {
  const [n, h, w, c] = x.shape as [number, number, number, number];
  const g = tf.reshape(x, [n, h, w, groups, c / groups]);
  const { mean, variance } = tf.moments(g, [1, 2, 4], true);
  const xhat = tf.reshape(tf.mul(tf.sub(g, mean), tf.rsqrt(tf.add(variance, BN_EPSILON))), [n, h, w, c]);
  return tf.add(tf.mul(xhat, param(params, `${prefix}.gamma`)), param(params, `${prefix}.beta`));
}

function norm(
  params: Params,
  prefix: string,
  x: tf.Tensor,
  groups: number | undefined,
  training: boolean,
  updates: BnUpdate[] | undefined,
): tf.Tensor {
  return groups === undefined
    ? batchNorm(params, prefix, x, training, updates)
    : groupNorm(params, prefix, x, groups);
}

function layerForward(
  params: Params,
  layer: Layer,
  prefix: string,
  x: tf.Tensor,
  training: boolean,
  updates: BnUpdate[] | undefined,
): tf.Tensor {
  switch (layer.type) {
    case 'conv2d':
      return conv(
        params,
        prefix,
        x as tf.Tensor4D,
        layer.stride,
        layer.pads ?? layer.padding,
        layer.activation,
        layer.bias,
      );
    case 'maxpool':
      return tf.maxPool(x as tf.Tensor4D, layer.size, layer.stride, layer.pad ?? 'valid');
    case 'batchnorm':
      return batchNorm(params, prefix, x, training, updates);
    case 'activation':
      return activate(x, layer.activation);
    case 'flatten':
      return x.rank === 2 ? x : tf.reshape(x, [x.shape[0]!, -1]);
    case 'global_avg_pool':
      return tf.mean(x, [1, 2]);
    case 'dense': {
      const a = layer.activation;
      const y = tf.fused.matMul({
        a: x as tf.Tensor2D,
        b: param(params, `${prefix}.kernel`) as unknown as tf.Tensor2D,
        bias: param(params, `${prefix}.bias`),
        activation: fusable(a) ? a : 'linear',
      });
      return fusable(a) ? y : activate(y, a);
    }
    case 'basic_block': {
      const cin = x.shape[3]!;
      const x4 = x as tf.Tensor4D;
      const g = layer.groups;
      const n = (t: tf.Tensor, which: '1' | '2' | 'shortcut') =>
        norm(params, `${prefix}.${blockNormName(which, g)}`, t, g, training, updates);
      const pad = layer.padding === 'torch' ? ([1, 1, 1, 1] as [number, number, number, number]) : 'same';
      let y: tf.Tensor = conv(params, `${prefix}.conv1`, x4, layer.stride, pad, 'linear', false);
      y = tf.relu(n(y, '1'));
      y = conv(params, `${prefix}.conv2`, y as tf.Tensor4D, 1, 'same', 'linear', false);
      y = n(y, '2');
      let s: tf.Tensor = x4;
      if (layer.stride !== 1 || cin !== layer.filters) {
        s = conv(params, `${prefix}.shortcut`, x4, layer.stride, 'valid', 'linear', false);
        s = n(s, 'shortcut');
      }
      return tf.relu(tf.add(y, s));
    }
    case 'wide_block': {
      const cin = x.shape[3]!;
      const g = layer.groups;
      const n = (t: tf.Tensor, which: '1' | '2') =>
        norm(params, `${prefix}.${blockNormName(which, g)}`, t, g, training, updates);
      const o = tf.relu(n(x, '1')) as tf.Tensor4D;
      const p1: [number, number, number, number] = [1, 1, 1, 1];
      const s =
        layer.stride !== 1 || cin !== layer.filters
          ? conv(params, `${prefix}.shortcut`, o, layer.stride, 'valid', 'linear', false)
          : x;
      let y: tf.Tensor = conv(params, `${prefix}.conv1`, o, layer.stride, p1, 'linear', false);
      y = tf.relu(n(y, '2'));
      if (training && layer.dropout > 0) throw dropoutUnsupported();
      y = conv(params, `${prefix}.conv2`, y as tf.Tensor4D, 1, p1, 'linear', false);
      return tf.add(y, s);
    }
    case 'dropout':
      if (training && layer.rate > 0) throw dropoutUnsupported();
      return x;
    case 'groupnorm':
      return groupNorm(params, prefix, x, layer.groups);
    case 'residual': {
      const branch = (ls: readonly Layer[], tag: string): tf.Tensor =>
        ls.reduce((v, sub, j) => layerForward(params, sub, `${prefix}.${tag}${j}`, v, training, updates), x);
      return tf.add(branch(layer.main, 'main'), branch(layer.shortcut, 'short'));
    }
  }
}

function dropoutUnsupported(): MiaError {
  return new MiaError('E_BACKEND', 'the tfjs engine does not train dropout layers', {
    where: 'engine tfjs',
    expected: 'engine ort or auto (onnxruntime-node) for architectures with dropout > 0',
  });
}

/**
 * Logits [n, classes] of the graph on `x` ([n, ...inputShape]). In training mode batch-norm layers use
 * the batch's mean and (biased) variance and push them, kept, to `updates`; otherwise they use the moving
 * statistics. Call inside tf.tidy / tf.variableGrads.
 */
export function forward(
  graph: LayerGraph,
  params: Params,
  x: tf.Tensor,
  training: boolean,
  updates?: BnUpdate[],
): tf.Tensor2D {
  let h = x;
  graph.layers.forEach((layer, i) => {
    h = layerForward(params, layer, `l${i}`, h, training, updates);
  });
  return h as tf.Tensor2D;
}
