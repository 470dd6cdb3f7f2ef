/**
 * The layer lists of the residual architectures (registered by name in architectures.ts):
 *
 * - `wrn28`: WideResNet-depth-k (Zagoruyko & Komodakis 2016; the xternalz/WideResNet-pytorch layout
 *   Privacy Meter trains): conv3×3(16), 3 stages of n = (depth − 4) / 6 pre-activation wide blocks
 *   with 16k, 32k, 64k filters and strides 1, 2, 2, then BN–ReLU, global average pool, Dense(classes).
 *   WRN-28-2 (depth 28, widen 2) has 1.47 M parameters for 10 classes.
 * - `resnet18_imagenet`: torchvision's resnet18 layout: conv7×7(w, stride 2, pad 3)–BN–ReLU, max-pool
 *   3×3 (stride 2, pad 1), 4 stages × 2 basic blocks (w, 2w, 4w, 8w; strides 1, 2, 2, 2; PyTorch
 *   padding), global average pool, Dense(classes); any input size ≥ 32 × 32 and class count.
 *   w = 64: 11.2 M parameters for 1000 classes (torchvision's 11,689,512).
 *
 * `groups` > 0 replaces every batch norm by GroupNorm with that many groups (DP-SGD needs
 * per-sample-independent normalisation); 0 keeps batch norm.
 */
import type { Layer } from './layer-graph.js';

const stem = (filters: number, kernel: number, stride: number, pad: number): Layer => ({
  type: 'conv2d',
  filters,
  kernel,
  stride,
  padding: 'same',
  pads: [pad, pad, pad, pad],
  activation: 'linear',
  bias: false,
  init: 'he_normal_fan_out',
});

const head = (classes: number): Layer[] => [
  { type: 'global_avg_pool' },
  { type: 'dense', units: classes, activation: 'linear', init: 'glorot_uniform' },
];

const norm = (groups: number): Layer => (groups > 0 ? { type: 'groupnorm', groups } : { type: 'batchnorm' });

/** WideResNet-`depth`-`widen` (depth = 6n + 4) with dropout `dropout` inside each block. */
export function wideResNetLayers(
  depth: number,
  widen: number,
  dropout: number,
  groups: number,
  classes: number,
): Layer[] {
  const n = (depth - 4) / 6;
  const g = groups > 0 ? { groups } : {};
  const layers: Layer[] = [stem(16, 3, 1, 1)];
  [16, 32, 64].forEach((f, stage) => {
    for (let i = 0; i < n; i++)
      layers.push({
        type: 'wide_block',
        filters: f * widen,
        stride: i === 0 && stage > 0 ? 2 : 1,
        dropout,
        ...g,
      });
  });
  layers.push(norm(groups), { type: 'activation', activation: 'relu' }, ...head(classes));
  return layers;
}

/** torchvision's ResNet-18 with `width` filters in the first stage. */
export function imagenetResNet18Layers(width: number, groups: number, classes: number): Layer[] {
  const g = groups > 0 ? { groups } : {};
  const layers: Layer[] = [
    stem(width, 7, 2, 3),
    norm(groups),
    { type: 'activation', activation: 'relu' },
    { type: 'maxpool', size: 3, stride: 2, pad: 1 },
  ];
  [1, 2, 4, 8].forEach((m, stage) => {
    layers.push({
      type: 'basic_block',
      filters: width * m,
      stride: stage === 0 ? 1 : 2,
      padding: 'torch',
      ...g,
    });
    layers.push({ type: 'basic_block', filters: width * m, stride: 1, padding: 'torch', ...g });
  });
  layers.push(...head(classes));
  return layers;
}
