/**
 * Test-time augmentations for querying a model several times per sample, as LiRA does (Carlini et al.
 * 2022, "Membership Inference Attacks From First Principles", §5.3 / their inference.py: 2 queries =
 * identity + horizontal mirror; 18 queries = mirror × shifts of −4, 0, +4 pixels in x and y with
 * reflect padding).
 */
import { MiaError } from '../errors.js';

/** One image transform: optional horizontal mirror, then a shift by (dx, dy) pixels. */
export interface Augmentation {
  flip: boolean;
  /** Output pixel (y, x) takes input pixel (y + dy, x + dx); out-of-range indices reflect (numpy 'reflect'). */
  dx: number;
  dy: number;
}

export const IDENTITY: Augmentation = { flip: false, dx: 0, dy: 0 };

/** "identity", "flip", "shift(-4,0)", "flip+shift(4,4)". */
export function augmentationName(a: Augmentation): string {
  const parts: string[] = [];
  if (a.flip) parts.push('flip');
  if (a.dx !== 0 || a.dy !== 0) parts.push(`shift(${a.dx},${a.dy})`);
  return parts.length === 0 ? 'identity' : parts.join('+');
}

/**
 * LiRA's query set: for flip in {no, yes} (only "no" when `flip` is false), for dy in {−s, 0, s}, for dx
 * in {−s, 0, s} (only 0 when `shift` = 0). The identity is always first. Sizes: 1, 2, 9 or 18.
 */
export function augmentationSet(options: { flip?: boolean; shift?: number }): Augmentation[] {
  const s = options.shift ?? 0;
  if (!Number.isInteger(s) || s < 0) {
    throw new MiaError('E_ARGUMENT', 'shift must be an integer ≥ 0', {
      where: 'augmentations.shift',
      found: String(s),
    });
  }
  const flips = options.flip === true ? [false, true] : [false];
  const offs = s > 0 ? [0, -s, s] : [0];
  const out: Augmentation[] = [];
  for (const flip of flips) for (const dy of offs) for (const dx of offs) out.push({ flip, dx, dy });
  return out;
}

function reflect(i: number, n: number): number {
  if (n === 1) return 0;
  const period = 2 * (n - 1);
  let j = ((i % period) + period) % period;
  if (j >= n) j = period - j;
  return j;
}

/**
 * The n images of `x` (NHWC, per-sample shape [h, w, c]) transformed by `a`: mirror (x → w−1−x) first,
 * then out(y, x) = in(reflect(y + dy), reflect(x + dx)). Returns a new array; the identity returns `x`
 * itself. Throws E_CONFIG for non-image shapes when `a` is not the identity.
 */
export function applyAugmentation(
  x: Float32Array,
  n: number,
  shape: readonly number[],
  a: Augmentation,
): Float32Array {
  if (!a.flip && a.dx === 0 && a.dy === 0) return x;
  if (shape.length !== 3) {
    throw new MiaError('E_CONFIG', 'augmentations need image samples [h, w, c]', {
      where: 'augmentations',
      found: `[${shape.join(', ')}]`,
    });
  }
  const [h, w, c] = shape as [number, number, number];
  const out = new Float32Array(n * h * w * c);
  const srcCol = new Int32Array(w);
  for (let xo = 0; xo < w; xo++) {
    const xs = reflect(xo + a.dx, w);
    srcCol[xo] = a.flip ? w - 1 - xs : xs;
  }
  for (let i = 0; i < n; i++) {
    const base = i * h * w * c;
    for (let yo = 0; yo < h; yo++) {
      const ys = reflect(yo + a.dy, h);
      for (let xo = 0; xo < w; xo++) {
        const src = base + (ys * w + srcCol[xo]!) * c;
        const dst = base + (yo * w + xo) * c;
        for (let k = 0; k < c; k++) out[dst + k] = x[src + k]!;
      }
    }
  }
  return out;
}
