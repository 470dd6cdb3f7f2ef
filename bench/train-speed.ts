/**
 * Training throughput of the TensorFlow.js engine per backend variant, against PyTorch (Debian
 * python3-torch, 2 threads, OMP_WAIT_POLICY=PASSIVE) run side by side in the same invocation on the
 * same architecture, batch and random data (bench/py/torch_speed.py). Adam, softmax cross-entropy.
 *
 *   node --import tsx bench/train-speed.ts [--seconds 4] [--only small_cnn|dense] [--quick]
 *
 * Targets (issue 4): small_cnn ≥ 0.5× PyTorch (goal 1.0×), dense depth 4 width 512 ≥ 0.5×.
 * Peak memory is each variant's process maxRSS.
 */
import { availableParallelism } from 'node:os';
import { parseArgs } from 'node:util';
import { compare, VARIANTS } from './backend/variants.js';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '4' },
    only: { type: 'string' },
    quick: { type: 'boolean', default: false },
  },
});
const seconds = Number(values.seconds);
const variants = values.quick
  ? VARIANTS.filter((v) => v.label.includes('default') || v.label.includes('ort'))
  : VARIANTS;
console.log(
  `train-speed: Node ${process.version}, ${availableParallelism()} cores, ${seconds} s per variant, batch 50, Adam lr 1e-3`,
);
if (values.only === undefined || values.only === 'small_cnn') {
  compare(
    'small_cnn (num_conv 3: 3 × [Conv2D(32, 3×3, relu, valid) + MaxPool 2×2], Dense(64, relu), Dense(10)) on 32×32×3, batch 50',
    'train',
    'small_cnn',
    50,
    seconds,
    ['--model', 'small_cnn', '--mode', 'train', '--batch', '50', '--channels', '3', '--size', '32'],
    variants,
  );
}
if (values.only === undefined || values.only === 'dense') {
  compare(
    'dense depth 4 width 512 (Flatten, 5 × Dense(512, relu), Dense(10); the engine adds one hidden layer) on 28×28, batch 50',
    'train',
    'dense',
    50,
    seconds,
    [
      '--model',
      'dense',
      '--mode',
      'train',
      '--batch',
      '50',
      '--channels',
      '1',
      '--size',
      '28',
      '--depth',
      '5',
      '--width',
      '512',
    ],
    variants,
  );
}
