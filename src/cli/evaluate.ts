/**
 * `mia evaluate --scores scores.csv --truth truth.csv [--json out.json]`: scores membership predictions
 * against the truth, as a scoring server would (seed 004's workflow). The files and their join:
 * src/signals/predictions.ts; the metrics: src/audit/evaluate-scores.ts.
 */
import { basename } from 'node:path';
import type { AttackResult } from '../audit/run-attacks.js';
import { writeJsonAtomic } from '../io/atomic.js';
import { outputName } from '../io/output-target.js';
import { defineCommand } from './command.js';
import { text } from './flags.js';

export const evaluateCommand = defineCommand({
  name: 'evaluate',
  summary: 'score membership predictions (id,score CSV) against the truth (id,member CSV)',
  description: `Scores membership predictions against the truth: AUC with its 95% DeLong interval, advantage, TPR at 0.1%,
1%, 5% and 10% FPR (95% Clopper-Pearson intervals) with the threshold, realised FPR and precision of each.`,
  flags: {
    scores: text({
      required: true,
      example: 'scores.csv',
      placeholder: 'FILE',
      description: 'CSV with columns id,score (higher = more likely a member; inf and -inf allowed)',
    }),
    truth: text({
      required: true,
      example: 'truth.csv',
      placeholder: 'FILE',
      description: 'CSV with columns id,member (1/0 or true/false)',
    }),
    json: text({
      placeholder: 'FILE',
      output: 'file',
      example: 'out.json',
      description: 'also write the metrics as JSON (the fields of a `mia attack` result)',
    }),
  },
  epilog: `Rows may come in any order; they are joined on id. An id present in one file only, a repeated id, or a
value that is not a number / not 1,0,true,false is an error naming file:line and the id.`,
  async run(args) {
    const { evaluatePredictions } = await import('../audit/evaluate-scores.js');
    const r = evaluatePredictions(args.scores, args.truth);
    console.log(formatEvaluation(r, `${basename(args.scores)} vs ${basename(args.truth)}`));
    if (args.json !== undefined) {
      writeJsonAtomic(args.json, { scores: args.scores, truth: args.truth, ...r });
      console.log(`wrote ${outputName(args.json)}`);
    }
    return 0;
  },
});

/** The text `mia evaluate` prints for one result. */
export function formatEvaluation(r: AttackResult, title: string): string {
  const pct = (x: number) => `${(x * 100).toFixed(2)}%`;
  const lines = [
    `${title}: ${r.nMembers + r.nNonMembers} samples (${r.nMembers} members, ${r.nNonMembers} non-members)`,
    `  AUC          ${r.auc.toFixed(4)}  [${r.aucInterval.low.toFixed(4)}, ${r.aucInterval.high.toFixed(4)}] (95%, ${r.aucInterval.method})` +
      (r.aucInterval.low <= 0.5 && r.aucInterval.high >= 0.5 ? ' — not distinguishable from chance' : ''),
    `  advantage    ${r.advantage.toFixed(4)}`,
  ];
  let flagged = false;
  for (const [k, e] of Object.entries(r.tprAtFpr)) {
    const label = `TPR@${pct(Number(k)).replace(/\.?0+%$/, '%')} FPR`;
    lines.push(
      `  ${label.padEnd(15)}${pct(e.tpr).padStart(7)}  [${pct(e.low)}, ${pct(e.high)}]${e.lowSupport ? ' *' : ''}` +
        `  at score ≥ ${e.threshold.toPrecision(6)}, realised FPR ${pct(e.fpr)} (${e.falsePositives} FP)` +
        (Number.isNaN(e.precision)
          ? ', precision –'
          : `, precision ${pct(e.precision)} [${pct(e.precisionLow)}, ${pct(e.precisionHigh)}]`),
    );
    if (e.lowSupport) flagged = true;
  }
  // no ε line: the files do not say whether membership was drawn at random, the bound's assumption
  lines.push(
    '  eps LB       not stated: valid only if each sample was made a member by an independent random draw, which the files do not record (--json has it as epsilonLowerBound)',
  );
  if (flagged)
    lines.push('  * fewer than 10 non-member false positives at that point: the TPR is not reliable');
  return lines.join('\n');
}
