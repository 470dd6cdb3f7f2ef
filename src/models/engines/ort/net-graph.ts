/**
 * Layer graphs with batch norm, residual blocks, strided / padded convolutions, global average pooling,
 * dropout and GroupNorm as onnxruntime graphs, built on the differentiating tape (tape.ts): the
 * training graph (forward in training mode, mean softmax cross-entropy, every parameter's gradient,
 * every batch norm's batch statistics) and the inference graph (batch norm with running statistics,
 * dropout off). The conv/dense nets of forward-graph.ts keep their hand-written graphs.
 *
 * Layouts as forward-graph.ts: NHWC rows in, NCHW inside, conv kernels OIHW in the graph and HWIO in the
 * engine, Flatten in NHWC order.
 */
import {
  analyzeGraph,
  blockNormName,
  convPads,
  type Layer,
  type LayerGraph,
  type ParamInfo,
} from '../../layer-graph.js';
import type { GraphParam } from './forward-graph.js';
import { Builder, valueInfo } from './graph-builder.js';
import type { OnnxGraph, OnnxValueInfo } from './onnx-proto.js';
import { Tape, type Value } from './tape.js';
import { batchNormEval, batchNormTrain, groupNorm } from './tape-norm.js';
import * as op from './tape-ops.js';
import { lossNodes } from './train-graph.js';

export type Mode = 'train' | 'eval';

/** A batch norm of the training graph: its parameter prefix and the values per channel it averages over. */
export interface BnStat {
  prefix: string;
  /** Per-sample count of values per channel (h·w; × N gives PyTorch's n of the unbiased variance). */
  perSample: number;
}

/** A dropout mask the engine feeds each training step: input name, per-sample shape, rate. */
export interface MaskInput {
  name: string;
  shape: number[];
  rate: number;
}

/** Why the tape graphs cannot build `graph`, or undefined when they can. */
export function netUnsupported(graph: LayerGraph): string | undefined {
  return layersUnsupported(graph.layers);
}

function layersUnsupported(layers: readonly Layer[]): string | undefined {
  for (const l of layers) {
    if (l.type === 'residual') {
      const why = layersUnsupported(l.main) ?? layersUnsupported(l.shortcut);
      if (why !== undefined) return why;
    }
    if ((l.type === 'conv2d' || l.type === 'dense') && l.activation !== 'relu' && l.activation !== 'linear')
      return `${l.type} activation ${l.activation}`;
    if (l.type === 'activation' && l.activation !== 'relu' && l.activation !== 'linear')
      return `activation ${l.activation}`;
  }
  return undefined;
}

/** Every parameter (trainable and running statistics) in analyzeGraph's order, with its ONNX shape. */
export function netParams(graph: LayerGraph): (GraphParam & { trainable: boolean })[] {
  return analyzeGraph(graph).params.map((p: ParamInfo) => {
    const conv = p.shape.length === 4;
    const [kh, kw, c, o] = p.shape as [number, number, number, number];
    return {
      name: p.name,
      shape: [...p.shape],
      onnxShape: conv ? [o, c, kh, kw] : [...p.shape],
      conv,
      trainable: p.trainable,
    };
  });
}

class Lowering {
  readonly stats: BnStat[] = [];
  readonly statOutputs: { mean: string; variance: string }[] = [];
  readonly masks: MaskInput[] = [];
  /** Parameters the graph reads. */
  readonly used = new Set<string>();

  constructor(
    readonly t: Tape,
    readonly mode: Mode,
  ) {}

  p(name: string): string {
    this.used.add(name);
    return `p:${name}`;
  }

  /** A trainable parameter: differentiated in training mode. */
  w(name: string): string {
    const n = this.p(name);
    return this.mode === 'train' ? this.t.param(n) : n;
  }

  conv(
    x: Value,
    prefix: string,
    filters: number,
    k: number,
    stride: number,
    pads: [number, number, number, number],
    bias: boolean,
  ): Value {
    return op.conv(this.t, x, {
      kernel: this.w(`${prefix}.kernel`),
      ...(bias ? { bias: this.w(`${prefix}.bias`) } : {}),
      filters,
      k,
      stride,
      pads,
    });
  }

  /** Batch norm (groups undefined) or GroupNorm over parameters `prefix`. */
  norm(x: Value, prefix: string, groups: number | undefined): Value {
    const a = { gamma: this.w(`${prefix}.gamma`), beta: this.w(`${prefix}.beta`) };
    if (groups !== undefined) return groupNorm(this.t, x, a, groups);
    if (this.mode === 'eval')
      return batchNormEval(
        this.t,
        x,
        a,
        this.p(`${prefix}.moving_mean`),
        this.p(`${prefix}.moving_variance`),
      );
    const r = batchNormTrain(this.t, x, a);
    this.stats.push({ prefix, perSample: x.shape.length === 3 ? x.shape[1]! * x.shape[2]! : 1 });
    this.statOutputs.push({ mean: r.mean, variance: r.variance });
    return r.y;
  }

  dropout(x: Value, name: string, rate: number): Value {
    if (this.mode === 'eval' || rate === 0) return x;
    const mask = `mask:${name}`;
    this.masks.push({ name: mask, shape: [...x.shape], rate });
    return op.dropout(this.t, x, mask);
  }

  layer(l: Layer, pre: string, x: Value): Value {
    const t = this.t;
    switch (l.type) {
      case 'conv2d': {
        const y = this.conv(
          x,
          pre,
          l.filters,
          l.kernel,
          l.stride,
          convPads(l, x.shape[1]!, x.shape[2]!),
          l.bias,
        );
        return l.activation === 'relu' ? op.relu(t, y) : y;
      }
      case 'maxpool':
        return op.maxpool(t, x, l.size, l.stride, l.pad ?? 0);
      case 'batchnorm':
        return this.norm(x, pre, undefined);
      case 'groupnorm':
        return this.norm(x, pre, l.groups);
      case 'activation':
        return l.activation === 'relu' ? op.relu(t, x) : x;
      case 'flatten':
        return op.flatten(t, x);
      case 'global_avg_pool':
        return op.globalAvgPool(t, x);
      case 'dense': {
        const y = op.dense(t, x, this.w(`${pre}.kernel`), this.w(`${pre}.bias`), l.units);
        return l.activation === 'relu' ? op.relu(t, y) : y;
      }
      case 'dropout':
        return this.dropout(x, pre, l.rate);
      case 'basic_block': {
        const [c, h, w] = x.shape as [number, number, number];
        const g = l.groups;
        const pads: [number, number, number, number] =
          l.padding === 'torch'
            ? [1, 1, 1, 1]
            : convPads({ kernel: 3, stride: l.stride, padding: 'same' }, h, w);
        let y = this.conv(x, `${pre}.conv1`, l.filters, 3, l.stride, pads, false);
        y = op.relu(t, this.norm(y, `${pre}.${blockNormName('1', g)}`, g));
        y = this.conv(y, `${pre}.conv2`, l.filters, 3, 1, [1, 1, 1, 1], false);
        y = this.norm(y, `${pre}.${blockNormName('2', g)}`, g);
        let s = x;
        if (l.stride !== 1 || c !== l.filters) {
          s = this.conv(x, `${pre}.shortcut`, l.filters, 1, l.stride, [0, 0, 0, 0], false);
          s = this.norm(s, `${pre}.${blockNormName('shortcut', g)}`, g);
        }
        return op.relu(t, op.add(t, y, s));
      }
      case 'wide_block': {
        const c = x.shape[0]!;
        const g = l.groups;
        const o = op.relu(t, this.norm(x, `${pre}.${blockNormName('1', g)}`, g));
        const project = l.stride !== 1 || c !== l.filters;
        const s = project ? this.conv(o, `${pre}.shortcut`, l.filters, 1, l.stride, [0, 0, 0, 0], false) : x;
        let y = this.conv(o, `${pre}.conv1`, l.filters, 3, l.stride, [1, 1, 1, 1], false);
        y = op.relu(t, this.norm(y, `${pre}.${blockNormName('2', g)}`, g));
        y = this.dropout(y, `${pre}.drop`, l.dropout);
        y = this.conv(y, `${pre}.conv2`, l.filters, 3, 1, [1, 1, 1, 1], false);
        return op.add(t, y, s);
      }
      case 'residual': {
        const branch = (ls: readonly Layer[], tag: string): Value =>
          ls.reduce((v, sub, j) => this.layer(sub, `${pre}.${tag}${j}`, v), x);
        return op.add(t, branch(l.main, 'main'), branch(l.shortcut, 'short'));
      }
    }
  }
}

/** Runs the layers from NHWC input `x`; returns the logits and the lowering's bookkeeping. */
function lower(b: Builder, graph: LayerGraph, mode: Mode): { t: Tape; low: Lowering; logits: string } {
  const t = new Tape(b);
  const low = new Lowering(t, mode);
  const s = graph.inputShape;
  let x: Value =
    s.length === 3
      ? { name: b.one('Transpose', ['x'], { perm: [0, 3, 1, 2] }), shape: [s[2]!, s[0]!, s[1]!] }
      : { name: 'x', shape: [...s] };
  graph.layers.forEach((l, i) => {
    x = low.layer(l, `l${i}`, x);
  });
  return { t, low, logits: x.name };
}

function paramInputs(graph: LayerGraph, used: Set<string>): OnnxValueInfo[] {
  return netParams(graph)
    .filter((p) => used.has(p.name))
    .map((p) => valueInfo(`p:${p.name}`, p.onnxShape));
}

/** The inference graph: inputs x [N, ...inputShape] and the `p:<name>` it reads; output `logits`. */
export function buildNetPredictGraph(graph: LayerGraph): OnnxGraph {
  const b = new Builder();
  const { low, logits } = lower(b, graph, 'eval');
  b.nodes.push({ op: 'Identity', inputs: [logits], outputs: ['logits'] });
  return {
    nodes: b.nodes,
    initializers: b.initializers,
    inputs: [valueInfo('x', ['N', ...graph.inputShape]), ...paramInputs(graph, low.used)],
    outputs: [valueInfo('logits', ['N', 'K'])],
  };
}

/**
 * The training graph. Inputs: x, onehot [N, classes], labels (int64 [N]), inv_n (1/N), the trainable
 * `p:<name>` and a `mask:<name>` per dropout with rate > 0. Outputs: loss (mean cross-entropy), correct,
 * `grad:<name>` per trainable parameter, and `stat:<prefix>.mean` / `stat:<prefix>.var` (batch mean and
 * biased variance) per batch norm, listed in `stats`.
 */
export function buildNetGradGraph(
  graph: LayerGraph,
  numClasses: number,
): { onnx: OnnxGraph; stats: BnStat[]; masks: MaskInput[] } {
  const b = new Builder();
  const { t, low, logits } = lower(b, graph, 'train');
  const grads = t.backward(logits, lossNodes(b, logits));
  const trainable = netParams(graph).filter((p) => p.trainable);
  const outputs: OnnxValueInfo[] = [valueInfo('loss', []), valueInfo('correct', [])];
  for (const p of trainable) {
    const g = grads.get(`p:${p.name}`);
    if (g === undefined) throw new Error(`internal: no gradient for ${p.name}`);
    // A gradient that is itself a graph input or reused elsewhere gets its own output name via Identity.
    b.nodes.push({ op: 'Identity', inputs: [g], outputs: [`grad:${p.name}`] });
    outputs.push(valueInfo(`grad:${p.name}`, p.onnxShape));
  }
  low.stats.forEach((s, k) => {
    const o = low.statOutputs[k]!;
    b.nodes.push({ op: 'Identity', inputs: [o.mean], outputs: [`stat:${s.prefix}.mean`] });
    b.nodes.push({ op: 'Identity', inputs: [o.variance], outputs: [`stat:${s.prefix}.var`] });
    const c = netParams(graph).find((p) => p.name === `${s.prefix}.gamma`)!.shape[0]!;
    outputs.push(valueInfo(`stat:${s.prefix}.mean`, [c]), valueInfo(`stat:${s.prefix}.var`, [c]));
  });
  const inputs: OnnxValueInfo[] = [
    valueInfo('x', ['N', ...graph.inputShape]),
    valueInfo('onehot', ['N', numClasses]),
    valueInfo('labels', ['N'], 'int64'),
    valueInfo('inv_n', []),
    ...trainable.map((p) => valueInfo(`p:${p.name}`, p.onnxShape)),
    ...low.masks.map((m) => valueInfo(m.name, ['N', ...m.shape])),
  ];
  return {
    onnx: { nodes: b.nodes, initializers: b.initializers, inputs, outputs },
    stats: low.stats,
    masks: low.masks,
  };
}
