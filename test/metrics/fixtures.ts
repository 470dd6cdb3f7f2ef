// Loads the oracle values written by fixtures/make_fixtures.py (sklearn, scipy, TF Privacy's formulas).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export interface RocFixture {
  name: string;
  dtype: string;
  isMember: number[];
  scores: number[];
  fp: number[];
  tp: number[];
  thresholdsAfterFirst: number[];
  auc: number;
  advantage: number;
  advantageAbs: number;
  ppv: number;
  tprAtFpr: Record<string, { index: number; tpr: number; fpr: number }>;
}

export interface EpsilonFixture {
  name: string;
  isMember: number[];
  scores: number[];
  delta: number;
  confidence: number;
  thresholdsTried: number;
  epsilon: number;
  low: number;
  high: number;
}

export interface Fixtures {
  roc: RocFixture[];
  clopperPearson: { k: number; n: number; confidence: number; low: number; high: number }[];
  clopperPearsonOneSided: {
    k: number;
    n: number;
    alpha: number;
    upper: number;
    lower: number;
    upperExact?: number;
    lowerExact?: number;
  }[];
  epsilon: EpsilonFixture[];
}

const path = fileURLToPath(new URL('./fixtures/metrics_fixtures.json', import.meta.url));
export const fixtures = JSON.parse(readFileSync(path, 'utf8')) as Fixtures;

/** |a − b| ≤ tol · max(1, |b|). */
export function close(a: number, b: number, tol: number): boolean {
  return Math.abs(a - b) <= tol * Math.max(1, Math.abs(b));
}

/** |a − b| ≤ tol · |b| (relative), exact when b = 0. */
export function relClose(a: number, b: number, tol: number): boolean {
  return a === b || Math.abs(a - b) <= tol * Math.abs(b);
}
