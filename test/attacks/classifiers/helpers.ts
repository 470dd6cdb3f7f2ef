// Shared helpers of the classifier tests: synthetic problems and a brute-force AUC.
import { Rng } from '../../../src/rng.js';

/** AUC by brute-force Mann–Whitney: P(score of a 1 > score of a 0) + ½·P(tie), over all pairs. */
export function bruteAuc(scores: Float64Array, y: Uint8Array): number {
  let wins = 0;
  let pairs = 0;
  for (let i = 0; i < y.length; i++) {
    if (y[i] !== 1) continue;
    for (let j = 0; j < y.length; j++) {
      if (y[j] !== 0) continue;
      pairs++;
      if (scores[i]! > scores[j]!) wins += 1;
      else if (scores[i] === scores[j]) wins += 0.5;
    }
  }
  return wins / pairs;
}

/** Fraction of rows where (p ≥ 0.5) equals the label. */
export function accuracy(p: Float64Array, y: Uint8Array): number {
  let ok = 0;
  for (let i = 0; i < y.length; i++) if ((p[i]! >= 0.5 ? 1 : 0) === y[i]) ok++;
  return ok / y.length;
}

export interface Problem {
  x: Float64Array;
  y: Uint8Array;
  n: number;
  d: number;
}

/**
 * Linear problem with label noise: d features (first two informative, the others noise, on mixed
 * scales), y = 1 when 1.5·x₀ − x₁ + N(0, 1) > 0.
 */
export function linearProblem(n: number, d: number, seed: number): Problem {
  const rng = new Rng(seed);
  const x = new Float64Array(n * d);
  const y = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < d; j++) x[i * d + j] = rng.normal() * (j + 1) + j;
    const a = x[i * d]!;
    const b = (x[i * d + 1]! - 1) / 2;
    y[i] = 1.5 * a - b + rng.normal() > 0 ? 1 : 0;
  }
  return { x, y, n, d };
}

/**
 * XOR (checkerboard) problem no linear model can learn: two uniform features in [−1, 1], y = 1 when
 * they have the same sign, with 5% of labels flipped; plus `extra` uniform noise features.
 */
export function xorProblem(n: number, seed: number, extra = 0): Problem {
  const rng = new Rng(seed);
  const d = 2 + extra;
  const x = new Float64Array(n * d);
  const y = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < d; j++) x[i * d + j] = 2 * rng.next() - 1;
    const same = x[i * d]! * x[i * d + 1]! > 0;
    y[i] = (same ? 1 : 0) ^ (rng.next() < 0.05 ? 1 : 0);
  }
  return { x, y, n, d };
}

/** Members first (nm rows) then non-members; members' feature 0 is shifted up, so they are learnable. */
export function attackData(nm: number, nn: number, d: number, seed: number) {
  const rng = new Rng(seed);
  const n = nm + nn;
  const x = new Float64Array(n * d);
  const isMember = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const m = i < nm ? 1 : 0;
    isMember[i] = m;
    for (let j = 0; j < d; j++) x[i * d + j] = rng.normal() + (j === 0 ? 1.5 * m : 0);
  }
  return { x, isMember, n, d };
}
