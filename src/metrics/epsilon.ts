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
  const zBelow = normalQuantileBelow(alpha);
  const zAbove = normalQuantileAbove(alpha);
  const lowSearch = maxBound(roc, oneMinusDelta, new Rate(true, n0, alpha, zBelow), new Rate(true, n1, alpha, zBelow));
  const highSearch = maxBound(
    roc,
    oneMinusDelta,
    new Rate(false, n0, alpha, zAbove),
    new Rate(false, n1, alpha, zAbove),
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

/** Relative safety margin applied to the cheap rate bounds, far above their rounding error (~1e-15). */
const MARGIN = 1 - 1e-10;

const LN_SQRT_2PI = 0.9189385332046728; // ½·ln(2π)

/**
 * A number z ≤ z_α = Φ⁻¹(1 − α), from Gordon's inequality Φ(−z) ≥ φ(z)·z/(1 + z²) (z > 0): bisection for
 * the z ≥ 1 where the right side equals α, keeping the end where it is still ≥ α. 0 when α ≥ φ(1)/2.
 */
function normalQuantileBelow(alpha: number): number {
  const target = Math.log(alpha);
  const g = (z: number) => -0.5 * z * z - LN_SQRT_2PI + Math.log(z) - Math.log1p(z * z);
  let lo = 1;
  if (!(g(lo) >= target)) return 0;
  let hi = Math.sqrt(-2 * target) + 1; // g(hi) < target
  for (let it = 0; it < 200 && hi - lo > 1e-13 * hi; it++) {
    const mid = 0.5 * (lo + hi);
    if (g(mid) >= target) lo = mid;
    else hi = mid;
  }
  return lo * MARGIN;
}

/**
 * A number z ≥ z_α = Φ⁻¹(1 − α), from the Mills-ratio bound Φ(−z) ≤ φ(z)/z: bisection for the z where the
 * right side equals α, keeping the end where it is ≤ α.
 */
function normalQuantileAbove(alpha: number): number {
  const target = Math.log(alpha);
  const h = (z: number) => -0.5 * z * z - LN_SQRT_2PI - Math.log(z);
  let lo = 0;
  let hi = Math.sqrt(-2 * target) + 1; // h(hi) < target
  for (let it = 0; it < 200 && hi - lo > 1e-13 * hi; it++) {
    const mid = 0.5 * (lo + hi);
    if (h(mid) <= target) hi = mid;
    else lo = mid;
  }
  return hi / MARGIN;
}

/**
 * Bernoulli Kullback–Leibler divergence H(q, p) = q·ln(q/p) + (1 − q)·ln((1 − q)/(1 − p)) for 0 < p < 1,
 * 0 ≤ q ≤ 1, in the log1p form that keeps its relative precision when p is close to q.
 */
function kl(q: number, p: number): number {
  const d = p - q;
  return (q > 0 ? -q * Math.log1p(d / q) : 0) + (q < 1 ? (1 - q) * Math.log1p(d / (1 - p)) : 0);
}

/**
 * One of the two rates of a threshold test, as a function of its error count: exact values evaluated on
 * demand and memoized, and two rigorous lower bounds for every count — `cheap` (a square root or two) and
 * `tight` (a few Newton steps; within about one count of the exact value).
 *
 * Both rest on the inequality of Zubkov & Serov (2013, "A complete proof of universal inequalities for the
 * distribution function of the binomial law", Theory Probab. Appl. 57(3)): for S ~ Bin(n, p) and
 * 0 ≤ c < n, Φ(sign(c − np)·√(2n·H(c/n, p))) ≤ P(S ≤ c), with H the Bernoulli Kullback–Leibler divergence,
 * H(q, p) = ∫_q^p (t − q)/(t(1 − t)) dt.
 *
 * `upper` true: the Clopper–Pearson upper bound U(c) = clopperPearsonUpper(c, n, α), P(S ≤ c) = α at
 * p = U(c) > c/n. The inequality gives H(c/n, U(c)) ≥ z_α²/(2n), z_α = Φ⁻¹(1 − α), so U(c) is at least the
 * root p > c/n of H(c/n, p) = z²/(2n) for any z ≤ z_α (tight), and at least q + z·√(m/n), q = c/n, for m ≤
 * min of t(1 − t) on [q, p], since H(q, p) ≤ (p − q)²/(2m) (cheap). Also U(c) ≥ U(0) (monotone in c).
 *
 * `upper` false: max(L(c), ½/n) with L(c) = clopperPearsonLower(c, n, α), P(S ≤ c − 1) = 1 − α at p = L(c).
 * The inequality at c − 1 gives H(q, L(c)) ≤ z_α²/(2n), q = (c − 1)/n, when L(c) < q; so L(c) is at least
 * the root p < q of H(q, p) = z²/(2n) for any z ≥ z_α (tight), and at least q − z·√(M/n) for M ≥ max of
 * t(1 − t) on [p, q], since H(q, p) ≥ (q − p)²/(2M) (cheap) — trivially also when L(c) ≥ q.
 *
 * The z used are bounds on z_α from Gordon's and the Mills-ratio inequalities; every bound computed in
 * floating point is then shrunk by a relative 1e-10 (or 1e-9 after Newton), far beyond its rounding error.
 */
class Rate {
  private readonly cache = new Map<number, number>();
  evaluations = 0;
  /** U(0) for `upper` (exact, via the same evaluation), ½/n otherwise. */
  readonly floor: number;
  /** z²/(2n). */
  private readonly target: number;

  constructor(
    readonly upper: boolean,
    readonly n: number,
    private readonly alpha: number,
    /** z ≤ z_α for `upper`, z ≥ z_α otherwise. */
    readonly z: number,
  ) {
    this.target = (z * z) / (2 * n);
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

  /** The tight lower bound (see the class comment); never below cheap(this, count). */
  tight(count: number): number {
    const start = cheap(this, count);
    const n = this.n;
    const t = this.target;
    if (this.upper) {
      if (count === 0 || count === n) return start;
      const q = count / n;
      // H(q, ·) is convex and increasing on (q, 1): Newton from above the root stays above it. Start at
      // q + √(t/2), above the root by Pinsker (H ≥ 2(p − q)²), or closer to 1 until H exceeds t.
      let p = q + Math.sqrt(t / 2);
      if (!(p < 1)) {
        p = q;
        for (let i = 0; i < 64 && !(kl(q, p) > t); i++) p = 0.5 * (p + 1);
        if (!(p < 1)) return start;
      }
      for (let i = 0; i < 60; i++) {
        const step = ((kl(q, p) - t) * p * (1 - p)) / (p - q);
        if (!(step >= 0)) break;
        p -= step;
        if (step <= 1e-13 * p) break;
      }
      p *= 1 - 1e-9;
      return p > start && kl(q, p) <= t ? p : start;
    }
    if (count <= 1) return start;
    const q = (count - 1) / n;
    // H(q, ·) is convex and decreasing on (0, q): Newton from below the root stays below it. Start at the
    // larger of the cheap bound and q·e^(−1 − t/q), below the root since H(q, p) ≥ q·ln(q/p) − q.
    let p = Math.max(start, q * Math.exp(-1 - t / q));
    if (!(p > 0 && p < q)) return start;
    for (let i = 0; i < 60; i++) {
      const step = ((kl(q, p) - t) * p * (1 - p)) / (q - p);
      if (!(step >= 0)) break;
      p += step;
      if (step <= 1e-13 * p) break;
    }
    p *= 1 - 1e-9;
    return p > start && kl(q, p) >= t ? p : start;
  }
}

/** The cheap lower bound on rate.exact(count) (see Rate), at the cost of a square root or two. */
function cheap(rate: Rate, count: number): number {
  const n = rate.n;
  let p: number;
  if (rate.upper) {
    const q = count / n;
    const v = q * (1 - q);
    let m = v;
    const hat = q + rate.z * Math.sqrt(v / n); // ≥ the bound below, so [q, p] ⊂ [q, hat]
    if (hat > 0.5) {
      const w = hat * (1 - hat);
      if (w < m) m = w > 0 ? w : 0;
    }
    p = (q + rate.z * Math.sqrt(m / n)) * MARGIN;
  } else {
    if (count === 0) return rate.floor;
    const q = (count - 1) / n;
    const m = q <= 0.5 ? q * (1 - q) : 0.25;
    p = (q - rate.z * Math.sqrt(m / n)) * MARGIN;
  }
  return p > rate.floor ? p : rate.floor;
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
}

/** Points per block of the coarse level. */
const BLOCK = 64;

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
  // Entries: value = 3·b for block b, 3·i + 1 for point i with its cheap bound, 3·i + 2 with its tight one.
  const heap = new MaxHeap(nBlocks + 64);
  for (let b = 0; b < nBlocks; b++) {
    const s = first + b * BLOCK;
    const e = Math.min(last, s + BLOCK - 1);
    const u = bound(cheap(A, fp[s]!), cheap(B, n1 - tp[e]!), oneMinusDelta);
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
        const u = bound(cheap(A, fp[i]!), cheap(B, n1 - tp[i]!), oneMinusDelta);
        if (u > best) heap.push(u, 3 * i + 1);
      }
    } else if (level === 1) {
      const u = bound(A.tight(fp[index]!), B.tight(n1 - tp[index]!), oneMinusDelta);
      if (u > best) heap.push(Math.min(u, key), 3 * index + 2);
    } else {
      if (A.evaluations + B.evaluations >= MAX_EVALUATIONS) return { lower: best, upper: key };
      const v = bound(A.exact(fp[index]!), B.exact(n1 - tp[index]!), oneMinusDelta);
      if (v > best) best = v;
    }
  }
  return { lower: best, upper: best };
}
