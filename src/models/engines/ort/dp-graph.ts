/**
 * The DP-SGD gradient graph of one batch for the onnxruntime engine (Abadi et al. 2016): the forward
 * pass, each sample's gradient norm, each sample's clip factor, and the sum of the clipped per-sample
 * gradients, in one `session.run`. The noise and the division by the expected batch size happen outside
 * (engine.ts `dpStep`, models/dp/noise.ts).
 *
 *   δ_i   = softmax(z_i) − onehot_i            (per-sample loss gradient of the logits, not divided by N)
 *   dense (ghost clipping, Goodfellow 2015; Li et al. 2022): ‖∂W_i‖² = ‖a_i‖²·‖δ_i‖², ‖∂b_i‖² = ‖δ_i‖²
 *         (a_i the layer's input row, δ_i its pre-activation gradient), no per-sample gradient formed
 *   conv  the per-sample gradients are formed: ∂W_i = D_i·U_iᵀ with D_i = δ_i as [O, T] and U_i the
 *         input patches as [C·k·k, T] (T = Ho·Wo output positions; k² Slices of the padded input),
 *         ∂b_i = Σ_T D_i
 *   ‖g_i‖ = √(Σ over layers of the squares);  c_i = min(1, C / (‖g_i‖ + 1e-6))   (Opacus's clip factor)
 *   sums  Σ_i c_i·g_i: the backward pass is linear in each sample's δ and samples do not interact (no
 *         batch norm), so the clipped δ at every layer is c_i·δ_i: dense ∂W = Aᵀ·(c⊙Δ), conv ∂W = c·[∂W_i]
 *
 * Inputs: those of the plain gradient graph (train-graph.ts) plus `max_norm` (C, a scalar; +∞ disables
 * clipping). Outputs: loss, correct, `norms` [N] (‖g_i‖ before clipping), `clipped` (number of samples
 * with ‖g_i‖ > C) and `grad:<name>` = Σ_i c_i·g_i for every parameter (ONNX layout).
 */
import type { LayerGraph } from '../../layer-graph.js';
import { backward } from './backward-graph.js';
import { forward, graphParams, type Saved } from './forward-graph.js';
import { Builder, valueInfo } from './graph-builder.js';
import type { OnnxGraph, OnnxValueInfo } from './onnx-proto.js';
import { lossAndCorrect } from './train-graph.js';

/** Per-sample squared norm [N] and the clipped-sum builder of one parametrised layer. */
interface LayerTerms {
  sq: string;
  /** Writes `grad:<name>` of the layer's parameters from the clip factors c [N]. */
  sums: (c: string) => void;
}

function denseTerms(b: Builder, s: Saved, d: string): LayerTerms {
  const i = s.index;
  const rowSq = (t: string) => b.one('ReduceSum', [b.one('Mul', [t, t]), b.ints([1])], { keepdims: 0 });
  const dSq = rowSq(d);
  const sq = b.one('Mul', [dSq, b.one('Add', [rowSq(s.input), b.scalar(1)])]);
  return {
    sq,
    sums: (c) => {
      const dc = b.one('Mul', [d, b.one('Unsqueeze', [c, b.ints([1])])]);
      b.nodes.push({
        op: 'Gemm',
        inputs: [s.input, dc],
        outputs: [`grad:l${i}.kernel`],
        attrs: { transA: 1 },
      });
      b.nodes.push({
        op: 'ReduceSum',
        inputs: [dc, b.ints([0])],
        outputs: [`grad:l${i}.bias`],
        attrs: { keepdims: 0 },
      });
    },
  };
}

function convTerms(b: Builder, s: Saved, d: string): LayerTerms {
  const l = s.layer as Extract<Saved['layer'], { type: 'conv2d' }>;
  const i = s.index;
  const k = l.kernel;
  const o = l.filters;
  const C = s.inShape[2]!;
  const [oh, ow] = s.outShape as [number, number];
  const [pt, pl, pb, pr] = s.pads!;
  let x = s.input;
  if (pt + pl + pb + pr > 0) x = b.one('Pad', [x, b.ints([0, 0, pt, pl, 0, 0, pb, pr])]);
  // patches [N, C, k·k, Ho, Wo]: one Slice per kernel offset, in OIHW's (c, kh, kw) order
  const slices: string[] = [];
  for (let u = 0; u < k; u++) {
    for (let v = 0; v < k; v++) {
      const sl = b.one('Slice', [x, b.ints([u, v]), b.ints([u + oh, v + ow]), b.ints([2, 3])]);
      slices.push(b.one('Unsqueeze', [sl, b.ints([2])]));
    }
  }
  const patches = slices.length === 1 ? slices[0]! : b.one('Concat', slices, { axis: 2 });
  const u = b.one('Reshape', [patches, b.ints([0, C * k * k, oh * ow])]);
  const dr = b.one('Reshape', [d, b.ints([0, o, oh * ow])]);
  const gw = b.one('MatMul', [dr, b.one('Transpose', [u], { perm: [0, 2, 1] })]); // [N, O, C·k·k]
  const gb = b.one('ReduceSum', [dr, b.ints([2])], { keepdims: 0 }); // [N, O]
  const sqOf = (t: string, axes: number[]) =>
    b.one('ReduceSum', [b.one('Mul', [t, t]), b.ints(axes)], { keepdims: 0 });
  const sq = b.one('Add', [sqOf(gw, [1, 2]), sqOf(gb, [1])]);
  return {
    sq,
    sums: (c) => {
      const row = b.one('Unsqueeze', [c, b.ints([0])]); // [1, N]
      const flat = b.one('Reshape', [gw, b.ints([0, -1])]);
      b.nodes.push({
        op: 'Reshape',
        inputs: [b.one('MatMul', [row, flat]), b.ints([o, C, k, k])],
        outputs: [`grad:l${i}.kernel`],
      });
      b.nodes.push({
        op: 'Reshape',
        inputs: [b.one('MatMul', [row, gb]), b.ints([o])],
        outputs: [`grad:l${i}.bias`],
      });
    },
  };
}

/** The DP-SGD gradient graph of `graph` (see the file header). */
export function buildDpGradGraph(graph: LayerGraph, numClasses: number): OnnxGraph {
  const b = new Builder();
  const { logits, saved } = forward(b, graph);
  const logp = lossAndCorrect(b, logits);
  const dLogits = b.one('Sub', [b.one('Exp', [logp]), 'onehot']);
  const terms: LayerTerms[] = [];
  backward(b, saved, dLogits, (s, d) => {
    terms.push(s.layer.type === 'dense' ? denseTerms(b, s, d) : convTerms(b, s, d));
  });
  let sq = terms[0]!.sq;
  for (const t of terms.slice(1)) sq = b.one('Add', [sq, t.sq]);
  b.nodes.push({ op: 'Sqrt', inputs: [sq], outputs: ['norms'] });
  const c = b.one('Min', [b.one('Div', ['max_norm', b.one('Add', ['norms', b.scalar(1e-6)])]), b.scalar(1)]);
  const over = b.one('Cast', [b.one('Greater', ['norms', 'max_norm'])], { to: 1 });
  b.nodes.push({ op: 'ReduceSum', inputs: [over], outputs: ['clipped'], attrs: { keepdims: 0 } });
  for (const t of terms) t.sums(c);
  const params = graphParams(graph);
  const inputs: OnnxValueInfo[] = [
    valueInfo('x', ['N', ...graph.inputShape]),
    valueInfo('onehot', ['N', numClasses]),
    valueInfo('labels', ['N'], 'int64'),
    valueInfo('inv_n', []),
    valueInfo('max_norm', []),
    ...params.map((p) => valueInfo(`p:${p.name}`, p.onnxShape)),
  ];
  const outputs: OnnxValueInfo[] = [
    valueInfo('loss', []),
    valueInfo('correct', []),
    valueInfo('norms', ['N']),
    valueInfo('clipped', []),
    ...params.map((p) => valueInfo(`grad:${p.name}`, p.onnxShape)),
  ];
  return { nodes: b.nodes, initializers: b.initializers, inputs, outputs };
}
