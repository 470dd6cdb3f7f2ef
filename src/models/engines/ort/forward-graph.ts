/**
 * The forward pass of a layer graph (src/models/layer-graph.ts) as ONNX nodes, and the forward-only
 * (predict) graph built from it; train-graph.ts adds the loss and backward-graph.ts the gradients.
 *
 * Supported layers: conv2d (stride 1, 'valid' or 'same', with bias, linear or relu), maxpool (any
 * size/stride, 'valid'), activation relu, flatten, dense (linear or relu). Anything else:
 * `unsupportedLayer` names it and the caller uses the tfjs engine.
 *
 * Layouts: the engine's data are NHWC and its weights HWIO / [in, out]; in the graph, images are NCHW
 * and conv weights OIHW (ONNX's), converted by the engine when weights cross the boundary. Flatten
 * transposes back to NHWC first, so dense weights mean the same in both engines.
 */
import type { Layer, LayerGraph } from '../../layer-graph.js';
import { Builder, valueInfo } from './graph-builder.js';
import type { OnnxGraph } from './onnx-proto.js';

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

/** Layout of a value in the graph: NHWC / NCHW images, or flat rows. */
export type Layout = 'nhwc' | 'nchw' | 'flat';

/** What the backward pass (backward-graph.ts) needs of one layer of the forward pass. */
export interface Saved {
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
export function forward(b: Builder, graph: LayerGraph): { logits: string; saved: Saved[] } {
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
