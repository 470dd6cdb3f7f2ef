/**
 * Privacy auditing with one training run (Steinke, Nasr & Jagielski, NeurIPS 2023, arXiv:2305.08846):
 * m canaries, each included in the training set independently with probability ½; after one training
 * run the auditor guesses "member" for the k₊ canaries with the highest membership scores and
 * "non-member" for the k₋ with the lowest, abstaining on the rest. Under (ε, δ)-DP, the number V of
 * correct guesses among the r = k₊ + k₋ made is stochastically dominated by Binomial(r, e^ε/(1 + e^ε))
 * up to a δ term (their Theorem 3.1 / 5.2), so observing v correct guesses rejects every ε whose p-value
 * is below β: ε̂ is a lower bound on ε at confidence 1 − β.
 *
 * The p-value is their Appendix D's `p_value_DP_audit`: with q = e^ε/(1 + e^ε),
 *   p(ε, δ) = min(1, P[Bin(r, q) ≥ v] + 2mδ · max_{1≤i≤v} P[v − i ≤ Bin(r, q) < v] / i),
 * and δ = 0 gives the pure-DP test P[Bin(r, q) ≥ v] (the δ term vanishes).
 */
import { MiaError } from '../errors.js';
import { logGamma } from './beta.js';

function checkCounts(m: number, r: number, v: number): void {
  const ok = [m, r, v].every((x) => Number.isInteger(x)) && v >= 0 && v <= r && r <= m;
  if (!ok)
    throw new MiaError('E_ARGUMENT', 'one-run audit counts must be integers with 0 ≤ v ≤ r ≤ m', {
      found: `m ${m}, r ${r}, v ${v}`,
    });
}

function checkDeltaBeta(delta: number, beta: number): void {
  if (!(delta >= 0 && delta <= 1))
    throw new MiaError('E_ARGUMENT', 'delta must be in [0, 1]', { found: String(delta) });
  if (!(beta > 0 && beta < 1))
    throw new MiaError('E_ARGUMENT', 'beta (1 − confidence) must be in (0, 1)', { found: String(beta) });
}

/** P[Bin(r, q)= k] for k = 0 … r, q = e^ε/(1 + e^ε), in float64 through log space. */
function binomialPmf(r: number, epsilon: number): Float64Array {
  const l = Math.log1p(Math.exp(-epsilon)); // −log q
  const logQ = -l;
  const log1Q = -epsilon - l; // log(1 − q) = log(e^{−ε} q)
  const lr = logGamma(r + 1);
  const out = new Float64Array(r + 1);
  for (let k = 0; k <= r; k++) {
    const lc = lr - logGamma(k + 1) - logGamma(r - k + 1);
    out[k] = Math.exp(lc + (k === 0 ? 0 : k * logQ) + (k === r ? 0 : (r - k) * log1Q));
  }
  return out;
}

/**
 * The probability of at least `v` correct guesses out of `r` under the null hypothesis that training
 * is (ε, δ)-DP, with `m` canaries each included independently with probability ½ (see the module
 * header; Steinke et al. 2023, Appendix D). In [0, 1]; nondecreasing in ε and δ.
 */
export function oneRunPValue(m: number, r: number, v: number, epsilon: number, delta: number): number {
  checkCounts(m, r, v);
  if (!(epsilon >= 0)) throw new MiaError('E_ARGUMENT', 'epsilon must be ≥ 0', { found: String(epsilon) });
  if (!(delta >= 0 && delta <= 1))
    throw new MiaError('E_ARGUMENT', 'delta must be in [0, 1]', { found: String(delta) });
  if (v === 0) return 1;
  const pmf = binomialPmf(r, epsilon);
  let tail = 0;
  for (let k = r; k >= v; k--) tail += pmf[k]!;
  let alpha = 0;
  if (delta > 0) {
    let sum = 0;
    for (let i = 1; i <= v; i++) {
      sum += pmf[v - i]!;
      if (sum > i * alpha) alpha = sum / i;
    }
  }
  return Math.min(1, tail + alpha * delta * 2 * m);
}

/**
 * ε̂: the largest ε at which `oneRunPValue(m, r, v, ε, δ)` is below `beta` — with probability ≥ 1 − β
 * the training is not (ε′, δ)-DP for any ε′ < ε̂. 0 when even ε = 0 is not rejected. Found by doubling
 * then bisection to an absolute width of 1e-10 (the paper's loop bisects 30 times within [k, k + 1]).
 * δ = 0 gives the pure-DP bound: the largest ε with P[Bin(r, e^ε/(1+e^ε)) ≥ v] ≤ β.
 */
export function oneRunEpsilon(m: number, r: number, v: number, delta: number, beta: number): number {
  checkCounts(m, r, v);
  checkDeltaBeta(delta, beta);
  const p = (e: number) => oneRunPValue(m, r, v, e, delta);
  if (p(0) >= beta) return 0;
  let lo = 0;
  let hi = 1;
  while (p(hi) < beta) {
    lo = hi;
    hi *= 2;
    if (hi > 1e4) return Infinity; // v = r guesses so many that no finite ε explains them (never in float64)
  }
  while (hi - lo > 1e-10) {
    const mid = (lo + hi) / 2;
    if (p(mid) < beta) lo = mid;
    else hi = mid;
  }
  return lo;
}

/** The bound at one number of guesses k (k₊ = k₋ = k). */
export interface OneRunGuess {
  /** Guesses per side: the top k scores guessed members, the bottom k non-members. */
  k: number;
  /** r = 2k, the guesses made. */
  guesses: number;
  /** v, the correct ones. */
  correct: number;
  /** The (ε, δ) bound at confidence 1 − β/K (K = the number of k tried). */
  epsilon: number;
  /** The pure-DP (δ = 0) bound at the same confidence. */
  pureEpsilon: number;
}

/** The one-run audit of a set of canaries (see {@link oneRunAudit}). */
export interface OneRunResult {
  /** m, the canaries. */
  canaries: number;
  /** How many were members (drawn: about m/2). */
  members: number;
  /** The largest (ε, δ) bound over the k tried: ε̂ at joint confidence 1 − β. */
  epsilon: number;
  /** The largest pure-DP bound over the k tried, at joint confidence 1 − β. */
  pureEpsilon: number;
  delta: number;
  /** β of the whole sweep (each k is tested at β/K). */
  beta: number;
  /** The k whose bound is `epsilon` (the first in the list on ties). */
  k: number;
  /** Every k tried, in the order given. */
  sweep: OneRunGuess[];
}

/**
 * Steinke et al.'s one-run audit of `scores` (higher = more likely a member) of m canaries whose
 * membership `isMember` (1 = trained on) was drawn independently with probability ½: for each k of
 * `guesses` the top k are guessed members and the bottom k non-members (r = 2k ≤ m), each bound is
 * computed at β/K for the K values of k tried (Bonferroni, so that the maximum over the sweep holds with
 * probability ≥ 1 − β), and the largest is returned. Ties in the scores are broken by canary index
 * (lower first), which is independent of membership. NaN scores are refused; ±∞ are ranked.
 */
export function oneRunAudit(
  scores: ArrayLike<number>,
  isMember: ArrayLike<number>,
  o: { guesses: readonly number[]; delta: number; beta: number },
): OneRunResult {
  const m = scores.length;
  if (isMember.length !== m)
    throw new MiaError('E_SHAPE_MISMATCH', 'scores and membership have different lengths', {
      expected: String(m),
      found: String(isMember.length),
    });
  checkDeltaBeta(o.delta, o.beta);
  if (o.guesses.length === 0) throw new MiaError('E_ARGUMENT', 'give at least one number of guesses k');
  for (const k of o.guesses)
    if (!(Number.isInteger(k) && k >= 1 && 2 * k <= m))
      throw new MiaError(
        'E_ARGUMENT',
        `each k of guesses must be an integer in [1, m/2] (m = ${m} canaries)`,
        {
          found: String(k),
        },
      );
  let members = 0;
  for (let i = 0; i < m; i++) {
    if (Number.isNaN(scores[i]!))
      throw new MiaError('E_NOT_FINITE', `the score of canary ${i} is NaN`, { where: 'one-run audit' });
    members += isMember[i] === 1 ? 1 : 0;
  }
  const order = Array.from({ length: m }, (_, i) => i).sort((a, b) => {
    const d = scores[b]! - scores[a]!;
    return d > 0 || d < 0 ? d : a - b; // ∞ − ∞ is NaN: equal
  });
  const each = o.beta / o.guesses.length;
  const sweep: OneRunGuess[] = o.guesses.map((k) => {
    let v = 0;
    for (let j = 0; j < k; j++) v += isMember[order[j]!] === 1 ? 1 : 0;
    for (let j = m - k; j < m; j++) v += isMember[order[j]!] === 1 ? 0 : 1;
    return {
      k,
      guesses: 2 * k,
      correct: v,
      epsilon: oneRunEpsilon(m, 2 * k, v, o.delta, each),
      pureEpsilon: oneRunEpsilon(m, 2 * k, v, 0, each),
    };
  });
  let best = sweep[0]!;
  for (const s of sweep) if (s.epsilon > best.epsilon) best = s;
  return {
    canaries: m,
    members,
    epsilon: best.epsilon,
    pureEpsilon: Math.max(...sweep.map((s) => s.pureEpsilon)),
    delta: o.delta,
    beta: o.beta,
    k: best.k,
    sweep,
  };
}
