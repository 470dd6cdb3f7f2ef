import { MiaError } from '../errors.js';

/** Membership scores as every metric takes them: one per sample, higher = more likely a member. */
export type Scores = Float64Array | Float32Array;

/** Throws E_SHAPE_MISMATCH unless `scores` and `isMember` have the same length. */
export function checkSameLength(scores: Scores, isMember: Uint8Array): void {
  if (isMember.length !== scores.length) {
    throw new MiaError('E_SHAPE_MISMATCH', 'scores and isMember must have one entry per sample', {
      where: 'isMember',
      expected: `length ${scores.length} (the length of scores)`,
      found: `length ${isMember.length}`,
    });
  }
}

/** The E_NOT_FINITE error for a NaN score at `index`. */
export function nanScoreError(index: number): MiaError {
  return new MiaError('E_NOT_FINITE', 'scores must not be NaN (±Infinity is allowed and ordered)', {
    where: `scores[${index}]`,
    expected: 'a number or ±Infinity',
    found: 'NaN',
  });
}

/** The E_LABEL_RANGE error for an isMember entry that is neither 0 nor 1. */
export function labelError(index: number, value: number): MiaError {
  return new MiaError('E_LABEL_RANGE', 'isMember must hold 1 (member) or 0 (non-member)', {
    where: `isMember[${index}]`,
    expected: '0 or 1',
    found: String(value),
  });
}

/** Throws E_EMPTY when there are no members or no non-members. */
export function checkBothClasses(nMembers: number, nNonMembers: number): void {
  if (nMembers === 0 || nNonMembers === 0) {
    const missing = nMembers === 0 ? 'members (isMember = 1)' : 'non-members (isMember = 0)';
    throw new MiaError('E_EMPTY', `there are no ${missing}: the metrics need both`, {
      where: 'isMember',
      expected: 'at least one member and one non-member',
      found: `${nMembers} members, ${nNonMembers} non-members`,
    });
  }
}

/** Throws E_ARGUMENT unless `value` is a number in [0, 1]. */
export function checkRate(value: number, where: string): void {
  if (!(value >= 0 && value <= 1)) {
    throw new MiaError('E_ARGUMENT', 'a rate must be between 0 and 1', {
      where,
      expected: 'a number in [0, 1]',
      found: String(value),
    });
  }
}
