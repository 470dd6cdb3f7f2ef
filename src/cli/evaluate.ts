/**
 * `mia evaluate --scores scores.csv --truth truth.csv [--json out.json]`: scores membership predictions
 * against the truth, as a scoring server would (seed 004's workflow). scores.csv has columns `id,score`
 * (higher = member), truth.csv `id,member` (1/0 or true/false, any case); other columns are ignored;
 * rows come in any order and are joined on id (ids compared after trimming surrounding spaces). The
 * join and the scoring live in audit/evaluate-scores.ts.
 */
import { basename } from 'node:path';
import { evaluateScores, joinScoresAndTruth } from '../audit/evaluate-scores.js';
import type { AttackResult } from '../audit/run-attacks.js';
import { MiaError } from '../errors.js';
import { readFileOrThrow, writeJsonAtomic } from '../io/atomic.js';
import { type CliCommand, parseCommandArgs } from './command.js';

const USAGE = `usage: mia evaluate --scores scores.csv --truth truth.csv [--json out.json]

Scores membership predictions against the truth: AUC, advantage, PPV, TPR at 0.1%, 1%, 5% and 10% FPR
(with 95% Clopper-Pearson intervals) and the epsilon lower bound.

  --scores FILE   CSV with columns id,score (higher = more likely a member; inf and -inf allowed)
  --truth FILE    CSV with columns id,member (1/0 or true/false)
  --json FILE     also write the metrics as JSON (the fields of a \`mia attack\` result)

Rows may come in any order; they are joined on id. An id present in one file only, a repeated id, or a
value that is not a number / not 1,0,true,false is an error naming file:line and the id.`;

/** The joined inputs of `mia evaluate`: scores and truth aligned by id, in truth.csv's row order. */
export const evaluateCommand: CliCommand = {
  name: 'evaluate',
  summary: 'score membership predictions (id,score CSV) against the truth (id,member CSV)',
  usage: USAGE,
  async run(argv) {
    const { values } = parseCommandArgs('evaluate', argv, {
      scores: { type: 'string' },
      truth: { type: 'string' },
      json: { type: 'string' },
    });
    for (const flag of ['scores', 'truth'] as const) {
      if (values[flag] === undefined) {
        throw new MiaError('E_USAGE', `--${flag} is required; see \`mia evaluate --help\``, {
          where: 'mia evaluate',
        });
      }
    }
    const scoresPath = values.scores!;
    const truthPath = values.truth!;
    const input = joinScoresAndTruth(readText(scoresPath), readText(truthPath), scoresPath, truthPath);
    const r = evaluateScores(input, truthPath);
    console.log(formatEvaluation(r, `${basename(scoresPath)} vs ${basename(truthPath)}`));
    if (values.json !== undefined) {
      writeJsonAtomic(values.json, { scores: scoresPath, truth: truthPath, ...r });
      console.log(`wrote ${values.json}`);
    }
    return 0;
  },
};

/** The text `mia evaluate` prints for one result. */
export function formatEvaluation(r: AttackResult, title: string): string {
  const pct = (x: number) => `${(x * 100).toFixed(2)}%`;
  const lines = [
    `${title}: ${r.nMembers + r.nNonMembers} samples (${r.nMembers} members, ${r.nNonMembers} non-members)`,
    `  AUC          ${r.auc.toFixed(4)}`,
    `  advantage    ${r.advantage.toFixed(4)}`,
    `  PPV          ${r.ppv.toFixed(4)}`,
  ];
  let flagged = false;
  for (const [k, e] of Object.entries(r.tprAtFpr)) {
    const label = `TPR@${pct(Number(k)).replace(/\.?0+%$/, '%')} FPR`;
    lines.push(
      `  ${label.padEnd(15)}${pct(e.tpr).padStart(7)}  [${pct(e.low)}, ${pct(e.high)}]${e.lowSupport ? ' *' : ''}`,
    );
    if (e.lowSupport) flagged = true;
  }
  lines.push(`  eps LB       ${r.epsilonLowerBound.toFixed(3)} (95% confidence, delta 1e-5)`);
  if (flagged)
    lines.push('  * fewer than 10 non-member false positives at that point: the TPR is not reliable');
  return lines.join('\n');
}

function readText(path: string): string {
  const bytes = readFileOrThrow(path);
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new MiaError('E_CSV', 'file is not valid UTF-8', { where: path });
  }
}

export { type EvaluationInput, evaluateScores, joinScoresAndTruth } from '../audit/evaluate-scores.js';
