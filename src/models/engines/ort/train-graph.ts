/**
 * The gradient graph of one training batch for the onnxruntime engine: the forward pass
 * (forward-graph.ts), mean softmax cross-entropy, and the backward pass (backward-graph.ts), so that
 * onnxruntime runs the whole step except the optimiser as one native, multi-threaded call.
 *
 *   loss:     mean over the batch of −Σ onehot · log softmax(z); dz = (softmax(z) − onehot) / n
 */
import type { LayerGraph } from '../../layer-graph.js';
import { backward } from './backward-graph.js';
import { forward, graphParams } from './forward-graph.js';
import { Builder, valueInfo } from './graph-builder.js';
import type { OnnxGraph, OnnxValueInfo } from './onnx-proto.js';

/**
 * The outputs `loss` (mean cross-entropy, from inputs onehot and inv_n) and `correct` (from labels) of
 * the batch's logits; returns the name of log softmax(logits).
 */
export function lossAndCorrect(b: Builder, logits: string): string {
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
  return logp;
}

/**
 * The loss head of a training graph from `logits` (lossAndCorrect's outputs); returns the name of
 * d(loss)/d(logits) = (softmax − onehot) · inv_n.
 */
export function lossNodes(b: Builder, logits: string): string {
  const logp = lossAndCorrect(b, logits);
  return b.one('Mul', [b.one('Sub', [b.one('Exp', [logp]), 'onehot']), 'inv_n']);
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
  const dLogits = lossNodes(b, logits);
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
