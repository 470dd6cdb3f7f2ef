/**
 * `mia evaluate`'s metrics: membership predictions joined with the truth (src/signals/predictions.ts)
 * scored as a `mia attack` result.
 */
import { checkBothClasses, type EvaluationInput, readPredictions } from '../signals/predictions.js';
import { entireDatasetResult } from './entire-dataset-result.js';
import type { AttackResult } from './run-attacks.js';

/**
 * The metrics of `mia evaluate`: a `mia attack` result (attack "evaluate", signal "score", entire
 * dataset). E_EMPTY naming `truthName` when the truth lacks members or non-members.
 */
export function evaluateScores(input: EvaluationInput, truthName = 'the truth'): AttackResult {
  checkBothClasses(input.isMember, truthName);
  const r = entireDatasetResult(
    { attack: 'evaluate', signal: 'score', scores: input.scores },
    input.isMember,
  );
  if (r === undefined) throw new Error('unreachable: both classes were checked');
  return r;
}

/** Reads, joins (src/signals/predictions.ts `readPredictions`) and scores scores.csv against truth.csv. */
export function evaluatePredictions(scoresPath: string, truthPath: string): AttackResult {
  return evaluateScores(readPredictions(scoresPath, truthPath), truthPath);
}
