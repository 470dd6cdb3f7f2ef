/**
 * When a slice's numbers mean something: the minimum slice size below which a slice is shown greyed
 * and never compared, and the test that lets a "worst case" name a slice only when it beats the whole
 * dataset beyond the noise after correcting for every slice × attack compared.
 */
import { normalQuantileBounds } from './intervals.js';
import type { SliceSpec } from './slicing.js';

/**
 * Slices with fewer members or fewer non-members than this are too small to compare: their AUC and
 * TPR swing by more than any difference they would show (a slice of 2 members has an AUC interval
 * ~0.5 wide). Tables and charts show them greyed; the worst case never names them.
 */
export const MIN_SLICE_SIZE = 30;

/** The fields the comparison reads (an AttackResult has them all). */
export interface SliceComparable {
  attack: string;
  slice: SliceSpec;
  nMembers: number;
  nNonMembers: number;
  auc: number;
  aucInterval: { se: number };
}

/** True when `r` has fewer than {@link MIN_SLICE_SIZE} members or non-members. */
export function isSmallSlice(r: { nMembers: number; nNonMembers: number }): boolean {
  return Math.min(r.nMembers, r.nNonMembers) < MIN_SLICE_SIZE;
}

/** What {@link compareSlices} found. */
export interface SliceComparison<T> {
  /** Slice × attack pairs compared (K of the correction); 0 when no slice is large enough. */
  compared: number;
  /** The one-sided critical value Φ⁻¹(1 − 0.05/K) a slice's z must exceed (NaN when K = 0). */
  critical: number;
  /** The slice named as the worst case, or undefined when none beats the whole beyond the noise. */
  exposed: { slice: T; entire: T; z: number } | undefined;
}

/**
 * Whether any slice beats the entire dataset beyond the noise. Every result on a slice of
 * ≥ {@link MIN_SLICE_SIZE} members and non-members is paired with the entire-dataset result of the same
 * attack (and of the same target, per `sameTarget`); its z = (AUC_slice − AUC_entire) /
 * √(SE_slice² + SE_entire²) (DeLong SEs, combined as if independent, which overstates the noise of a
 * part of the dataset — conservative) must exceed the one-sided Bonferroni critical value
 * Φ⁻¹(1 − 0.05/K) over the K pairs compared. Of the pairs that pass, the one of largest z is `exposed`.
 * Pairs with a non-finite z (both SEs 0) are not counted.
 */
export function compareSlices<T extends SliceComparable>(
  results: readonly T[],
  sameTarget: (a: T, b: T) => boolean = () => true,
): SliceComparison<T> {
  const pairs: { slice: T; entire: T; z: number }[] = [];
  for (const r of results) {
    if (r.slice.feature === 'entire_dataset' || isSmallSlice(r)) continue;
    const e = results.find(
      (x) => x.slice.feature === 'entire_dataset' && x.attack === r.attack && sameTarget(x, r),
    );
    if (e === undefined) continue;
    const z = (r.auc - e.auc) / Math.hypot(r.aucInterval.se, e.aucInterval.se);
    if (Number.isFinite(z)) pairs.push({ slice: r, entire: e, z });
  }
  if (pairs.length === 0) return { compared: 0, critical: Number.NaN, exposed: undefined };
  const critical = normalQuantileBounds(0.05 / pairs.length).above;
  const top = pairs.reduce((a, b) => (b.z > a.z ? b : a));
  return { compared: pairs.length, critical, exposed: top.z > critical ? top : undefined };
}
