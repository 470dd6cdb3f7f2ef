import type { TrainedAttackResult } from './trained-attack.js';

/**
 * The `note` of a cross-fitted trained attack's scores (AttackScores.note, results[].note): the split in
 * words and, when maxTrainPerClass was reached, how many samples trained each attacker, e.g. "each
 * attacker trained on 100000 of the 2000000 samples of its half (seeded subsample: at most 50000 per
 * class; trees at most 10 deep). 2-fold cross-fitted (seed 0): …". Below the cap the note is the split
 * alone.
 */
export function crossFitNote(r: TrainedAttackResult): string {
  const s = r.split;
  const split =
    `2-fold cross-fitted (seed ${s.seed}): each attacker trained on ${s.trainMembers} members + ` +
    `${s.trainNonMembers} non-members of one half and scored the other half; all ` +
    `${s.evalMembers} + ${s.evalNonMembers} samples scored out-of-sample`;
  const c = r.subsample;
  if (c === undefined) return split;
  const limits = c.limits === '' ? '' : `; ${c.limits}`;
  return (
    `each attacker trained on ${s.trainMembers + s.trainNonMembers} of the ` +
    `${c.availableMembers + c.availableNonMembers} samples of its half (seeded subsample: at most ` +
    `${c.maxTrainPerClass} per class${limits}). ${split}`
  );
}
