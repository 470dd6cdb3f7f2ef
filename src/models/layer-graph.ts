/**
 * The engine-neutral description of a network: a short list of layers (a "layer graph"), with shape
 * inference and the list of parameters it owns. Architectures (architectures.ts) produce it; every
 * engine (TensorFlow.js today, perhaps an ONNX-runtime training graph later) builds its model from it,
 * and weight initialisation (init.ts) and parameter counts are computed from it without an engine.
 *
 * Layouts follow Keras / TensorFlow.js: images are NHWC, conv kernels are [kh, kw, in, out] (HWIO),
 * dense kernels are [in, out], Flatten keeps NHWC order.
 */
import { MiaError } from '../errors.js';

export type Activation = 'linear' | 'relu' | 'tanh' | 'sigmoid';

/** Names of the weight initialisers (see init.ts for their exact distributions). */
export type InitName = 'glorot_uniform' | 'he_normal_fan_out' | 'zeros' | 'ones';

export type Layer =
  /** 2-D convolution with bias (unless `bias: false`), then the activation. */
  | {
      type: 'conv2d';
      filters: number;
      kernel: number;
      stride: number;
      padding: 'valid' | 'same';
      activation: Activation;
      bias: boolean;
      init: InitName;
      /**
       * Explicit zero padding [top, left, bottom, right] (PyTorch's `padding=p` is [p, p, p, p]); when
       * set it replaces `padding`. Output size: ⌊(h + top + bottom − kernel) / stride⌋ + 1.
       */
      pads?: [number, number, number, number];
    }
  /**
   * Max pooling over size × size windows with the given stride, 'valid' padding (Keras default), or
   * `pad` rows/columns of −∞ on every side (PyTorch's `MaxPool2d(padding=pad)`).
   */
  | { type: 'maxpool'; size: number; stride: number; pad?: number }
  /** Batch normalisation over the channel axis (ε = 1e-5, moving-average momentum 0.9 as in Keras). */
  | { type: 'batchnorm' }
  | { type: 'activation'; activation: Activation }
  /** Flattens [h, w, c] (or [d]) to [h·w·c] in NHWC order. */
  | { type: 'flatten' }
  /** Mean over the spatial axes: [h, w, c] → [c]. */
  | { type: 'global_avg_pool' }
  /** Fully connected layer with bias. */
  | { type: 'dense'; units: number; activation: Activation; init: InitName }
  /**
   * ResNet basic block (He et al. 2016): conv3×3(stride)–BN–ReLU–conv3×3–BN, plus the shortcut
   * (identity, or conv1×1(stride)–BN when the shape changes), then ReLU. Convs have no bias.
   */
  | {
      type: 'basic_block';
      filters: number;
      stride: number;
      /**
       * Padding of the 3×3 convs: 'same' (TensorFlow: a strided conv on an even size pads only bottom /
       * right; the default) or 'torch' (PyTorch's padding=1 on every side, as torchvision's ResNet).
       */
      padding?: 'same' | 'torch';
      /** GroupNorm with this many groups instead of batch norm (parameters `gn1`, `gn2`, `shortcut_gn`). */
      groups?: number;
    }
  /**
   * WideResNet block (Zagoruyko & Komodakis 2016, pre-activation): BN–ReLU–conv3×3(stride)–BN–ReLU–
   * dropout–conv3×3, plus the identity, or — when the shape changes — a conv1×1(stride) of the
   * pre-activated input. PyTorch padding (1 on every side); convs have no bias.
   */
  | { type: 'wide_block'; filters: number; stride: number; dropout: number; groups?: number }
  /** Inverted dropout in training (kept values scaled by 1 / (1 − rate)); identity at inference. */
  | { type: 'dropout'; rate: number }
  /** Group normalisation (Wu & He 2018) over `groups` channel groups, ε = 1e-5, per-channel γ and β. */
  | { type: 'groupnorm'; groups: number }
  /**
   * A residual fork-join: `main(x) + shortcut(x)`, each branch a layer list (an empty `shortcut` is
   * the identity; branches may nest residuals). Both branches must give the same shape. Parameters of
   * layer j of a branch are named `l<i>.main<j>.*` / `l<i>.short<j>.*`. What architectures read from an
   * ONNX file (onnx/arch-from-onnx.ts) are built of these; the named ResNets keep their blocks.
   */
  | { type: 'residual'; main: Layer[]; shortcut: Layer[] };

export interface LayerGraph {
  /** Per-sample input shape: [h, w, c] for images, [d] for tabular rows. */
  inputShape: number[];
  layers: Layer[];
}

/** One parameter tensor of a network. */
export interface ParamInfo {
  /** Stable name, e.g. "l0.kernel", "l3.bn1.moving_mean". Used in saved weights. */
  name: string;
  shape: number[];
  init: InitName;
  /** False for batch-norm moving statistics: updated by training, never by the optimiser. */
  trainable: boolean;
  /** Fan-in and fan-out for the initialiser (receptive field × channels, as Keras computes them). */
  fanIn: number;
  fanOut: number;
}

/** The product of a shape's dimensions (1 for []). */
export function shapeSize(shape: readonly number[]): number {
  let s = 1;
  for (const d of shape) s *= d;
  return s;
}

function convOut(size: number, kernel: number, stride: number, padding: 'valid' | 'same' | number): number {
  if (typeof padding === 'number') return Math.floor((size + padding - kernel) / stride) + 1;
  return padding === 'same' ? Math.ceil(size / stride) : Math.floor((size - kernel) / stride) + 1;
}

/** GroupNorm's γ and β over c channels. */
function gnParams(prefix: string, c: number): ParamInfo[] {
  return bnParams(prefix, c).slice(0, 2);
}

/**
 * The name of a block's normalisation layer `which` ('1', '2' or 'shortcut'): bn1 / bn2 / shortcut_bn
 * for batch norm, gn1 / gn2 / shortcut_gn for GroupNorm (`groups` set).
 */
export function blockNormName(which: '1' | '2' | 'shortcut', groups: number | undefined): string {
  const k = groups === undefined ? 'bn' : 'gn';
  return which === 'shortcut' ? `shortcut_${k}` : `${k}${which}`;
}

/** A block's normalisation parameters: batch norm's four, or GroupNorm's γ and β when `groups` is set. */
function blockNorm(prefix: string, which: '1' | '2' | 'shortcut', c: number, groups?: number): ParamInfo[] {
  const name = `${prefix}.${blockNormName(which, groups)}`;
  return groups === undefined ? bnParams(name, c) : gnParams(name, c);
}

/** The [top, left, bottom, right] zero padding a conv layer applies to an h × w input (TF 'same' splits odd totals bottom / right). */
export function convPads(
  layer: {
    kernel: number;
    stride: number;
    padding: 'valid' | 'same';
    pads?: [number, number, number, number];
  },
  h: number,
  w: number,
): [number, number, number, number] {
  if (layer.pads !== undefined) return [...layer.pads];
  if (layer.padding === 'valid') return [0, 0, 0, 0];
  const total = (n: number) =>
    Math.max((Math.ceil(n / layer.stride) - 1) * layer.stride + layer.kernel - n, 0);
  const ph = total(h);
  const pw = total(w);
  return [Math.floor(ph / 2), Math.floor(pw / 2), ph - Math.floor(ph / 2), pw - Math.floor(pw / 2)];
}

function bnParams(prefix: string, c: number): ParamInfo[] {
  const p = (name: string, init: InitName, trainable: boolean): ParamInfo => ({
    name: `${prefix}.${name}`,
    shape: [c],
    init,
    trainable,
    fanIn: c,
    fanOut: c,
  });
  return [
    p('gamma', 'ones', true),
    p('beta', 'zeros', true),
    p('moving_mean', 'zeros', false),
    p('moving_variance', 'ones', false),
  ];
}

function convParams(
  prefix: string,
  k: number,
  cin: number,
  cout: number,
  bias: boolean,
  init: InitName,
): ParamInfo[] {
  const out: ParamInfo[] = [
    {
      name: `${prefix}.kernel`,
      shape: [k, k, cin, cout],
      init,
      trainable: true,
      fanIn: k * k * cin,
      fanOut: k * k * cout,
    },
  ];
  if (bias)
    out.push({
      name: `${prefix}.bias`,
      shape: [cout],
      init: 'zeros',
      trainable: true,
      fanIn: cin,
      fanOut: cout,
    });
  return out;
}

/**
 * Walks the graph: returns the output shape of every layer (`shapes[i]` is the output of layer i;
 * `shapes[-1]` conceptually the input) and the parameter list in a fixed order (layer by layer; within a
 * layer kernel, bias, then batch-norm gamma, beta, moving_mean, moving_variance). Throws E_CONFIG when a
 * layer does not fit its input (a conv on a flat vector, a kernel larger than the image, …), naming the
 * layer index and the shapes.
 */
export function analyzeGraph(graph: LayerGraph): {
  shapes: number[][];
  params: ParamInfo[];
  outputShape: number[];
} {
  let shape = [...graph.inputShape];
  const shapes: number[][] = [];
  const params: ParamInfo[] = [];
  graph.layers.forEach((layer, i) => {
    shape = layerStep(layer, `l${i}`, `layer ${i}`, shape, params);
    shapes.push([...shape]);
  });
  return { shapes, params, outputShape: shape };
}

/** The output shape of `layer` on per-sample `shape`; pushes its parameters (named `prefix.*`) to `params`. */
function layerStep(
  layer: Layer,
  prefix: string,
  label: string,
  shape: number[],
  params: ParamInfo[],
): number[] {
  const fail = (msg: string): never => {
    throw new MiaError('E_CONFIG', `${label} (${layer.type}) ${msg}`, {
      where: 'architecture',
      found: `input shape [${shape.join(', ')}]`,
    });
  };
  switch (layer.type) {
    case 'conv2d': {
      if (shape.length !== 3) fail('needs an image input [h, w, c]');
      const [h, w, c] = shape as [number, number, number];
      const [pt, pl, pb, pr] = convPads(layer, h, w);
      const oh = convOut(h, layer.kernel, layer.stride, pt + pb);
      const ow = convOut(w, layer.kernel, layer.stride, pl + pr);
      if (oh < 1 || ow < 1) fail(`with a ${layer.kernel}×${layer.kernel} kernel leaves no output`);
      params.push(...convParams(prefix, layer.kernel, c, layer.filters, layer.bias, layer.init));
      shape = [oh, ow, layer.filters];
      break;
    }
    case 'maxpool': {
      if (shape.length !== 3) fail('needs an image input [h, w, c]');
      const [h, w, c] = shape as [number, number, number];
      const oh = convOut(h, layer.size, layer.stride, 2 * (layer.pad ?? 0));
      const ow = convOut(w, layer.size, layer.stride, 2 * (layer.pad ?? 0));
      if (oh < 1 || ow < 1) fail(`with ${layer.size}×${layer.size} windows leaves no output`);
      shape = [oh, ow, c];
      break;
    }
    case 'batchnorm':
      params.push(...bnParams(prefix, shape[shape.length - 1]!));
      break;
    case 'activation':
      break;
    case 'flatten':
      shape = [shapeSize(shape)];
      break;
    case 'global_avg_pool':
      if (shape.length !== 3) fail('needs an image input [h, w, c]');
      shape = [shape[2]!];
      break;
    case 'dense': {
      if (shape.length !== 1) fail('needs a flat input (add a flatten layer)');
      const d = shape[0]!;
      params.push(
        {
          name: `${prefix}.kernel`,
          shape: [d, layer.units],
          init: layer.init,
          trainable: true,
          fanIn: d,
          fanOut: layer.units,
        },
        {
          name: `${prefix}.bias`,
          shape: [layer.units],
          init: 'zeros',
          trainable: true,
          fanIn: d,
          fanOut: layer.units,
        },
      );
      shape = [layer.units];
      break;
    }
    case 'basic_block': {
      if (shape.length !== 3) fail('needs an image input [h, w, c]');
      const [h, w, c] = shape as [number, number, number];
      const f = layer.filters;
      const g = layer.groups;
      params.push(...convParams(`${prefix}.conv1`, 3, c, f, false, 'he_normal_fan_out'));
      params.push(...blockNorm(prefix, '1', f, g));
      params.push(...convParams(`${prefix}.conv2`, 3, f, f, false, 'he_normal_fan_out'));
      params.push(...blockNorm(prefix, '2', f, g));
      if (layer.stride !== 1 || c !== f) {
        params.push(...convParams(`${prefix}.shortcut`, 1, c, f, false, 'he_normal_fan_out'));
        params.push(...blockNorm(prefix, 'shortcut', f, g));
      }
      shape = [convOut(h, 3, layer.stride, 'same'), convOut(w, 3, layer.stride, 'same'), f];
      break;
    }
    case 'wide_block': {
      if (shape.length !== 3) fail('needs an image input [h, w, c]');
      const [h, w, c] = shape as [number, number, number];
      const f = layer.filters;
      const g = layer.groups;
      params.push(...blockNorm(prefix, '1', c, g));
      params.push(...convParams(`${prefix}.conv1`, 3, c, f, false, 'he_normal_fan_out'));
      params.push(...blockNorm(prefix, '2', f, g));
      params.push(...convParams(`${prefix}.conv2`, 3, f, f, false, 'he_normal_fan_out'));
      if (layer.stride !== 1 || c !== f)
        params.push(...convParams(`${prefix}.shortcut`, 1, c, f, false, 'he_normal_fan_out'));
      shape = [convOut(h, 3, layer.stride, 'same'), convOut(w, 3, layer.stride, 'same'), f];
      break;
    }
    case 'dropout':
      if (!(layer.rate >= 0 && layer.rate < 1)) fail(`rate must be in [0, 1), got ${layer.rate}`);
      break;
    case 'residual': {
      const branch = (layers: readonly Layer[], tag: string): number[] =>
        layers.reduce(
          (s, l, j) => layerStep(l, `${prefix}.${tag}${j}`, `${label}.${tag}${j}`, s, params),
          shape,
        );
      const a = branch(layer.main, 'main');
      const b = branch(layer.shortcut, 'short');
      if (a.join() !== b.join())
        fail(`branches end in different shapes: main [${a.join(', ')}], shortcut [${b.join(', ')}]`);
      shape = a;
      break;
    }
    case 'groupnorm': {
      const c = shape[shape.length - 1]!;
      if (shape.length !== 3 || !Number.isInteger(layer.groups) || layer.groups < 1 || c % layer.groups !== 0)
        fail(`needs an image input whose channels divide into ${layer.groups} groups`);
      params.push(...gnParams(prefix, c));
      break;
    }
  }
  return shape;
}

/** True when the basic block at a layer needs a projection shortcut (shape changes). */
export function blockHasShortcut(inputChannels: number, layer: { filters: number; stride: number }): boolean {
  return layer.stride !== 1 || inputChannels !== layer.filters;
}

/** Number of trainable scalars (Keras' "Trainable params"); batch-norm moving statistics excluded. */
export function countTrainable(params: readonly ParamInfo[]): number {
  let s = 0;
  for (const p of params) if (p.trainable) s += shapeSize(p.shape);
  return s;
}
