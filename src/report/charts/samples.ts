import { Buffer } from 'node:buffer';
import type { ChartSpec, ImageCell } from '../chart-spec.js';
import { encodeRgbPng } from '../png.js';
import type { SampleImages } from '../run-dir.js';

/**
 * 8-bit RGB pixels of image i of `s`: values in [0, 1] are scaled by 255, values in [0, 255] are kept,
 * anything else (e.g. standardized inputs) is min–max scaled per image; one channel is repeated as grey.
 */
export function imageRgb(s: SampleImages, i: number): Uint8Array {
  const size = s.h * s.w * s.c;
  const px = s.x.subarray(i * size, (i + 1) * size);
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (const v of px) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  const toByte =
    lo >= 0 && hi <= 1
      ? (v: number) => v * 255
      : lo >= 0 && hi <= 255
        ? (v: number) => v
        : (v: number) => (hi > lo ? ((v - lo) / (hi - lo)) * 255 : 128);
  const out = new Uint8Array(s.h * s.w * 3);
  for (let p = 0; p < s.h * s.w; p++) {
    for (let ch = 0; ch < 3; ch++) {
      const v = px[p * s.c + (s.c === 3 ? ch : 0)]!;
      out[p * 3 + ch] = Math.max(0, Math.min(255, Math.round(toByte(Number.isFinite(v) ? v : 0))));
    }
  }
  return out;
}

/**
 * A grid of up to `maxImages` training images with their labels (class names when given, else
 * "class k"), upscaled by whole pixels to about 80 px. Undefined when there are no images.
 */
export function samplesChart(
  id: string,
  samples: SampleImages,
  classNames?: readonly string[],
  maxImages = 24,
): ChartSpec | undefined {
  const k = Math.min(samples.k, maxImages);
  if (k === 0) return undefined;
  const upscale = Math.max(1, Math.round(80 / Math.max(samples.h, samples.w)));
  const images: ImageCell[] = [];
  for (let i = 0; i < k; i++) {
    const y = samples.y[i]!;
    const png = encodeRgbPng(imageRgb(samples, i), samples.w, samples.h, upscale);
    images.push({
      pngBase64: Buffer.from(png).toString('base64'),
      width: samples.w * upscale,
      height: samples.h * upscale,
      label: classNames?.[y] ?? `class ${y}`,
    });
  }
  const columns = Math.min(8, k);
  const rows = Math.ceil(k / columns);
  const cellW = samples.w * upscale + 14;
  const cellH = samples.h * upscale + 26;
  return {
    id,
    title: 'Sample training images',
    caption: `The first ${k} images the audited models were trained on, with their labels.`,
    panelWidth: Math.max(320, columns * cellW + 20),
    panelHeight: rows * cellH + 44,
    legend: [],
    panels: [
      {
        kind: 'images',
        title: `${k} of the training images (${samples.h}×${samples.w} px, ${samples.c === 3 ? 'colour' : 'greyscale'})`,
        columns,
        images,
      },
    ],
  };
}
