import { MiaError } from '../errors.js';
import {
  checkConfidence,
  clopperPearsonLower,
  clopperPearsonLowerBelow,
  clopperPearsonLowerBelowTight,
  clopperPearsonUpper,
  clopperPearsonUpperBelow,
  clopperPearsonUpperBelowTight,
  type NormalQuantileBounds,
  normalQuantileBounds,
} from './intervals.js';
import type { RocCurve } from './roc.js';

/** Options of {@link epsilonLowerBound}. */
export interface EpsilonOptions {
  /**
   * The δ of the (ε, δ)-DP guarantee being tested; default 1e-5. The bound is decreasing in δ, and a
   * mechanism that is (ε, δ')-DP with δ' ≤ δ is also (ε, δ)-DP, so a bound computed at δ = 1e-5 is valid
   * evidence against every claim with δ' ≤ 1e-5 — the δ of typical DP-SGD training and every pure-DP
   * (δ = 0) claim. Pass the claimed δ to test a larger one; δ = 0 gives the (slightly larger) pure-DP bound.
   */
  delta?: number;
  /** Confidence of `low` (and of `high`, each on its own side); default 0.95. */
  confidence?: number;
}

/** An empirical ε lower bound implied by an attack's ROC curve. */
export interface EpsilonBound {
  /**
   * Point estimate: max over thresholds of the plug-in bound, with an empty count (0 false positives or
   * 0 false negatives) taken as ½ so it stays finite. ≥ 0.
   */
  epsilon: number;
  /**
   * The audit's claim: with probability ≥ `confidence` the mechanism is not (ε', δ)-DP for any ε' < low.
   * Clopper–Pearson upper bounds on FPR and FNR at every threshold, Bonferroni-corrected over all of them.
   * ≥ 0; 0 means the attack proves nothing.
   */
  low: number;
  /**
   * Upper end: the same maximum with Clopper–Pearson lower bounds on the rates at the same per-test
   * confidence, each floored at ½ count / n (as in `epsilon`, so high is finite and ≥ epsilon ≥ low). Without
   * the floor it is a `confidence`-level upper bound on the ε this attack family can demonstrate; rates
   * truly below ½ / n are beyond what the sample can resolve.
   */
  high: number;
  /** T: thresholds over which the bound maximizes (ROC points minus the two trivial end points). */
  thresholdsTried: number;
  /** The operating point that gives `low`; undefined when low = 0 (no threshold proves anything). */
  at?: EpsilonOperatingPoint;
  delta: number;
  confidence: number;
}

/** The threshold test behind an ε lower bound, and which of its two error rates drives it. */
export interface EpsilonOperatingPoint {
  /** Predict member iff score ≥ threshold. */
  threshold: number;
  /** Its false positive rate fp / nNonMembers and true positive rate tp / nMembers. */
  fpr: number;
  tpr: number;
  falsePositives: number;
  falseNegatives: number;
  /**
   * 'fpr': the bound is ln((1 − δ − FNR)/FPR) — few non-members flagged (a low-FPR test);
   * 'fnr': ln((1 − δ − FPR)/FNR) — few members missed: nearly every member scores above a threshold
   * that many non-members fall below (for a loss score, the non-members' high-loss tail).
   */
  ratio: 'fpr' | 'fnr';
}

/** Above this many Clopper–Pearson evaluations per side the search stops with a conservative answer. */
const MAX_EVALUATIONS = 20000;

/** Consecutive ROC points bounded together before any point is looked at. */
const BLOCK = 64;

/**
 * Empirical ε lower bound for (ε, δ)-differential privacy from a membership attack (Kairouz et al. 2015
 * hypothesis-testing view, as used by Jagielski et al. 2020, "Auditing Differentially Private Machine
 * Learning: How Private is Private SGD?", and Nasr et al. 2021, "Adversary Instantiation").
 *
 * A threshold test with false positive rate α and false negative rate β against an (ε, δ)-DP mechanism
 * obeys α + e^ε β ≥ 1 − δ and e^ε α + β ≥ 1 − δ, hence
 *   ε ≥ max( ln((1 − δ − α) / β), ln((1 − δ − β) / α) )
 * (a term counts only when its numerator is positive; ε ≥ 0 always). Every ROC point is one threshold
 * test: α = fp / nNonMembers, β = (nMembers − tp) / nMembers. The two end points, (0, 0) and (1, 1),
 * can never give ε > 0 and are not counted; T = points − 2 thresholds are tried.
 *
 * - `epsilon`: the maximum of the bound over the T thresholds with α, β replaced by their estimates,
 *   max(fp, ½)/nNonMembers and max(fn, ½)/nMembers (½ count where a count is 0, so it is finite).
 * - `low`: the same maximum with α, β replaced by one-sided Clopper–Pearson upper bounds at error
 *   (1 − confidence) / (2T) each — 2T bounds in all (Bonferroni), so all of them hold simultaneously with
 *   probability ≥ confidence, and then the true ε exceeds the bound of every threshold. The maximum is
 *   over all T thresholds, exactly, by branch and bound: rigorous lower bounds on the Clopper–Pearson
 *   values (from the Zubkov–Serov binomial inequality, see intervals.ts) bound every threshold's value
 *   from above — first per block of 64 consecutive thresholds, then per threshold cheaply, then to within
 *   about one count — and only thresholds whose bound beats the best exact value get their counts
 *   evaluated exactly (typically a few to a few dozen evaluations, also for 10^7 thresholds). Should that
 *   exceed 20,000 evaluations, the best value proven so far is returned — still a valid lower bound,
 *   never above the exact one.
 * - `high`: the same with Clopper–Pearson lower bounds floored at ½ count (see EpsilonBound.high); on the
 *   evaluation cap, the smallest value proven to be an upper bound.
 *
 * Throws E_ARGUMENT unless delta ∈ [0, 1) and confidence ∈ (0, 1).
 */
export function epsilonLowerBound(roc: RocCurve, options: EpsilonOptions = {}): EpsilonBound {
  const delta = options.delta ?? 1e-5;
  const confidence = options.confidence ?? 0.95;
  if (!(delta >= 0 && delta < 1)) {
    throw new MiaError('E_ARGUMENT', 'delta must be at least 0 and below 1', {
      where: 'delta',
      expected: 'a number in [0, 1), e.g. 1e-5',
      found: String(delta),
    });
  }
  checkConfidence(confidence, 'confidence');
  const thresholdsTried = Math.max(0, roc.tp.length - 2);
  if (thresholdsTried === 0) return { epsilon: 0, low: 0, high: 0, thresholdsTried, delta, confidence };
  const n1 = roc.nMembers;
  const n0 = roc.nNonMembers;
  const oneMinusDelta = 1 - delta;
  const alpha = (1 - confidence) / (2 * thresholdsTried);

  const plugIn = maxPlugIn(roc, oneMinusDelta);
  const z = normalQuantileBounds(alpha);
  const lowSearch = maxBound(roc, oneMinusDelta, new Rate(true, n0, alpha, z), new Rate(true, n1, alpha, z));
  const highSearch = maxBound(
    roc,
    oneMinusDelta,
    new Rate(false, n0, alpha, z),
    new Rate(false, n1, alpha, z),
  );
  const out: EpsilonBound = {
    epsilon: toEpsilon(plugIn),
    low: toEpsilon(lowSearch.lower),
    high: toEpsilon(highSearch.upper),
    thresholdsTried,
    delta,
    confidence,
  };
  const i = lowSearch.index;
  if (out.low > 0 && i >= 0) {
    const fp = roc.fp[i]!;
    const fn = n1 - roc.tp[i]!;
    // which term wins, judged on the plug-in rates (½ count where a count is 0, as `epsilon`)
    const a = (oneMinusDelta - fn / n1) / (Math.max(fp, 0.5) / n0);
    const b = (oneMinusDelta - fp / n0) / (Math.max(fn, 0.5) / n1);
    out.at = {
      threshold: roc.thresholds[i]!,
      fpr: roc.fpr[i]!,
      tpr: roc.tpr[i]!,
      falsePositives: fp,
      falseNegatives: fn,
      ratio: a >= b ? 'fpr' : 'fnr',
    };
  }
  return out;
}

function toEpsilon(ratio: number): number {
  return ratio > 1 ? Math.log(ratio) : 0;
}

/**
 * max( (1−δ−A)/B, (1−δ−B)/A ), a term counting only with a positive numerator; 0 if neither does.
 * Decreasing in A and in B. A and B are always > 0 here.
 */
function bound(a: number, b: number, oneMinusDelta: number): number {
  const n1 = oneMinusDelta - a;
  const n2 = oneMinusDelta - b;
  const r1 = n1 > 0 ? n1 / b : 0;
  const r2 = n2 > 0 ? n2 / a : 0;
  return Math.max(r1, r2);
}

/**
 * Max over the interior points of the plug-in bound. Its rates are non-decreasing in the counts, so a
 * block of BLOCK consecutive points is ≤ the bound at its first fp and last fn; blocks that cannot beat the
 * best point of the most promising block are skipped.
 */
function maxPlugIn(roc: RocCurve, oneMinusDelta: number): number {
  const { tp, fp } = roc;
  const n1 = roc.nMembers;
  const n0 = roc.nNonMembers;
  const first = 1;
  const last = tp.length - 2;
  const rateA = (count: number) => (count > 0 ? count / n0 : 0.5 / n0);
  const rateB = (count: number) => (count > 0 ? count / n1 : 0.5 / n1);
  const nBlocks = Math.ceil((last - first + 1) / BLOCK);
  const blockBound = new Float64Array(nBlocks);
  let top = 0;
  for (let k = 0; k < nBlocks; k++) {
    const s = first + k * BLOCK;
    const e = Math.min(last, s + BLOCK - 1);
    const u = bound(rateA(fp[s]!), rateB(n1 - tp[e]!), oneMinusDelta);
    blockBound[k] = u;
    if (u > blockBound[top]!) top = k;
  }
  let best = 0;
  for (let pass = 0; pass < 2; pass++) {
    for (let k = pass === 0 ? top : 0; k < (pass === 0 ? top + 1 : nBlocks); k++) {
      if (!(blockBound[k]! > best)) continue;
      const s = first + k * BLOCK;
      const e = Math.min(last, s + BLOCK - 1);
      for (let i = s; i <= e; i++) {
        const v = bound(rateA(fp[i]!), rateB(n1 - tp[i]!), oneMinusDelta);
        if (v > best) best = v;
      }
    }
  }
  return best;
}

/**
 * One of the two rates of a threshold test as a function of its error count c: the exact value, evaluated
 * on demand and memoized, and two rigorous lower bounds (see intervals.ts) — `cheap` (a square root or
 * two) and `tight` (a few Newton steps, within about one count of the exact value).
 *
 * `upper` true: clopperPearsonUpper(c, n, α), non-decreasing in c, so also ≥ its exact value at c = 0.
 * `upper` false: max(clopperPearsonLower(c, n, α), ½/n).
 */
class Rate {
  private readonly cache = new Map<number, number>();
  evaluations = 0;
  /** The exact value at c = 0 for `upper`, ½/n otherwise: a lower bound at every count. */
  readonly floor: number;
  /** normalQuantileBounds(α).below for `upper`, .above otherwise. */
  private readonly z: number;

  constructor(
    private readonly upper: boolean,
    private readonly n: number,
    private readonly alpha: number,
    z: NormalQuantileBounds,
  ) {
    this.z = upper ? z.below : z.above;
    this.floor = upper ? this.exact(0) : 0.5 / n;
  }

  exact(count: number): number {
    let v = this.cache.get(count);
    if (v === undefined) {
      v = this.upper
        ? clopperPearsonUpper(count, this.n, this.alpha)
        : Math.max(clopperPearsonLower(count, this.n, this.alpha), this.floor);
      this.cache.set(count, v);
      this.evaluations++;
    }
    return v;
  }

  cheap(count: number): number {
    const p = this.upper
      ? clopperPearsonUpperBelow(count, this.n, this.z)
      : clopperPearsonLowerBelow(count, this.n, this.z);
    return p > this.floor ? p : this.floor;
  }

  tight(count: number): number {
    const p = this.upper
      ? clopperPearsonUpperBelowTight(count, this.n, this.z)
      : clopperPearsonLowerBelowTight(count, this.n, this.z);
    return p > this.floor ? p : this.floor;
  }
}

/** A binary max-heap of (key, value) pairs. */
class MaxHeap {
  keys: Float64Array;
  values: Float64Array;
  size = 0;

  constructor(capacity: number) {
    this.keys = new Float64Array(Math.max(16, capacity));
    this.values = new Float64Array(Math.max(16, capacity));
  }

  push(key: number, value: number): void {
    if (this.size === this.keys.length) {
      const k = new Float64Array(2 * this.size);
      k.set(this.keys);
      this.keys = k;
      const v = new Float64Array(2 * this.size);
      v.set(this.values);
      this.values = v;
    }
    const keys = this.keys;
    const values = this.values;
    let i = this.size++;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!(keys[parent]! < key)) break;
      keys[i] = keys[parent]!;
      values[i] = values[parent]!;
      i = parent;
    }
    keys[i] = key;
    values[i] = value;
  }

  /** Removes the top entry (size > 0); read it from keys[0], values[0] first. */
  pop(): void {
    const keys = this.keys;
    const values = this.values;
    const n = --this.size;
    const key = keys[n]!;
    const value = values[n]!;
    let i = 0;
    for (;;) {
      let c = 2 * i + 1;
      if (c >= n) break;
      if (c + 1 < n && keys[c + 1]! > keys[c]!) c++;
      if (!(keys[c]! > key)) break;
      keys[i] = keys[c]!;
      values[i] = values[c]!;
      i = c;
    }
    keys[i] = key;
    values[i] = value;
  }
}

interface SearchResult {
  /** A value ≤ max(1, the exact maximum) (equal to it unless the evaluation cap was hit). */
  lower: number;
  /** A value ≥ max(1, the exact maximum) (equal to it unless the evaluation cap was hit). */
  upper: number;
  /** The ROC point whose exact value is `lower`; −1 when no point beat 1. */
  index: number;
}

/**
 * max(1, exact max over the interior ROC points of bound(A(fp), B(fn))) — values ≤ 1 all mean ε = 0 — by
 * best-first branch and bound (see epsilonLowerBound). Three levels of upper bounds, each ≥ the value of
 * every point it covers: a block of BLOCK consecutive points (fp rises and fn falls along the curve, and
 * A, B are non-decreasing) is ≤ bound(cheap A at its first fp, cheap B at its last fn); a point is ≤
 * bound(cheap A, cheap B) and ≤ bound(tight A, tight B). A max-heap holds blocks and points keyed by their
 * best bound so far; the top entry is refined one level (block → its points, cheap → tight → exact value)
 * until its key no longer exceeds the best exact value, which then is the maximum.
 */
function maxBound(roc: RocCurve, oneMinusDelta: number, A: Rate, B: Rate): SearchResult {
  const { tp, fp } = roc;
  const n1 = roc.nMembers;
  const first = 1;
  const last = tp.length - 2;
  const nBlocks = Math.ceil((last - first + 1) / BLOCK);
  let best = 1;
  let bestIndex = -1;
  // Entries: value = 3·b for block b, 3·i + 1 for point i with its cheap bound, 3·i + 2 with its tight one.
  const heap = new MaxHeap(nBlocks + 64);
  for (let b = 0; b < nBlocks; b++) {
    const s = first + b * BLOCK;
    const e = Math.min(last, s + BLOCK - 1);
    const u = bound(A.cheap(fp[s]!), B.cheap(n1 - tp[e]!), oneMinusDelta);
    if (u > best) heap.push(u, 3 * b);
  }
  while (heap.size > 0) {
    const key = heap.keys[0]!;
    if (!(key > best)) break;
    const value = heap.values[0]!;
    heap.pop();
    const level = value % 3;
    const index = (value - level) / 3;
    if (level === 0) {
      const s = first + index * BLOCK;
      const e = Math.min(last, s + BLOCK - 1);
      for (let i = s; i <= e; i++) {
        const u = bound(A.cheap(fp[i]!), B.cheap(n1 - tp[i]!), oneMinusDelta);
        if (u > best) heap.push(u, 3 * i + 1);
      }
    } else if (level === 1) {
      const u = bound(A.tight(fp[index]!), B.tight(n1 - tp[index]!), oneMinusDelta);
      if (u > best) heap.push(Math.min(u, key), 3 * index + 2);
    } else {
      if (A.evaluations + B.evaluations >= MAX_EVALUATIONS)
        return { lower: best, upper: key, index: bestIndex };
      const v = bound(A.exact(fp[index]!), B.exact(n1 - tp[index]!), oneMinusDelta);
      if (v > best) {
        best = v;
        bestIndex = index;
      }
    }
  }
  return { lower: best, upper: best, index: bestIndex };
}
