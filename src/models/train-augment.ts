/**
 * Training-time augmentation of image batches, seeded: the CIFAR recipe Privacy Meter and LiRA
 * (Carlini et al. 2022) train with — torchvision's RandomCrop(size, padding=crop) followed by
 * RandomHorizontalFlip(0.5).
 *
 *   crop c:  the image padded with c zeros on every side (zeros in the model's input space), then the
 *            original h × w window taken at offsets (dy, dx), each uniform in {0, …, 2c}
 *   flip:    the columns mirrored with probability ½
 *
 * Per sample, in batch order, the draws are dy, dx (when crop > 0), then the flip (when on), from the
 * Rng passed in; the same seed gives the same augmented batches. `mia train --augment crop:4,flip` and
 * the `augment: {crop: 4, flip: true}` config key spell the same TrainAugment.
 */
import { MiaError } from '../errors.js';
import type { Rng } from '../rng.js';

export interface TrainAugment {
  /** Padding of the random crop in pixels (0: no crop). */
  crop: number;
  /** Random horizontal flips. */
  flip: boolean;
}

/** True when `a` changes anything (a crop > 0 or flips). */
export function isAugmenting(a: TrainAugment | undefined): a is TrainAugment {
  return a !== undefined && (a.crop > 0 || a.flip);
}

/** "crop:4,flip" / "flip" / "crop:4" / "none" → TrainAugment; E_ARGUMENT naming `where` otherwise. */
export function parseAugmentFlag(text: string, where: string): TrainAugment {
  const out: TrainAugment = { crop: 0, flip: false };
  if (text.trim() === 'none') return out;
  for (const part of text.split(',').map((p) => p.trim())) {
    const crop = /^crop:(\d+)$/.exec(part);
    if (crop !== null) out.crop = Number(crop[1]);
    else if (part === 'flip') out.flip = true;
    else
      throw new MiaError('E_ARGUMENT', `unknown augmentation "${part}"`, {
        where,
        expected: 'crop:<pixels> and/or flip, comma-separated (e.g. crop:4,flip), or none',
        found: text,
      });
  }
  return out;
}

/** "random crop (4-px padding) + horizontal flip", "horizontal flip", … for logs. */
export function describeAugment(a: TrainAugment): string {
  const parts = [];
  if (a.crop > 0) parts.push(`random crop (${a.crop}-px padding)`);
  if (a.flip) parts.push('horizontal flip');
  return parts.length > 0 ? parts.join(' + ') : 'none';
}

/** Checks that `a` fits images of `inputShape` ([h, w, c]); E_ARGUMENT naming `where` otherwise. */
export function checkAugment(a: TrainAugment, inputShape: readonly number[], where: string): void {
  if (!isAugmenting(a)) return;
  if (inputShape.length !== 3)
    throw new MiaError('E_ARGUMENT', 'crop and flip augmentation need image inputs', {
      where,
      expected: 'an [h, w, c] input shape',
      found: `[${inputShape.join(', ')}]`,
    });
  const [h, w] = inputShape as [number, number, number];
  if (!Number.isInteger(a.crop) || a.crop < 0 || a.crop >= Math.min(h, w))
    throw new MiaError('E_ARGUMENT', 'crop padding must be an integer in [0, image side)', {
      where,
      expected: `0 … ${Math.min(h, w) - 1} pixels for ${h}×${w} images`,
      found: String(a.crop),
    });
}

/**
 * Augments the first `n` images of the NHWC batch `x` (shape [h, w, c] each) in place, as the file
 * comment describes, drawing from `rng`.
 */
export function augmentBatch(
  x: Float32Array,
  n: number,
  shape: readonly number[],
  a: TrainAugment,
  rng: Rng,
): void {
  const [h, w, c] = shape as [number, number, number];
  const size = h * w * c;
  const row = w * c;
  const src = new Float32Array(size);
  const p = a.crop;
  for (let i = 0; i < n; i++) {
    const img = x.subarray(i * size, (i + 1) * size);
    const dy = p > 0 ? rng.int(2 * p + 1) - p : 0;
    const dx = p > 0 ? rng.int(2 * p + 1) - p : 0;
    const flip = a.flip && rng.next() < 0.5;
    if (dy === 0 && dx === 0 && !flip) continue;
    src.set(img);
    for (let yy = 0; yy < h; yy++) {
      const sy = yy + dy;
      const out = yy * row;
      if (sy < 0 || sy >= h) {
        img.fill(0, out, out + row);
        continue;
      }
      for (let xx = 0; xx < w; xx++) {
        // out(yy, xx) = padded(yy + dy + p, x' + dx + p) with x' the flipped column
        const sx = (flip ? w - 1 - xx : xx) + dx;
        const o = out + xx * c;
        if (sx < 0 || sx >= w) img.fill(0, o, o + c);
        else img.set(src.subarray(sy * row + sx * c, sy * row + sx * c + c), o);
      }
    }
  }
}
