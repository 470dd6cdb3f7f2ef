import { MiaError } from '../errors.js';
import { checkConfidence, clopperPearsonLower, clopperPearsonUpper } from './intervals.js';
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
  delta: number;
  confidence: number;
}

/** Above this many Clopper–Pearson evaluations per side the search stops with a conservative answer. */
const MAX_EVALUATIONS = 20000;

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
 *   over all T thresholds, exactly: an O(T) pass bounds each threshold between Clopper–Pearson values at
 *   bracketing counts of a geometric grid; only thresholds that might beat the best proven value get
 *   their own counts evaluated, refining until the maximum is settled (a few hundred to a few thousand
 *   evaluations for 10^7 thresholds). Should that exceed 20,000 evaluations, the best value proven so
 *   far is returned — still a valid lower bound, never above the exact one.
 * - `high`: the same with Clopper–Pearson lower bounds floored at ½ count (see EpsilonBound.high); on the
 *   evaluation cap, the smallest value proven to be an upper bound.
 *
 * Throws E_CONFIG unless delta ∈ [0, 1) and confidence ∈ (0, 1).
 */
export function epsilonLowerBound(roc: RocCurve, options: EpsilonOptions = {}): EpsilonBound {
  const delta = options.delta ?? 1e-5;
  const confidence = options.confidence ?? 0.95;
  if (!(delta >= 0 && delta < 1)) {
    throw new MiaError('E_CONFIG', 'delta must be at least 0 and below 1', {
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
  const lowSearch = maxBound(
    roc,
    oneMinusDelta,
    (k) => clopperPearsonUpper(k, n0, alpha),
    (j) => clopperPearsonUpper(j, n1, alpha),
  );
  const highSearch = maxBound(
    roc,
    oneMinusDelta,
    (k) => Math.max(clopperPearsonLower(k, n0, alpha), 0.5 / n0),
    (j) => Math.max(clopperPearsonLower(j, n1, alpha), 0.5 / n1),
  );
  return {
    epsilon: toEpsilon(plugIn),
    low: toEpsilon(lowSearch.lower),
    high: toEpsilon(highSearch.upper),
    thresholdsTried,
    delta,
    confidence,
  };
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

function maxPlugIn(roc: RocCurve, oneMinusDelta: number): number {
  const { tp, fp } = roc;
  const n1 = roc.nMembers;
  const n0 = roc.nNonMembers;
  const halfA = 0.5 / n0;
  const halfB = 0.5 / n1;
  let best = 0;
  for (let i = 1; i < tp.length - 1; i++) {
    const fpCount = fp[i]!;
    const fnCount = n1 - tp[i]!;
    const a = fpCount > 0 ? fpCount / n0 : halfA;
    const b = fnCount > 0 ? fnCount / n1 : halfB;
    const v = bound(a, b, oneMinusDelta);
    if (v > best) best = v;
  }
  return best;
}

/** A monotone (non-decreasing in the count) rate bound, evaluated on demand and memoized. */
class CountFunction {
  private readonly cache = new Map<number, number>();
  nodes: Float64Array = new Float64Array(0);
  values: Float64Array = new Float64Array(0);
  evaluations = 0;

  constructor(
    private readonly f: (count: number) => number,
    n: number,
  ) {
    // Initial grid: 0..16, then geometric (ratio 1.25) up to n/2, mirrored toward n.
    const counts = new Set<number>();
    for (let c = 0; c <= Math.min(16, n); c++) {
      counts.add(c);
      counts.add(n - c);
    }
    for (let c = 16; c <= n / 2; c = Math.ceil(c * 1.25)) {
      counts.add(c);
      counts.add(n - c);
    }
    this.add(counts);
  }

  add(counts: Iterable<number>): void {
    for (const c of counts) {
      if (!this.cache.has(c)) {
        this.cache.set(c, this.f(c));
        this.evaluations++;
      }
    }
    const keys = [...this.cache.keys()].sort((a, b) => a - b);
    this.nodes = Float64Array.from(keys);
    this.values = Float64Array.from(keys, (k) => this.cache.get(k)!);
  }

  /** Index of the largest node ≤ count (nodes always include 0 and n). */
  bracket(count: number): number {
    const nodes = this.nodes;
    let lo = 0;
    let hi = nodes.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (nodes[mid]! <= count) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }
}

interface SearchResult {
  /** A value ≤ the exact maximum (equal to it unless the evaluation cap was hit). */
  lower: number;
  /** A value ≥ the exact maximum (equal to it unless the evaluation cap was hit). */
  upper: number;
}

/**
 * Exact max over the interior ROC points of bound(A(fp), B(fn)) for monotone, expensive A and B, by
 * branch and bound on count brackets (see epsilonLowerBound).
 */
function maxBound(
  roc: RocCurve,
  oneMinusDelta: number,
  fA: (count: number) => number,
  fB: (count: number) => number,
): SearchResult {
  const { tp, fp } = roc;
  const n1 = roc.nMembers;
  const first = 1;
  const last = tp.length - 2;
  const A = new CountFunction(fA, roc.nNonMembers);
  const B = new CountFunction(fB, n1);

  // Seed the best proven value from every 64th point, then one pass over all interior points (fp rises
  // and fn falls along the curve, so both brackets are walked, not searched) that raises it and keeps
  // the candidates: points whose upper bound exceeds it. Dropping a point is safe as soon as its upper
  // bound is ≤ any proven value, so a running best that is still rising only keeps a few extra points.
  let best = 0;
  let candidates = new Int32Array(1024);
  let count = 0;
  for (const stride of [64, 1]) {
    const an = A.nodes;
    const av = A.values;
    const bn = B.nodes;
    const bv = B.values;
    let pa = 0;
    let pb = bn.length - 1;
    for (let i = first; i <= last; i += stride) {
      const k = fp[i]!;
      const j = n1 - tp[i]!;
      while (pa + 1 < an.length && an[pa + 1]! <= k) pa++;
      while (bn[pb]! > j) pb--;
      const exactA = an[pa] === k;
      const exactB = bn[pb] === j;
      const l = bound(exactA ? av[pa]! : av[pa + 1]!, exactB ? bv[pb]! : bv[pb + 1]!, oneMinusDelta);
      if (l > best) best = l;
      if (stride === 1 && !(exactA && exactB) && bound(av[pa]!, bv[pb]!, oneMinusDelta) > best) {
        if (count === candidates.length) {
          const grown = new Int32Array(2 * count);
          grown.set(candidates);
          candidates = grown;
        }
        candidates[count++] = i;
      }
    }
  }
  // Refinement rounds on the candidates only (points at exact counts were settled by their exact value).
  for (;;) {
    const openA = new Set<number>();
    const openB = new Set<number>();
    const midA = new Set<number>();
    const midB = new Set<number>();
    let kept = 0;
    for (let c = 0; c < count; c++) {
      const i = candidates[c]!;
      const k = fp[i]!;
      const j = n1 - tp[i]!;
      const pa = A.bracket(k);
      const pb = B.bracket(j);
      const exactA = A.nodes[pa] === k;
      const exactB = B.nodes[pb] === j;
      const loA = A.values[pa]!;
      const loB = B.values[pb]!;
      const l = bound(exactA ? loA : A.values[pa + 1]!, exactB ? loB : B.values[pb + 1]!, oneMinusDelta);
      if (l > best) best = l;
      if (exactA && exactB) continue;
      const u = bound(loA, loB, oneMinusDelta);
      if (!(u > best)) continue;
      candidates[kept++] = i;
      if (!exactA) {
        openA.add(k);
        midA.add(Math.floor((A.nodes[pa]! + A.nodes[pa + 1]!) / 2));
      }
      if (!exactB) {
        openB.add(j);
        midB.add(Math.floor((B.nodes[pb]! + B.nodes[pb + 1]!) / 2));
      }
    }
    count = kept;
    if (count === 0) return { lower: best, upper: best };
    if (A.evaluations + B.evaluations > MAX_EVALUATIONS) {
      // Give up refining: the kept points' upper bounds still bound the maximum from above.
      let upper = best;
      for (let c = 0; c < count; c++) {
        const i = candidates[c]!;
        const u = bound(A.values[A.bracket(fp[i]!)]!, B.values[B.bracket(n1 - tp[i]!)]!, oneMinusDelta);
        if (u > upper) upper = u;
      }
      return { lower: best, upper };
    }
    // Few distinct open counts: evaluate them exactly; many: split their brackets.
    A.add(openA.size <= 64 ? openA : midA);
    B.add(openB.size <= 64 ? openB : midB);
  }
}
