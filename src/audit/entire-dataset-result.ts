import type { AttackScores } from '../attacks/registry.js';
import { type AttackResult, DEFAULT_FPR_TARGETS, resultForSlice } from './run-attacks.js';

/**
 * The metrics of one attack's scores on the entire dataset — every sample, or the attack's `evaluated`
 * ones — at the default FPR targets: run-attacks.ts `resultForSlice` with the slice `entire_dataset`.
 * Undefined when those samples hold no member or no non-member.
 */
export function entireDatasetResult(s: AttackScores, isMember: Uint8Array): AttackResult | undefined {
  const all = new Uint8Array(isMember.length).fill(1);
  return resultForSlice(s, { feature: 'entire_dataset' }, all, isMember, DEFAULT_FPR_TARGETS);
}
