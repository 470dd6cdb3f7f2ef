/**
 * The forward pass of a layer graph (layer-graph.ts) in TensorFlow.js ops. Convolutions and dense layers
 * go through tf.fused.conv2d / tf.fused.matMul (bias and ReLU fused; their gradients are tfjs's own), so
 * backends with fused kernels (wasm/XNNPACK, tfjs-node) run them in one call.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Activation, Layer, LayerGraph } from '../../layer-graph.js';

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
  padding: 'valid' | 'same',
  activation: Activation,
  bias: boolean,
): tf.Tensor4D {
  const filter = param(params, `${prefix}.kernel`) as unknown as tf.Tensor4D;
  const b = bias ? param(params, `${prefix}.bias`) : undefined;
  const fa = fusable(activation) ? activation : 'linear';
  const y = tf.fused.conv2d({
    x,
    filter,
    strides: stride,
    pad: padding,
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

function layerForward(
  params: Params,
  layer: Layer,
  i: number,
  x: tf.Tensor,
  training: boolean,
  updates: BnUpdate[] | undefined,
): tf.Tensor {
  const prefix = `l${i}`;
  switch (layer.type) {
    case 'conv2d':
      return conv(
        params,
        prefix,
        x as tf.Tensor4D,
        layer.stride,
        layer.padding,
        layer.activation,
        layer.bias,
      );
    case 'maxpool':
      return tf.maxPool(x as tf.Tensor4D, layer.size, layer.stride, 'valid');
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
      let y: tf.Tensor = conv(params, `${prefix}.conv1`, x4, layer.stride, 'same', 'linear', false);
      y = tf.relu(batchNorm(params, `${prefix}.bn1`, y, training, updates));
      y = conv(params, `${prefix}.conv2`, y as tf.Tensor4D, 1, 'same', 'linear', false);
      y = batchNorm(params, `${prefix}.bn2`, y, training, updates);
      let s: tf.Tensor = x4;
      if (layer.stride !== 1 || cin !== layer.filters) {
        s = conv(params, `${prefix}.shortcut`, x4, layer.stride, 'valid', 'linear', false);
        s = batchNorm(params, `${prefix}.shortcut_bn`, s, training, updates);
      }
      return tf.relu(tf.add(y, s));
    }
  }
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
    h = layerForward(params, layer, i, h, training, updates);
  });
  return h as tf.Tensor2D;
}
