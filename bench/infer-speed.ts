/**
 * Batched inference throughput (logits) of the TensorFlow.js engine per backend variant, against
 * PyTorch (2 threads, OMP_WAIT_POLICY=PASSIVE, eval mode, no_grad, softmax) run side by side in the
 * same invocation (bench/py/torch_speed.py --mode infer).
 *
 *   node --import tsx bench/infer-speed.ts [--seconds 3] [--batch 256]
 *
 * Target (issue 4): small_cnn inference ≥ 1.0× PyTorch.
 */
import { availableParallelism } from 'node:os';
import { parseArgs } from 'node:util';
import { compare, VARIANTS } from './backend/variants.js';

const { values } = parseArgs({
  options: { seconds: { type: 'string', default: '3' }, batch: { type: 'string', default: '256' } },
});
const seconds = Number(values.seconds);
const batch = Number(values.batch);
const variants = VARIANTS.filter((v) => !v.label.includes('fused'));
console.log(
  `infer-speed: Node ${process.version}, ${availableParallelism()} cores, ${seconds} s per variant, batch ${batch}`,
);
compare(
  `small_cnn inference on 32×32×3, batch ${batch}`,
  'infer',
  'small_cnn',
  batch,
  seconds,
  ['--model', 'small_cnn', '--mode', 'infer', '--batch', String(batch), '--channels', '3', '--size', '32'],
  variants,
);
