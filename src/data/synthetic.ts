/**
 * A deterministic synthetic classification dataset (no I/O) that stands in when no real data is found,
 * and serves tests. Two kinds, chosen by the per-sample shape:
 * - images ([h, w, c]): each class has a template made of three Gaussian blobs per channel; a sample is
 *   its class template shifted by up to ±2 pixels, plus Gaussian pixel noise, rounded and clipped to the
 *   byte range [0, 255] like real images;
 * - tabular ([d]): class-conditional Gaussians, mean μ_c ~ N(0, 1)^d per class, x = μ_c + noise·N(0, 1)^d.
 * Labels are uniform over the classes. Same options (seed included) → the same bytes.
 */
import { MiaError } from '../errors.js';
import { Rng } from '../rng.js';
import {
  type ByteImages,
  byteImagesToDataset,
  type Dataset,
  type DatasetPair,
  sampleSize,
} from './dataset.js';

export interface SyntheticOptions {
  /** Training samples (default 5000). */
  nTrain?: number;
  /** Test samples (default 1000). */
  nTest?: number;
  /** Number of classes (default 10). */
  numClasses?: number;
  /** Per-sample shape: [h, w, c] for images, [d] for tabular rows (default [28, 28, 1]). */
  shape?: number[];
  /** Seed of every random choice (default 0). */
  seed?: number;
  /**
   * Noise level: images get pixel noise of standard deviation 48·noise grey levels around templates of
   * contrast ~160 (default 3); tabular rows get N(0, noise²) around class means of unit scale (default
   * 1.5). The defaults leave a train/test gap like Fashion-MNIST's: a one-hidden-layer MLP (sklearn,
   * 64 units) fits the 2000 training samples (100 % / 98 %) and scores ~88 % / ~84 % on the test samples.
   */
  noise?: number;
}

interface Resolved {
  nTrain: number;
  nTest: number;
  numClasses: number;
  shape: number[];
  seed: number;
  noise: number;
}

export const SYNTHETIC_SOURCE = 'synthetic (built in)';

function resolve(o: SyntheticOptions): Resolved {
  const r: Resolved = {
    nTrain: o.nTrain ?? 5000,
    nTest: o.nTest ?? 1000,
    numClasses: o.numClasses ?? 10,
    shape: o.shape ?? [28, 28, 1],
    seed: o.seed ?? 0,
    noise: 0,
  };
  r.noise = o.noise ?? (isImageShape(r.shape) ? 3 : 1.5);
  const bad = (field: string, expected: string, found: unknown) =>
    new MiaError('E_ARGUMENT', `synthetic dataset: ${field} must be ${expected}`, {
      where: `synthetic.${field}`,
      expected,
      found: JSON.stringify(found),
    });
  if (!Number.isInteger(r.nTrain) || r.nTrain < 1) throw bad('nTrain', 'a positive integer', r.nTrain);
  if (!Number.isInteger(r.nTest) || r.nTest < 1) throw bad('nTest', 'a positive integer', r.nTest);
  if (!Number.isInteger(r.numClasses) || r.numClasses < 2 || r.numClasses > 1000) {
    throw bad('numClasses', 'an integer in [2, 1000]', r.numClasses);
  }
  if ((r.shape.length !== 1 && r.shape.length !== 3) || r.shape.some((s) => !Number.isInteger(s) || s < 1)) {
    throw bad('shape', '[h, w, c] or [d] with positive integer sizes', r.shape);
  }
  if (!(r.noise >= 0) || !Number.isFinite(r.noise)) throw bad('noise', 'a finite number ≥ 0', r.noise);
  if (!Number.isFinite(r.seed)) throw bad('seed', 'a finite number', r.seed);
  return r;
}

/** True when the options describe images (a 3-dimensional per-sample shape). */
export function isImageShape(shape: readonly number[]): boolean {
  return shape.length === 3;
}

/**
 * Synthetic images as raw bytes (train and test from independent streams of one seed). Throws E_ARGUMENT
 * unless the shape is [h, w, c].
 */
export function makeSyntheticImages(options: SyntheticOptions = {}): { train: ByteImages; test: ByteImages } {
  const o = resolve(options);
  if (!isImageShape(o.shape)) {
    throw new MiaError('E_ARGUMENT', 'synthetic images need a shape [h, w, c]', {
      where: 'synthetic.shape',
      found: `[${o.shape.join(', ')}]`,
    });
  }
  const [h, w, ch] = o.shape as [number, number, number];
  const root = new Rng(o.seed);
  const templateRng = root.fork();
  const trainRng = root.fork();
  const testRng = root.fork();
  // Templates in [0, 1]: three Gaussian blobs per class and channel.
  const size = h * w * ch;
  const templates = new Float32Array(o.numClasses * size);
  for (let k = 0; k < o.numClasses; k++) {
    for (let c = 0; c < ch; c++) {
      for (let b = 0; b < 3; b++) {
        const cy = (0.2 + 0.6 * templateRng.next()) * h;
        const cx = (0.2 + 0.6 * templateRng.next()) * w;
        const s = (0.08 + 0.12 * templateRng.next()) * Math.max(h, w);
        const inv = 1 / (2 * s * s);
        for (let y = 0; y < h; y++) {
          for (let x = 0; x < w; x++) {
            const i = k * size + (y * w + x) * ch + c;
            const v = templates[i]! + Math.exp(-((y - cy) ** 2 + (x - cx) ** 2) * inv);
            templates[i] = Math.min(v, 1);
          }
        }
      }
    }
  }
  const table = normalTable();
  const gen = (n: number, rng: Rng): ByteImages => {
    const pixels = new Uint8Array(n * size);
    const labels = new Uint8Array(n);
    const sd = 48 * o.noise;
    let bits = 0;
    let half = false;
    // pixel noise: N(0, 1) quantiles looked up by 16 random bits (two draws per 32-bit word)
    const noise = (): number => {
      half = !half;
      if (half) {
        bits = rng.nextUint32();
        return table[bits & 0xffff]!;
      }
      return table[bits >>> 16]!;
    };
    for (let i = 0; i < n; i++) {
      const k = rng.int(o.numClasses);
      labels[i] = k;
      const dy = rng.int(5) - 2;
      const dx = rng.int(5) - 2;
      for (let y = 0; y < h; y++) {
        const sy = y - dy;
        for (let x = 0; x < w; x++) {
          const sx = x - dx;
          const inside = sy >= 0 && sy < h && sx >= 0 && sx < w;
          for (let c = 0; c < ch; c++) {
            const t = inside ? templates[k * size + (sy * w + sx) * ch + c]! : 0;
            const v = Math.round(40 + 160 * t + sd * noise());
            pixels[i * size + (y * w + x) * ch + c] = Math.min(255, Math.max(0, v));
          }
        }
      }
    }
    return { pixels, labels, n, shape: [h, w, ch] };
  };
  return { train: gen(o.nTrain, trainRng), test: gen(o.nTest, testRng) };
}

/**
 * The synthetic dataset as a DatasetPair. Images hold byte values as floats in [0, 255] (apply the same
 * normalisation as to real images); tabular rows are unnormalised Gaussians.
 */
export function makeSynthetic(options: SyntheticOptions = {}): DatasetPair {
  const o = resolve(options);
  if (isImageShape(o.shape)) {
    const raw = makeSyntheticImages(options);
    const meta = { name: 'synthetic', source: SYNTHETIC_SOURCE, numClasses: o.numClasses };
    return {
      train: byteImagesToDataset(raw.train, undefined, { ...meta, split: 'train' }),
      test: byteImagesToDataset(raw.test, undefined, { ...meta, split: 'test' }),
    };
  }
  const d = sampleSize(o.shape);
  const root = new Rng(o.seed);
  const meanRng = root.fork();
  const trainRng = root.fork();
  const testRng = root.fork();
  const means = new Float64Array(o.numClasses * d);
  for (let i = 0; i < means.length; i++) means[i] = meanRng.normal();
  const gen = (n: number, rng: Rng, split: 'train' | 'test'): Dataset => {
    const x = new Float32Array(n * d);
    const y = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      const k = rng.int(o.numClasses);
      y[i] = k;
      for (let j = 0; j < d; j++) x[i * d + j] = means[k * d + j]! + o.noise * rng.normal();
    }
    return {
      name: 'synthetic',
      source: SYNTHETIC_SOURCE,
      x,
      y,
      n,
      shape: [d],
      numClasses: o.numClasses,
      split,
    };
  };
  return { train: gen(o.nTrain, trainRng, 'train'), test: gen(o.nTest, testRng, 'test') };
}

let NORMAL_TABLE: Float64Array | undefined;

/** The 65536 standard-normal quantiles Φ⁻¹((i + 0.5) / 65536): a 16-bit discretised N(0, 1). */
function normalTable(): Float64Array {
  if (NORMAL_TABLE === undefined) {
    NORMAL_TABLE = new Float64Array(65536);
    for (let i = 0; i < 65536; i++) NORMAL_TABLE[i] = normalQuantile((i + 0.5) / 65536);
  }
  return NORMAL_TABLE;
}

/**
 * Φ⁻¹(p) for p in (0, 1): P. J. Acklam's rational approximation (relative error < 1.2e-9), no
 * refinement step. Exported for tests.
 */
export function normalQuantile(p: number): number {
  const a = [
    -39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716,
    2.506628277459239,
  ];
  const b = [
    -54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572,
  ];
  const c = [
    -0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968,
    2.938163982698783,
  ];
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
  const lo = 0.02425;
  if (p < lo) {
    const q = Math.sqrt(-2 * Math.log(p));
    return (
      (((((c[0]! * q + c[1]!) * q + c[2]!) * q + c[3]!) * q + c[4]!) * q + c[5]!) /
      ((((d[0]! * q + d[1]!) * q + d[2]!) * q + d[3]!) * q + 1)
    );
  }
  if (p > 1 - lo) return -normalQuantile(1 - p);
  const q = p - 0.5;
  const r = q * q;
  return (
    ((((((a[0]! * r + a[1]!) * r + a[2]!) * r + a[3]!) * r + a[4]!) * r + a[5]!) * q) /
    (((((b[0]! * r + b[1]!) * r + b[2]!) * r + b[3]!) * r + b[4]!) * r + 1)
  );
}
