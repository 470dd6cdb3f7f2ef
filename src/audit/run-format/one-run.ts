/** results.json's `oneRun`: the one-run DP audit of the target (src/audit/one-run-audit.ts). */
import { z } from 'zod';

const num = z.number();

/** The bound at one number of guesses (src/metrics/one-run.ts OneRunGuess). */
export const OneRunGuessJson = z.object({
  k: z
    .number()
    .int()
    .positive()
    .describe('guesses per side: the top k scores guessed members, the bottom k non-members'),
  guesses: z.number().int().positive().describe('r = 2k'),
  correct: z.number().int().nonnegative().describe('v, the correct guesses'),
  epsilon: num.describe('the (ε, δ) lower bound at confidence 1 − β/K'),
  pureEpsilon: num.describe('the pure-DP (δ = 0) lower bound at the same confidence'),
});

export const OneRunJson = z
  .object({
    attack: z.string().describe('the attack whose scores rank the canaries'),
    kind: z
      .enum(['natural', 'mislabelled'])
      .describe('the canaries: audit samples as they are, or mislabelled'),
    canaries: z.number().int().nonnegative().describe('m, the canaries scored'),
    members: z
      .number()
      .int()
      .nonnegative()
      .describe('how many of them the target trained on (drawn, about m/2)'),
    epsilon: num.describe(
      'the largest (ε, δ) bound over the k tried: with probability ≥ 1 − β the training is not (ε′, δ)-DP for any ε′ below it',
    ),
    pureEpsilon: num.describe('the largest pure-DP bound over the k tried'),
    delta: num.describe('δ tested (the target’s DP δ when it has one, else 1e-5)'),
    beta: num.describe('1 − the joint confidence over every k tried (each k at β/K)'),
    k: z.number().int().positive().describe('the k whose bound is epsilon'),
    sweep: z.array(OneRunGuessJson).describe('every k tried, in the configured order'),
  })
  .meta({ title: 'OneRun', definition: 'Steinke et al. 2023 one-run audit' });

/** results.json's `oneRun` as written. */
export type OneRunJson = z.input<typeof OneRunJson>;
