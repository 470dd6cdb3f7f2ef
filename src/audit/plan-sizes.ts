/**
 * `mia plan`: how large an audit must be before it is run. TPR at a low FPR says something only when
 * (a) the FPR target rests on enough non-member false positives that the threshold is not set by a
 * handful of samples, and (b) the members are many enough that the Clopper–Pearson interval of the TPR
 * read there is as narrow as asked. And the reference attacks need enough reference models to be near
 * their best (the papers' figures, {@link REFERENCE_NEEDS}).
 */
import { MiaError } from '../errors.js';
import { clopperPearson } from '../metrics/intervals.js';

/** Non-member false positives an FPR target must rest on (the `lowSupport` flag of results.json). */
export const MIN_FALSE_POSITIVES = 10;

/**
 * Non-members needed so that FPR target `fpr` rests on ≥ {@link MIN_FALSE_POSITIVES} false positives:
 * ⌈10 / fpr⌉ (10,000 at 0.1% FPR).
 */
export function nonMembersFor(fpr: number): number {
  return Math.ceil(MIN_FALSE_POSITIVES / fpr - 1e-9);
}

/**
 * Half the width of the two-sided Clopper–Pearson 95% interval of a TPR p read on n members, at the
 * count k = round(p·n) (metrics/intervals.ts clopperPearson): (high − low) / 2.
 */
export function tprHalfWidth(p: number, n: number): number {
  const ci = clopperPearson(Math.round(p * n), n, 0.95);
  return (ci.high - ci.low) / 2;
}

/**
 * Members needed so the Clopper–Pearson 95% interval of a TPR near `p` has half-width ≤ `halfWidth`: the
 * n found by bisection on {@link tprHalfWidth}(p, ·), which falls with n apart from the rounding of k,
 * with the guarantee tprHalfWidth(p, n) ≤ halfWidth < tprHalfWidth(p, n − 1). Throws E_ARGUMENT unless
 * 0 < halfWidth < 0.5 and 0 ≤ p ≤ 1.
 */
export function membersFor(p: number, halfWidth: number): number {
  if (!(halfWidth > 0 && halfWidth < 0.5)) {
    throw new MiaError('E_ARGUMENT', 'the half-width must be in (0, 0.5)', {
      where: '--half-width',
      found: String(halfWidth),
    });
  }
  if (!(p >= 0 && p <= 1)) {
    throw new MiaError('E_ARGUMENT', 'the expected TPR must be in [0, 1]', {
      where: '--expected-tpr',
      found: String(p),
    });
  }
  const ok = (n: number) => tprHalfWidth(p, n) <= halfWidth;
  let hi = 1;
  while (!ok(hi)) hi *= 2;
  if (hi === 1) return 1;
  let lo = hi / 2; // not ok (or the previous doubling step)
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (ok(mid)) hi = mid;
    else lo = mid;
  }
  return hi;
}

/** What the papers say an attack needs in reference models. */
export interface ReferenceNeed {
  /** Reference models (IN and OUT together) at which the attack is near its best. */
  models: number;
  /** Why, with the source. */
  source: string;
}

const CARLINI =
  'Carlini et al. 2022, "Membership Inference Attacks From First Principles" (IEEE S&P), Fig. 9';
const RMIA =
  'Zarifzadeh et al. 2024, "Low-Cost High-Power Membership Inference Attacks" (ICML), Fig. 1 and Sec. 5';

/**
 * Reference models per attack, from the papers: RMIA is close to its best with 1–4 offline references
 * (plan 4); LiRA online with per-example variances needs ≥ 64 (below 64 use the fixed-variance variant),
 * with a fixed variance ≥ 16; attacks without reference models need 0.
 */
export const REFERENCE_NEEDS: Readonly<Record<string, ReferenceNeed>> = {
  rmia: { models: 4, source: `${RMIA}: offline RMIA is close to its best with 1–4 reference models` },
  'rmia-online': { models: 4, source: `${RMIA}: with 2–4 models (half IN, half OUT) it is near its best` },
  'lira-online': {
    models: 64,
    source: `${CARLINI}: per-example variances need ≥ 64 shadow models; below 64 use lira-online-fixed-variance`,
  },
  'lira-online-fixed-variance': {
    models: 16,
    source: `${CARLINI}: online LiRA needs ≥ 16 shadow models; a global variance is the better estimate below 64`,
  },
  'lira-offline': {
    models: 64,
    source: `${CARLINI}: per-example OUT variances need ≥ 64 models (half of them OUT for each sample)`,
  },
  'lira-offline-fixed-variance': {
    models: 16,
    source: `${CARLINI}: offline LiRA with a global variance works from ~16 models`,
  },
  'attack-r': {
    models: 8,
    source:
      'Ye et al. 2022, "Enhanced Membership Inference Attacks against ML Models" (CCS): a reference-model ' +
      'quantile per sample; 8 is this tool’s rule of thumb, not a figure from the paper',
  },
  shadow: {
    models: 8,
    source: 'Shokri et al. 2017 (IEEE S&P): shadow models; 8 is this tool’s rule of thumb',
  },
};

/** The reference models attack `name` needs (0 for attacks that use none). */
export function referenceNeed(name: string): ReferenceNeed {
  return REFERENCE_NEEDS[name] ?? { models: 0, source: `${name} uses no reference model` };
}

/**
 * `audit.reference_models` for `models` usable references: the keep matrix pairs the target with one
 * reference trained on the other half (which RMIA and LiRA leave out), so target + references must be
 * even: the smallest odd number ≥ models + 1.
 */
export function referenceModelsKey(models: number): number {
  if (models === 0) return 0;
  return models % 2 === 0 ? models + 1 : models + 2;
}

/** The audit budget of {@link planAudit}. */
export interface AuditPlan {
  fpr: number;
  halfWidth: number;
  expectedTpr: number;
  nonMembers: number;
  members: number;
  /** `data.audit_size` of the reference mode: each model trains on a random half, so 2 · max(members, non-members). */
  auditSize: number;
  attack: string;
  referenceModels: number;
  /** `audit.reference_models` that gives that many usable references. */
  referenceModelsKey: number;
  notes: string[];
}

/**
 * The sizes for TPR at `fpr` with a 95% half-width ≤ `halfWidth` at an expected TPR (default 0.5, the
 * widest interval: a bound for any TPR), and the reference models of `attack`.
 */
export function planAudit(o: {
  fpr: number;
  halfWidth: number;
  expectedTpr?: number;
  attack: string;
}): AuditPlan {
  if (!(o.fpr > 0 && o.fpr < 1)) {
    throw new MiaError('E_ARGUMENT', 'the FPR target must be in (0, 1)', {
      where: '--fpr',
      found: String(o.fpr),
    });
  }
  const p = o.expectedTpr ?? 0.5;
  const nonMembers = nonMembersFor(o.fpr);
  const members = membersFor(p, o.halfWidth);
  const need = referenceNeed(o.attack);
  const notes = [
    `non-members: ${nonMembers} so that FPR ${o.fpr} rests on ≥ ${MIN_FALSE_POSITIVES} false positives (fewer are flagged lowSupport)`,
    `members: ${members} so that the Clopper–Pearson 95% interval of a TPR of ${p} is ±${o.halfWidth} or narrower` +
      (o.expectedTpr === undefined
        ? ' (TPR 0.5 is the widest case; --expected-tpr for a smaller budget)'
        : ''),
    `reference models for ${o.attack}: ${need.models} — ${need.source}`,
  ];
  return {
    fpr: o.fpr,
    halfWidth: o.halfWidth,
    expectedTpr: p,
    nonMembers,
    members,
    auditSize: 2 * Math.max(members, nonMembers),
    attack: o.attack,
    referenceModels: need.models,
    referenceModelsKey: referenceModelsKey(need.models),
    notes,
  };
}

/** An FPR target of a config that its non-members cannot resolve. */
export interface UnresolvedTarget {
  fpr: number;
  nonMembers: number;
  /** fpr · nonMembers: the false positives it rests on (< 10). */
  falsePositives: number;
  /** Non-members that would resolve it. */
  needed: number;
}

/** The FPR targets that rest on fewer than 10 false positives at `nonMembers` non-members. */
export function unresolvedTargets(fprTargets: readonly number[], nonMembers: number): UnresolvedTarget[] {
  return fprTargets
    .filter((fpr) => fpr * nonMembers < MIN_FALSE_POSITIVES - 1e-9)
    .map((fpr) => ({ fpr, nonMembers, falsePositives: fpr * nonMembers, needed: nonMembersFor(fpr) }));
}

/** One line for an unresolved target: "audit.fpr_targets 0.001 rests on 1 false positive at 1000 non-members (…)". */
export function unresolvedLine(u: UnresolvedTarget): string {
  const fp = Number(u.falsePositives.toFixed(2));
  return (
    `audit.fpr_targets ${u.fpr} rests on ${fp} false positive${fp === 1 ? '' : 's'} at ${u.nonMembers} non-members ` +
    `(needs ${u.needed}, data.audit_size ≥ ${2 * u.needed}): its TPR is not resolved`
  );
}
