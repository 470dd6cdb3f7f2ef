/**
 * The architecture of an ONNX model (a PyTorch `torch.onnx.export`, a tf2onnx conversion, or our own
 * exports) as a layer graph (layer-graph.ts) with fresh weights: `mia train --arch-from target.onnx` and
 * `architecture: {from: target.onnx}` train shadow models of the target's own architecture.
 *
 * The data path from the graph input is walked node by node. Operators and what they become:
 * Conv → conv2d (square kernels, equal strides, explicit pads or auto_pad SAME_UPPER / VALID, group 1,
 * dilation 1; HWIO kernel [kh, kw, in, out] from ONNX's OIHW), BatchNormalization → batchnorm,
 * Relu / Sigmoid / Tanh → activation, MaxPool → maxpool (square, symmetric pads, floor mode),
 * GlobalAveragePool, ReduceMean over H and W, and an AveragePool covering the whole image →
 * global_avg_pool, Flatten / Reshape to rows → flatten, Gemm / MatMul + Add → dense, Dropout → dropout,
 * Identity and Squeeze after pooling → nothing, Softmax / LogSoftmax at the end → dropped (models here
 * output logits). A value used by two nodes that meet again at an Add is a residual fork-join
 * (`residual`: main + shortcut, an empty shortcut being the identity). Shape computations feeding a
 * Reshape (Shape, Gather, Concat, …) are not data and are skipped.
 *
 * PyTorch's eval-mode export folds each BatchNorm into the Conv before it (a biased conv, no BN node);
 * `restoreBatchnorm` turns every biased conv back into conv (no bias) + batchnorm, as the network was
 * trained. Anything else: E_MODEL naming every node that cannot be mapped, its operator, and the
 * supported operators, in one line.
 */
import { MiaError } from '../../errors.js';
import { analyzeGraph, type Layer } from '../layer-graph.js';
import { type OnnxModelProto, type OnnxNodeProto, type OnnxTensorProto, tensorInts } from './read-onnx.js';

export const SUPPORTED_OPS = [
  'Conv',
  'BatchNormalization',
  'Relu',
  'Sigmoid',
  'Tanh',
  'MaxPool',
  'AveragePool (whole image)',
  'GlobalAveragePool',
  'ReduceMean (H, W)',
  'Add',
  'Flatten',
  'Reshape',
  'Squeeze',
  'Gemm',
  'MatMul',
  'Dropout',
  'Identity',
  'Softmax (last)',
] as const;

export interface ArchFromOnnxOptions {
  /** Per-sample [h, w, c] (or [d]) to use when the file's input has symbolic spatial dimensions. */
  inputShape?: readonly number[];
  /** Restore each biased conv as conv (no bias) + batch norm (PyTorch folds BN at eval export). */
  restoreBatchnorm?: boolean;
}

export interface OnnxArchitecture {
  /** The layers; the last is the Dense whose units are the class count. */
  layers: Layer[];
  /** The per-sample input the file declares, in the engine's layout ([h, w, c] or [d]). */
  inputShape: number[];
  /** The file's input layout. */
  layout: 'nchw' | 'nhwc' | 'flat';
  /** Classes of the file's last Dense. */
  classes: number;
  /** 'probabilities' when the graph ended in a Softmax (dropped here), else 'logits'. */
  output: 'logits' | 'probabilities';
  /** Batch norms restored from biased convs (0 unless `restoreBatchnorm`). */
  restoredBatchnorms: number;
}

interface Walk {
  layers: Layer[];
  shape: number[];
  /** The value the walk ended at. */
  end: string;
  /** The join (an Add of two data values) the walk stopped before, if any. */
  join?: OnnxNodeProto;
}

const ints = (n: OnnxNodeProto, k: string, d: number[]): number[] => {
  const v = n.attrs.get(k);
  return Array.isArray(v) ? v : d;
};
const int = (n: OnnxNodeProto, k: string, d: number): number => {
  const v = n.attrs.get(k);
  return typeof v === 'number' ? v : d;
};
const same = (xs: readonly number[]): boolean => xs.every((x) => x === xs[0]);

class Mapper {
  private readonly consts = new Map<string, OnnxTensorProto | undefined>();
  /** Values computed only from constants and Shape outputs: not data. */
  private readonly stat = new Set<string>();
  private readonly consumers = new Map<string, OnnxNodeProto[]>();
  readonly bad: { node: OnnxNodeProto; why: string }[] = [];
  output: 'logits' | 'probabilities' = 'logits';
  restored = 0;

  constructor(
    readonly model: OnnxModelProto,
    readonly where: string,
    readonly restoreBn: boolean,
  ) {
    for (const [k, t] of model.initializers) {
      this.consts.set(k, t);
      this.stat.add(k);
    }
    for (const n of model.nodes) {
      const v = n.attrs.get('value');
      if (n.op === 'Constant') {
        this.consts.set(n.outputs[0]!, typeof v === 'object' && !Array.isArray(v) ? v : undefined);
      } else if (n.op === 'Identity' && this.consts.has(n.inputs[0]!)) {
        this.consts.set(n.outputs[0]!, this.consts.get(n.inputs[0]!));
      }
      const data = n.inputs.filter((i) => i !== '' && !this.stat.has(i));
      if (n.op === 'Constant' || n.op === 'Shape' || data.length === 0) {
        for (const o of n.outputs) this.stat.add(o);
        continue;
      }
      for (const i of new Set(data)) {
        const list = this.consumers.get(i) ?? [];
        list.push(n);
        this.consumers.set(i, list);
      }
    }
  }

  isJoin(n: OnnxNodeProto): boolean {
    return (n.op === 'Add' || n.op === 'Sum') && n.inputs.filter((i) => !this.stat.has(i)).length === 2;
  }

  next(v: string): OnnxNodeProto[] {
    return this.consumers.get(v) ?? [];
  }

  tensor(name: string | undefined): OnnxTensorProto | undefined {
    return name === undefined ? undefined : this.consts.get(name);
  }

  /** Walks from value `v` with per-sample shape `shape` until the data end or an unowned join. */
  walk(v: string, shape: number[]): Walk {
    const layers: Layer[] = [];
    let s = shape;
    const push = (l: Layer) => {
      s = analyzeGraph({ inputShape: s, layers: [l] }).outputShape;
      layers.push(l);
    };
    for (;;) {
      const cons = this.next(v);
      if (cons.length === 0) return { layers, shape: s, end: v };
      if (cons.length === 1 && this.isJoin(cons[0]!)) return { layers, shape: s, end: v, join: cons[0]! };
      if (cons.length === 1) {
        const r = this.node(cons[0]!, s);
        for (const l of r.layers) push(l);
        v = r.out;
        continue;
      }
      if (cons.length === 2) {
        const [a, b] = cons.map((c) => this.branch(c, s)) as [Walk, Walk];
        if (a.join === undefined || a.join !== b.join) {
          this.fail(cons[0]!, 'a value used twice whose two paths do not meet at one Add');
          return { layers, shape: s, end: v };
        }
        const [main, short] = a.layers.length >= b.layers.length ? [a, b] : [b, a];
        push({ type: 'residual', main: main.layers, shortcut: short.layers });
        v = a.join.outputs[0]!;
        continue;
      }
      this.fail(cons[0]!, `a value used by ${cons.length} nodes (${cons.map((c) => c.name).join(', ')})`);
      return { layers, shape: s, end: v };
    }
  }

  /** One branch of a fork, starting at node `n`. */
  branch(n: OnnxNodeProto, shape: number[]): Walk {
    if (this.isJoin(n)) return { layers: [], shape, end: '', join: n };
    const r = this.node(n, shape);
    const rest = this.walk(r.out, analyzeGraph({ inputShape: shape, layers: r.layers }).outputShape);
    return { ...rest, layers: [...r.layers, ...rest.layers] };
  }

  fail(node: OnnxNodeProto, why: string): void {
    this.bad.push({ node, why });
  }

  /** The layers of node `n` on per-sample `shape` and the value the walk continues from. */
  node(n: OnnxNodeProto, shape: number[]): { layers: Layer[]; out: string } {
    const out = n.outputs[0]!;
    const flat = shape.length === 1;
    const none = { layers: [], out };
    const unsupported = (why: string) => {
      this.fail(n, why);
      return none;
    };
    switch (n.op) {
      case 'Identity':
        return none;
      case 'Conv': {
        const w = this.tensor(n.inputs[1]);
        if (w === undefined || w.dims.length !== 4)
          return unsupported('Conv whose weight is not a constant 2-D kernel');
        const [o, i, kh, kw] = w.dims as [number, number, number, number];
        const strides = ints(n, 'strides', [1, 1]);
        const pads = ints(n, 'pads', [0, 0, 0, 0]);
        const autoPad = n.attrs.get('auto_pad') ?? 'NOTSET';
        if (int(n, 'group', 1) !== 1) return unsupported('grouped Conv');
        if (!ints(n, 'dilations', [1, 1]).every((d) => d === 1)) return unsupported('dilated Conv');
        if (kh !== kw || !same(strides)) return unsupported('Conv with a non-square kernel or stride');
        if (flat || i !== shape[2]) return unsupported(`Conv on input [${shape.join(', ')}]`);
        if (autoPad !== 'NOTSET' && autoPad !== 'SAME_UPPER' && autoPad !== 'VALID')
          return unsupported(`Conv auto_pad ${String(autoPad)}`);
        const bias = n.inputs.length > 2 && n.inputs[2] !== '';
        const restore = bias && this.restoreBn;
        const conv: Layer = {
          type: 'conv2d',
          filters: o,
          kernel: kh,
          stride: strides[0]!,
          padding: autoPad === 'SAME_UPPER' ? 'same' : 'valid',
          ...(autoPad === 'NOTSET' && pads.some((p) => p !== 0)
            ? { pads: [pads[0]!, pads[1]!, pads[2]!, pads[3]!] as [number, number, number, number] }
            : {}),
          activation: 'linear',
          bias: bias && !restore,
          init: bias && !restore ? 'glorot_uniform' : 'he_normal_fan_out',
        };
        if (restore) this.restored++;
        return { layers: restore ? [conv, { type: 'batchnorm' }] : [conv], out };
      }
      case 'BatchNormalization':
        return { layers: [{ type: 'batchnorm' }], out };
      case 'Relu':
        return { layers: [{ type: 'activation', activation: 'relu' }], out };
      case 'Sigmoid':
        return { layers: [{ type: 'activation', activation: 'sigmoid' }], out };
      case 'Tanh':
        return { layers: [{ type: 'activation', activation: 'tanh' }], out };
      case 'MaxPool': {
        const k = ints(n, 'kernel_shape', []);
        const strides = ints(n, 'strides', [1, 1]);
        const pads = ints(n, 'pads', [0, 0, 0, 0]);
        if (k.length !== 2 || !same(k) || !same(strides) || !same(pads))
          return unsupported('MaxPool with a non-square window, stride or padding');
        if (int(n, 'ceil_mode', 0) !== 0) return unsupported('MaxPool with ceil_mode');
        const pad = pads[0]!;
        return {
          layers: [{ type: 'maxpool', size: k[0]!, stride: strides[0]!, ...(pad > 0 ? { pad } : {}) }],
          out,
        };
      }
      case 'GlobalAveragePool':
        return { layers: [{ type: 'global_avg_pool' }], out };
      case 'ReduceMean': {
        const axes = ints(n, 'axes', []);
        if (flat || axes.length !== 2 || !axes.includes(2) || !axes.includes(3))
          return unsupported('ReduceMean over other axes than H and W');
        return { layers: [{ type: 'global_avg_pool' }], out };
      }
      case 'AveragePool': {
        const k = ints(n, 'kernel_shape', []);
        if (flat || k[0] !== shape[0] || k[1] !== shape[1] || ints(n, 'pads', [0]).some((p) => p !== 0))
          return unsupported('AveragePool smaller than the whole image');
        return { layers: [{ type: 'global_avg_pool' }], out };
      }
      case 'Flatten':
        if (int(n, 'axis', 1) !== 1) return unsupported('Flatten with axis ≠ 1');
        return { layers: flat ? [] : [{ type: 'flatten' }], out };
      case 'Reshape': {
        const target = this.tensor(n.inputs[1]);
        const dims = target !== undefined ? tensorInts(target) : undefined;
        if (dims !== undefined && dims.length !== 2) return unsupported(`Reshape to [${dims.join(', ')}]`);
        return { layers: flat ? [] : [{ type: 'flatten' }], out };
      }
      case 'Squeeze':
        if (!flat) return unsupported('Squeeze of an image');
        return none;
      case 'Gemm': {
        const b = this.tensor(n.inputs[1]);
        if (b === undefined || b.dims.length !== 2)
          return unsupported('Gemm whose B is not a constant matrix');
        if (int(n, 'transA', 0) !== 0) return unsupported('Gemm with transA');
        if (n.inputs.length < 3 || n.inputs[2] === '') return unsupported('Gemm without a bias');
        const units = int(n, 'transB', 0) === 1 ? b.dims[0]! : b.dims[1]!;
        if (!flat) return unsupported(`Gemm on input [${shape.join(', ')}]`);
        return { layers: [dense(units)], out };
      }
      case 'MatMul': {
        const b = this.tensor(n.inputs[1]);
        const add = this.next(out);
        const biasAdd =
          add.length === 1 &&
          add[0]!.op === 'Add' &&
          add[0]!.inputs.some((i) => this.tensor(i) !== undefined);
        if (b === undefined || b.dims.length !== 2 || !biasAdd)
          return unsupported('MatMul that is not a constant matrix followed by a bias Add');
        if (!flat) return unsupported(`MatMul on input [${shape.join(', ')}]`);
        return { layers: [dense(b.dims[1]!)], out: add[0]!.outputs[0]! };
      }
      case 'Dropout': {
        const ratio = this.tensor(n.inputs[1]);
        const attr = n.attrs.get('ratio');
        const rate = ratio !== undefined ? floatOf(ratio) : typeof attr === 'number' ? attr : 0.5;
        return { layers: rate > 0 ? [{ type: 'dropout', rate }] : [], out };
      }
      case 'Softmax':
      case 'LogSoftmax':
        if (this.next(out).length !== 0) return unsupported(`${n.op} before the last layer`);
        this.output = 'probabilities';
        return none;
      default:
        return unsupported(n.op);
    }
  }
}

function dense(units: number): Layer {
  return { type: 'dense', units, activation: 'linear', init: 'glorot_uniform' };
}

function floatOf(t: OnnxTensorProto): number {
  if (t.raw !== undefined && t.raw.byteLength >= 4) {
    const view = new DataView(t.raw.buffer, t.raw.byteOffset, t.raw.byteLength);
    return t.dataType === 11 ? view.getFloat64(0, true) : view.getFloat32(0, true);
  }
  return t.values[0] ?? 0.5;
}

/** The model's data input, its layout and per-sample shape (NHWC images or [d] rows). */
function inputOf(model: OnnxModelProto, where: string, given?: readonly number[]) {
  const inputs = model.inputs.filter((i) => !model.initializers.has(i.name));
  if (inputs.length !== 1) {
    throw new MiaError(
      'E_MODEL',
      `the ONNX graph has ${inputs.length} inputs; one image or row input is needed`,
      {
        where,
        found: inputs.map((i) => i.name).join(', '),
      },
    );
  }
  const x = inputs[0]!;
  const dims = x.dims.slice(1);
  const known = (d: number | string | undefined) => (typeof d === 'number' && d > 0 ? d : undefined);
  const first = model.nodes.find((n) => n.inputs.includes(x.name));
  const perm = first?.op === 'Transpose' ? ints(first, 'perm', []).join(',') : '';
  if (dims.length === 1) {
    const d = known(dims[0]) ?? given?.[0];
    if (d === undefined) throw new MiaError('E_MODEL', 'the ONNX input has no fixed width', { where });
    return { name: x.name, layout: 'flat' as const, shape: [d], skip: undefined };
  }
  if (dims.length !== 3) {
    throw new MiaError('E_MODEL', 'the ONNX input is neither [N, C, H, W], [N, H, W, C] nor [N, D]', {
      where,
      found: `[${x.dims.join(', ')}]`,
    });
  }
  const nhwc = perm === '0,3,1,2';
  const [h, w, c] = (nhwc ? dims : [dims[1], dims[2], dims[0]]).map(known);
  const shape = [h ?? given?.[0], w ?? given?.[1], c ?? given?.[2]];
  if (shape.some((d) => d === undefined)) {
    throw new MiaError('E_MODEL', 'the ONNX input has symbolic image dimensions and no data shape is given', {
      where,
      found: `[${x.dims.join(', ')}]`,
    });
  }
  return {
    name: x.name,
    layout: nhwc ? ('nhwc' as const) : ('nchw' as const),
    shape: shape as number[],
    skip: nhwc ? first : undefined,
  };
}

/**
 * The architecture of `model` (read by read-onnx.ts from `where`) as layers with fresh weights. Throws
 * E_MODEL naming every node that cannot be mapped (operator, node name, why) and the supported operators,
 * and when the graph does not end in a Dense layer (the logits).
 */
export function archFromOnnx(
  model: OnnxModelProto,
  where: string,
  options: ArchFromOnnxOptions = {},
): OnnxArchitecture {
  const input = inputOf(model, where, options.inputShape);
  const m = new Mapper(model, where, options.restoreBatchnorm === true);
  const start = input.skip !== undefined ? input.skip.outputs[0]! : input.name;
  const r = m.walk(start, input.shape);
  if (r.join !== undefined) m.fail(r.join, 'an Add of values that do not fork from one value');
  if (m.bad.length > 0) {
    const list = m.bad.map((b) => `${b.why} (node ${b.node.name || '?'}, op ${b.node.op})`).join('; ');
    throw new MiaError(
      'E_MODEL',
      `cannot rebuild ${m.bad.length} ONNX node(s) as trainable layers: ${list}`,
      {
        where,
        expected: `the operators ${SUPPORTED_OPS.join(', ')}`,
      },
    );
  }
  const last = r.layers[r.layers.length - 1];
  if (last?.type !== 'dense') {
    throw new MiaError('E_MODEL', 'the ONNX graph does not end in a Gemm / MatMul layer (the logits)', {
      where,
      found: last === undefined ? 'no layers' : `last layer ${last.type}`,
    });
  }
  return {
    layers: r.layers,
    inputShape: input.shape,
    layout: input.layout,
    classes: last.units,
    output: m.output,
    restoredBatchnorms: m.restored,
  };
}
