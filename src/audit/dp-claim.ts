/**
 * The run's differential-privacy claim: the one ε lower bound an audit may state, with the assumption
 * it rests on and the correction for everything it picked from (issue 17 item 1).
 *
 * An attack's threshold test bounds ε only if each audited sample's membership was drawn at random,
 * independently of the others and of the model: then every sample is a trial of the mechanism. That
 * holds for the target of reference mode, whose keep row is a seeded random half of the audit samples
 * (keep.ts; a fixed count makes the draws weakly dependent, which the bound ignores), and for no fixed
 * split (experiments mode, a TF Privacy .npz, `mia evaluate`'s files, whose design the tool cannot see).
 * Without random inclusion the run states no DP claim at all.
 */
import type { AttackScores } from '../attacks/registry.js';
import { epsilonLowerBound } from '../metrics/epsilon.js';
import { rocCurve } from '../metrics/roc.js';
import type { DpClaimJson, MembershipJson } from './run-format/index.js';

/** How the audited samples' membership was decided (results.json `membership`). */
export type Membership = MembershipJson;

/** Reference mode: the target's members are a seeded random half of the audit samples. */
export const RANDOM_HALF: Membership = {
  design: 'random-half',
  detail:
    "each audit sample joined the target's training set by a seeded random draw (a random half: keep.ts), " +
    'so the samples are trials of the training mechanism; the fixed count makes the draws weakly dependent',
};

/** Reference mode with audit.one_run: the random half, and the canaries' independent draws. */
export const RANDOM_HALF_WITH_CANARIES: Membership = {
  design: 'random-half',
  detail:
    "each audit sample joined the target's training set by a seeded random draw (a random half: keep.ts), " +
    'except the one-run canaries, each of which joined it independently with probability 1/2 ' +
    '(one-run-audit.ts), so the samples are trials of the training mechanism',
};

/** Experiments mode: every model trains on the whole training split. */
export const FIXED_SPLIT: Membership = {
  design: 'fixed-split',
  detail:
    'members are a fixed training split and non-members a fixed held-out split, not drawn at random per ' +
    'sample: the attacks measure leakage, but no ε lower bound follows from them',
};

/** One attack's scores of one target, with the membership it is judged against. */
export interface ClaimCandidate {
  scores: AttackScores;
  /** 1 = member, over the same samples as scores.scores. */
  isMember: Uint8Array;
  experiment?: string;
  model?: string;
}

/**
 * The threshold-test ε claim over `candidates` (every attack of every target of the run, on the entire
 * dataset): each attack's ε lower bound (metrics/epsilon.ts — Clopper–Pearson on FPR and FNR at every
 * threshold, both ratios, Bonferroni over them) computed at confidence 1 − (1 − c)/K for the K
 * candidates, so that the maximum over attacks, thresholds and ratios holds with probability ≥ c as a
 * whole. Returns the claim of the candidate with the largest bound (ε = 0 when none proves anything),
 * undefined for no candidates. Samples an attack did not score (`evaluated` 0) are left out.
 */
export function thresholdTestClaim(
  candidates: readonly ClaimCandidate[],
  confidence = 0.95,
  delta = 1e-5,
): DpClaimJson | undefined {
  if (candidates.length === 0) return undefined;
  const k = candidates.length;
  const each = 1 - (1 - confidence) / k;
  let best: DpClaimJson | undefined;
  let thresholds = 0;
  for (const c of candidates) {
    const { scores, isMember } = evaluatedOnly(c);
    let members = 0;
    for (let i = 0; i < isMember.length; i++) members += isMember[i]!;
    if (members === 0 || members === isMember.length) continue;
    const bound = epsilonLowerBound(rocCurve(scores, isMember), { confidence: each, delta });
    thresholds += bound.thresholdsTried;
    if (best === undefined || bound.low > best.epsilon) {
      best = {
        method: 'threshold-test',
        epsilon: bound.low,
        delta,
        confidence,
        attack: c.scores.attack,
        ...(c.experiment !== undefined ? { experiment: c.experiment } : {}),
        ...(c.model !== undefined ? { model: c.model } : {}),
        ...(bound.at !== undefined ? { at: bound.at } : {}),
        attacksCorrected: k,
        thresholdsCorrected: 0,
      };
    }
  }
  if (best !== undefined) best.thresholdsCorrected = thresholds;
  return best;
}

function evaluatedOnly(c: ClaimCandidate): { scores: Float64Array; isMember: Uint8Array } {
  const ev = c.scores.evaluated;
  if (ev === undefined) return { scores: Float64Array.from(c.scores.scores), isMember: c.isMember };
  let n = 0;
  for (let i = 0; i < ev.length; i++) n += ev[i] ? 1 : 0;
  const scores = new Float64Array(n);
  const isMember = new Uint8Array(n);
  let j = 0;
  for (let i = 0; i < ev.length; i++) {
    if (!ev[i]) continue;
    scores[j] = c.scores.scores[i]!;
    isMember[j++] = c.isMember[i]!;
  }
  return { scores, isMember };
}
