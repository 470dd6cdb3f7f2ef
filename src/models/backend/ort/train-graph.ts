/**
 * Builds ONNX graphs for a layer graph (src/models/layer-graph.ts): the forward pass (logits), and the
 * gradients of one batch — forward, softmax cross-entropy and the backward pass written out op by op —
 * so that onnxruntime runs them as one native, multi-threaded call.
 *
 * Supported layers: conv2d (stride 1, 'valid' or 'same', with bias, linear or relu), maxpool (any
 * size/stride, 'valid'), activation relu, flatten, dense (linear or relu). Anything else:
 * `unsupportedLayer` names it and the caller uses the tfjs engine.
 *
 * Layouts: the engine's data are NHWC and its weights HWIO / [in, out]; in the graph, images are NCHW
 * and conv weights OIHW (ONNX's), converted by the engine when weights cross the boundary. Flatten
 * transposes back to NHWC first, so dense weights mean the same in both engines.
 *
 * Gradients (NCHW, stride 1):
 *   relu:     dZ = dA · 1[A > 0]                                  (A = relu output)
 *   conv dW:  Conv(Xᵀ, dYᵀ) with Xᵀ = X transposed [C, N, H, W], dYᵀ = [O, N, Ho, Wo] as the kernel,
 *             same top/left pads as the forward conv → [C, O, kh, kw], transposed to [O, C, kh, kw]
 *   conv dX:  Conv(dY, W flipped in h and w with in/out swapped), pads (k − 1 − p) → [N, C, H, W]
 *   maxpool:  size = stride: dY upsampled, masked where the input equals its window's maximum
 *             (see poolGradByMask for ties); overlapping windows: ScatterElements(add) of dY at
 *             MaxPool's argmax indices
 *   dense:    dW = Fᵀ·dZ, db = Σ_n dZ, dF = dZ·Wᵀ
 *   loss:     mean over the batch of −Σ onehot · log softmax(z); dz = (softmax(z) − onehot) / n
 */
import type { Layer, LayerGraph } from '../../layer-graph.js';
import type { OnnxGraph, OnnxNode, OnnxTensor, OnnxValueInfo } from './onnx-proto.js';

/** A parameter of the graph: the engine's name and shape, and its shape inside ONNX. */
export interface GraphParam {
  name: string;
  /** Engine layout (HWIO for conv kernels). */
  shape: number[];
  /** ONNX layout (OIHW for conv kernels). */
  onnxShape: number[];
  /** Conv kernel: converted HWIO ↔ OIHW at the boundary. */
  conv: boolean;
}

/** Why `graph` cannot be built here, or undefined when it can. */
export function unsupportedLayer(graph: LayerGraph): string | undefined {
  for (const l of graph.layers) {
    if (l.type === 'conv2d') {
      if (l.stride !== 1) return 'conv2d with stride > 1';
      if (!l.bias) return 'conv2d without bias';
      if (l.activation !== 'relu' && l.activation !== 'linear') return `conv2d activation ${l.activation}`;
    } else if (l.type === 'dense') {
      if (l.activation !== 'relu' && l.activation !== 'linear') return `dense activation ${l.activation}`;
    } else if (l.type === 'activation') {
      if (l.activation !== 'relu') return `activation ${l.activation}`;
    } else if (l.type !== 'maxpool' && l.type !== 'flatten') {
      return l.type;
    }
  }
  return undefined;
}

type Layout = 'nhwc' | 'nchw' | 'flat';

interface Saved {
  layer: Layer;
  index: number;
  /** Input tensor name and its layout and shape (batch dimension excluded). */
  input: string;
  inLayout: Layout;
  inShape: number[];
  /** Output tensor name (post-activation) and shape. */
  output: string;
  outShape: number[];
  /** Max-pool argmax indices. */
  indices?: string;
  pads?: [number, number, number, number];
}

class Builder {
  nodes: OnnxNode[] = [];
  initializers: OnnxTensor[] = [];
  private n = 0;
  private consts = new Map<string, string>();

  tmp(prefix: string): string {
    return `${prefix}_${this.n++}`;
  }

  op(op: string, inputs: string[], attrs?: OnnxNode['attrs'], outputs = 1): string[] {
    const outs = Array.from({ length: outputs }, () => this.tmp(op.toLowerCase()));
    this.nodes.push({ op, inputs, outputs: outs, ...(attrs !== undefined ? { attrs } : {}) });
    return outs;
  }

  /** Renames the value `from` (an output of an earlier node) to `to`, in producers and consumers. */
  rename(from: string, to: string): void {
    for (const n of this.nodes) {
      n.outputs = n.outputs.map((o) => (o === from ? to : o));
      n.inputs = n.inputs.map((o) => (o === from ? to : o));
    }
  }

  one(op: string, inputs: string[], attrs?: OnnxNode['attrs']): string {
    return this.op(op, inputs, attrs)[0]!;
  }

  scalar(v: number): string {
    const key = `f${v}`;
    let name = this.consts.get(key);
    if (name === undefined) {
      name = this.tmp('c');
      this.initializers.push({ name, dims: [], data: new Float32Array([v]) });
      this.consts.set(key, name);
    }
    return name;
  }

  floats(v: number[]): string {
    const key = `F${v.join(',')}`;
    let name = this.consts.get(key);
    if (name === undefined) {
      name = this.tmp('c');
      this.initializers.push({ name, dims: [v.length], data: new Float32Array(v) });
      this.consts.set(key, name);
    }
    return name;
  }

  ints(v: number[]): string {
    const key = `i${v.join(',')}`;
    let name = this.consts.get(key);
    if (name === undefined) {
      name = this.tmp('s');
      this.initializers.push({ name, dims: [v.length], data: v, int64: true });
      this.consts.set(key, name);
    }
    return name;
  }
}

/** The graph's parameters in the layer graph's order (as analyzeGraph lists them). */
export function graphParams(graph: LayerGraph): GraphParam[] {
  const params: GraphParam[] = [];
  let shape = [...graph.inputShape];
  graph.layers.forEach((l, i) => {
    if (l.type === 'conv2d') {
      const c = shape[2]!;
      params.push({
        name: `l${i}.kernel`,
        shape: [l.kernel, l.kernel, c, l.filters],
        onnxShape: [l.filters, c, l.kernel, l.kernel],
        conv: true,
      });
      params.push({ name: `l${i}.bias`, shape: [l.filters], onnxShape: [l.filters], conv: false });
      const o = l.padding === 'same' ? shape[0]! : shape[0]! - l.kernel + 1;
      const p = l.padding === 'same' ? shape[1]! : shape[1]! - l.kernel + 1;
      shape = [o, p, l.filters];
    } else if (l.type === 'maxpool') {
      shape = [
        Math.floor((shape[0]! - l.size) / l.stride) + 1,
        Math.floor((shape[1]! - l.size) / l.stride) + 1,
        shape[2]!,
      ];
    } else if (l.type === 'flatten') {
      shape = [shape.reduce((a, b) => a * b, 1)];
    } else if (l.type === 'dense') {
      const d = shape.reduce((a, b) => a * b, 1);
      params.push({ name: `l${i}.kernel`, shape: [d, l.units], onnxShape: [d, l.units], conv: false });
      params.push({ name: `l${i}.bias`, shape: [l.units], onnxShape: [l.units], conv: false });
      shape = [l.units];
    }
  });
  return params;
}

/** Forward pass from input `x` ([N, ...inputShape], NHWC); returns the logits name and what backward needs. */
function forward(b: Builder, graph: LayerGraph): { logits: string; saved: Saved[] } {
  let h = 'x';
  let layout: Layout = graph.inputShape.length === 3 ? 'nhwc' : 'flat';
  // Shapes kept in NHWC order [h, w, c] for images, [d] when flat.
  let shape = [...graph.inputShape];
  const saved: Saved[] = [];
  graph.layers.forEach((l, i) => {
    if (l.type === 'conv2d' || l.type === 'maxpool') {
      if (layout === 'nhwc') {
        h = b.one('Transpose', [h], { perm: [0, 3, 1, 2] });
        layout = 'nchw';
      }
    }
    const input = h;
    const inLayout = layout;
    const inShape = [...shape];
    const s: Saved = { layer: l, index: i, input, inLayout, inShape, output: h, outShape: shape };
    if (l.type === 'conv2d') {
      const k = l.kernel;
      const [H, W] = [shape[0]!, shape[1]!];
      const oh = l.padding === 'same' ? H : H - k + 1;
      const ow = l.padding === 'same' ? W : W - k + 1;
      const ph = oh - 1 + k - H;
      const pw = ow - 1 + k - W;
      const pads: [number, number, number, number] = [
        Math.floor(ph / 2),
        Math.floor(pw / 2),
        ph - Math.floor(ph / 2),
        pw - Math.floor(pw / 2),
      ];
      s.pads = pads;
      h = b.one('Conv', [h, `p:l${i}.kernel`, `p:l${i}.bias`], {
        kernel_shape: [k, k],
        pads: [pads[0], pads[1], pads[2], pads[3]],
      });
      if (l.activation === 'relu') h = b.one('Relu', [h]);
      shape = [oh, ow, l.filters];
    } else if (l.type === 'maxpool') {
      const overlapping = l.size !== l.stride;
      const [y, idx] = b.op(
        'MaxPool',
        [h],
        { kernel_shape: [l.size, l.size], strides: [l.stride, l.stride] },
        overlapping ? 2 : 1,
      );
      h = y!;
      if (overlapping) s.indices = idx!;
      shape = [
        Math.floor((shape[0]! - l.size) / l.stride) + 1,
        Math.floor((shape[1]! - l.size) / l.stride) + 1,
        shape[2]!,
      ];
    } else if (l.type === 'activation') {
      h = b.one('Relu', [h]);
    } else if (l.type === 'flatten') {
      if (layout === 'nchw') h = b.one('Transpose', [h], { perm: [0, 2, 3, 1] });
      if (layout !== 'flat') h = b.one('Flatten', [h], { axis: 1 });
      layout = 'flat';
      shape = [shape.reduce((a, c) => a * c, 1)];
    } else if (l.type === 'dense') {
      if (layout !== 'flat') throw new Error('internal: dense layer on an image (add a flatten layer)');
      h = b.one('Gemm', [h, `p:l${i}.kernel`, `p:l${i}.bias`]);
      if (l.activation === 'relu') h = b.one('Relu', [h]);
      shape = [l.units];
    }
    s.output = h;
    s.outShape = shape;
    saved.push(s);
  });
  return { logits: h, saved };
}

function isRelu(l: Layer): boolean {
  return (l.type === 'conv2d' || l.type === 'dense' || l.type === 'activation') && l.activation === 'relu';
}

/** g · 1[a > 0] (the ReLU gradient; a is the ReLU's output). */
function reluGrad(b: Builder, g: string, a: string): string {
  const zero = b.scalar(0);
  return b.one('Where', [b.one('Greater', [a, zero]), g, zero]);
}

/**
 * dA for a max pool with size = stride (non-overlapping windows) and no padding, from dP: the mask of
 * positions equal to their window's maximum (pool output upsampled by repetition), times dP upsampled;
 * rows / columns past the last whole window get 0. Positions tied for a window's maximum each receive
 * dP (tfjs gives it to the first only); when a ReLU precedes the pool, `gP` is already masked by
 * P > 0, so the only ties that occur in practice (all four values 0) receive 0 either way.
 */
function poolGradByMask(b: Builder, s: Saved, gP: string): string {
  const l = s.layer as Extract<Layer, { type: 'maxpool' }>;
  const k = l.size;
  const [H, W] = s.inShape as [number, number, number];
  const [h, w] = s.outShape as [number, number];
  const up = (t: string) =>
    b.one('Resize', [t, '', b.floats([1, 1, k, k])], {
      mode: 'nearest',
      coordinate_transformation_mode: 'asymmetric',
      nearest_mode: 'floor',
    });
  let a = s.input;
  const crop = h * k !== H || w * k !== W;
  if (crop) a = b.one('Slice', [a, b.ints([0, 0]), b.ints([h * k, w * k]), b.ints([2, 3])]);
  const mask = b.one('Cast', [b.one('Equal', [a, up(s.output)])], { to: 1 });
  let g = b.one('Mul', [mask, up(gP)]);
  if (crop) g = b.one('Pad', [g, b.ints([0, 0, 0, 0, 0, 0, H - h * k, W - w * k])]);
  return g;
}

/** Backward pass from dLogits; returns the gradient name of every parameter. */
function backward(b: Builder, saved: Saved[], dLogits: string): Map<string, string> {
  const grads = new Map<string, string>();
  let g = dLogits;
  let reluDone = -1;
  for (let j = saved.length - 1; j >= 0; j--) {
    const s = saved[j]!;
    const l = s.layer;
    const i = s.index;
    const needInputGrad = j > 0;
    if (isRelu(l) && reluDone !== j) g = reluGrad(b, g, s.output);
    if (l.type === 'dense') {
      grads.set(`l${i}.kernel`, b.one('Gemm', [s.input, g], { transA: 1 }));
      grads.set(`l${i}.bias`, b.one('ReduceSum', [g, b.ints([0])], { keepdims: 0 }));
      if (needInputGrad) g = b.one('Gemm', [g, `p:l${i}.kernel`], { transB: 1 });
    } else if (l.type === 'conv2d') {
      const [pt, pl] = s.pads!;
      const k = l.kernel;
      const [H, W] = [s.inShape[0]!, s.inShape[1]!];
      const [oh, ow] = [s.outShape[0]!, s.outShape[1]!];
      const pb = k - 1 - H - pt + oh;
      const pr = k - 1 - W - pl + ow;
      grads.set(`l${i}.bias`, b.one('ReduceSum', [g, b.ints([0, 2, 3])], { keepdims: 0 }));
      // dW as a convolution of Xᵀ [C, N, H, W] with dYᵀ [O, N, Ho, Wo] as the kernel → [C, O, k, k].
      const xT = b.one('Transpose', [s.input], { perm: [1, 0, 2, 3] });
      const gT = b.one('Transpose', [g], { perm: [1, 0, 2, 3] });
      const r = b.one('Conv', [xT, gT], { pads: [pt, pl, pb, pr] });
      grads.set(`l${i}.kernel`, b.one('Transpose', [r], { perm: [1, 0, 2, 3] }));
      if (needInputGrad) {
        const wT = b.one('Transpose', [`p:l${i}.kernel`], { perm: [1, 0, 2, 3] });
        const big = 2 ** 31 - 1;
        const flipped = b.one('Slice', [
          wT,
          b.ints([-1, -1]),
          b.ints([-big, -big]),
          b.ints([2, 3]),
          b.ints([-1, -1]),
        ]);
        const [ptf, plf, pbf, prf] = s.pads!;
        g = b.one('Conv', [g, flipped], { pads: [k - 1 - ptf, k - 1 - plf, k - 1 - pbf, k - 1 - prf] });
      }
    } else if (l.type === 'maxpool') {
      if (!needInputGrad) continue;
      const prev = saved[j - 1];
      // A ReLU right before the pool: mask dP by P > 0 here (4× fewer values) and skip its gradient.
      if (prev !== undefined && isRelu(prev.layer)) {
        g = reluGrad(b, g, s.output);
        reluDone = j - 1;
      }
      if (l.size === l.stride) {
        g = poolGradByMask(b, s, g);
      } else {
        // Overlapping windows: scatter-add dP at MaxPool's argmax indices.
        const size = b.one('Reshape', [b.one('Size', [s.input]), b.ints([1])]);
        const z = b.one('ConstantOfShape', [size]);
        const idx = b.one('Reshape', [s.indices!, b.ints([-1])]);
        const upd = b.one('Reshape', [g, b.ints([-1])]);
        const sc = b.one('ScatterElements', [z, idx, upd], { axis: 0, reduction: 'add' });
        g = b.one('Reshape', [sc, b.one('Shape', [s.input])]);
      }
    } else if (l.type === 'flatten') {
      if (s.inLayout === 'flat' || !needInputGrad) continue;
      const [H, W, C] = s.inShape;
      g = b.one('Reshape', [g, b.ints([-1, H!, W!, C!])]);
      if (s.inLayout === 'nchw') g = b.one('Transpose', [g], { perm: [0, 3, 1, 2] });
    }
  }
  return grads;
}

function valueInfo(
  name: string,
  dims: (number | string)[],
  type: 'float32' | 'int64' = 'float32',
): OnnxValueInfo {
  return { name, type, dims };
}

/** Forward-only graph: inputs x [N, ...inputShape] and every `p:<name>` (ONNX layout); output `logits`. */
export function buildPredictGraph(graph: LayerGraph): OnnxGraph {
  const b = new Builder();
  const { logits } = forward(b, graph);
  b.nodes.push({ op: 'Identity', inputs: [logits], outputs: ['logits'] });
  const params = graphParams(graph);
  return {
    nodes: b.nodes,
    initializers: b.initializers,
    inputs: [
      valueInfo('x', ['N', ...graph.inputShape]),
      ...params.map((p) => valueInfo(`p:${p.name}`, p.onnxShape)),
    ],
    outputs: [valueInfo('logits', ['N', 'K'])],
  };
}

/**
 * Forward, loss and backward for one batch. Inputs: x [N, ...inputShape], onehot [N, classes], labels
 * (int64 [N]), inv_n (1/N) and every `p:<name>` (ONNX layout). Outputs: loss (mean cross-entropy),
 * correct (number of samples whose first arg-max logit is the label) and `grad:<name>` for every
 * parameter (ONNX layout). The optimiser runs outside the graph (one fused loop per parameter).
 */
export function buildGradGraph(graph: LayerGraph, numClasses: number): OnnxGraph {
  const b = new Builder();
  const { logits, saved } = forward(b, graph);
  const logp = b.one('LogSoftmax', [logits], { axis: 1 });
  const loss = b.one('Mul', [
    b.one('ReduceSum', [b.one('Mul', ['onehot', logp])], { keepdims: 0 }),
    b.one('Neg', ['inv_n']),
  ]);
  b.rename(loss, 'loss');
  const hit = b.one(
    'Cast',
    [b.one('Equal', [b.one('ArgMax', [logits], { axis: 1, keepdims: 0 }), 'labels'])],
    { to: 1 },
  );
  b.nodes.push({ op: 'ReduceSum', inputs: [hit], outputs: ['correct'], attrs: { keepdims: 0 } });
  const dLogits = b.one('Mul', [b.one('Sub', [b.one('Exp', [logp]), 'onehot']), 'inv_n']);
  const grads = backward(b, saved, dLogits);
  const params = graphParams(graph);
  for (const p of params) {
    const g = grads.get(p.name);
    if (g === undefined) throw new Error(`internal: no gradient for ${p.name}`);
    b.rename(g, `grad:${p.name}`);
  }
  const inputs: OnnxValueInfo[] = [
    valueInfo('x', ['N', ...graph.inputShape]),
    valueInfo('onehot', ['N', numClasses]),
    valueInfo('labels', ['N'], 'int64'),
    valueInfo('inv_n', []),
    ...params.map((p) => valueInfo(`p:${p.name}`, p.onnxShape)),
  ];
  const outputs: OnnxValueInfo[] = [
    valueInfo('loss', []),
    valueInfo('correct', []),
    ...params.map((p) => valueInfo(`grad:${p.name}`, p.onnxShape)),
  ];
  return { nodes: b.nodes, initializers: b.initializers, inputs, outputs };
}
