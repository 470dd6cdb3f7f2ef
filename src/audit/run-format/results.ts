/**
 * results.json: the attack results of an audit (the `mia attack --json` schema, docs/attacks.md, plus
 * the run's experiment and model), their spread over experiments, the attacks' notes and the key of
 * the inputs that makes them reusable on a rerun.
 */
import { z } from 'zod';

const num = z.number();

/** A slice of the audited samples (TF Privacy's SingleSliceSpec; src/metrics/slicing.ts SliceSpec). */
export const SliceJson = z
  .union([
    z.object({ feature: z.literal('entire_dataset') }),
    z.object({ feature: z.literal('class'), value: z.number().int() }),
    z.object({ feature: z.literal('correctly_classified'), value: z.boolean() }),
    z.object({ feature: z.literal('loss_decile'), value: z.number().int() }),
    z.object({ feature: z.literal('custom'), value: z.string() }),
  ])
  .meta({ title: 'Slice', definition: 'TF Privacy’s SingleSliceSpec' })
  .describe('the samples the metrics are computed on (loss decile 1 = the 10% lowest losses)');

/** TPR at one FPR target with its Clopper–Pearson 95% interval. */
export const TprJson = z.object({
  tpr: num.describe('the highest ROC point at FPR ≤ the target'),
  low: num.describe('lower end of its Clopper–Pearson 95% interval'),
  high: num.describe('upper end of that interval'),
  lowSupport: z
    .boolean()
    .describe('true when the point rests on fewer than 10 non-member false positives (unreliable)'),
});

/**
 * One attack on one slice (src/audit/run-attacks.ts AttackResult, plus `experiment` and `model`). The
 * reader turns an `epsilonLowerBound` of null (JSON has no Infinity) into +Infinity.
 */
export const ResultJson = z.object({
  attack: z.string().describe('attack name (docs/attacks.md)'),
  signal: z.string().describe('the signal it scored, e.g. loss, scaled-logit'),
  slice: SliceJson,
  nMembers: z.number().int().nonnegative().describe('members in the slice'),
  nNonMembers: z.number().int().nonnegative().describe('non-members in the slice'),
  auc: num.describe('area under the ROC curve'),
  advantage: num.describe('attacker advantage, max over thresholds of TPR − FPR'),
  ppv: num.describe("TF Privacy's get_ppv: the highest TP / (TP + FP) over thresholds"),
  tprAtFpr: z
    .record(z.string().meta({ title: '<fpr>' }), TprJson)
    .describe('TPR at each FPR target, keyed by the target as written ("0.001", "0.01", …)'),
  epsilonLowerBound: num
    .nullable()
    .transform((v) => v ?? Number.POSITIVE_INFINITY)
    .describe('the ε the attack proves with 95% confidence (δ = 1e-5); null = unbounded'),
  epsilon: z
    .object({
      estimate: num.nullable().describe('plug-in ε'),
      low: num.nullable().describe('lower end of its interval'),
      high: num.nullable().describe('upper end of its interval'),
      thresholdsTried: num.describe('thresholds of the Bonferroni correction'),
    })
    .optional()
    .describe('the ε point estimate and its interval'),
  note: z.string().optional().describe('how a trained attack split its data (trained attacks only)'),
  experiment: z
    .string()
    .optional()
    .describe('the experiment, when the run holds several (its index, or its name in experiments mode)'),
  model: z.string().optional().describe('the target model, when the run holds several'),
});

/** Mean, sample standard deviation (ddof 1), min and max of a metric over experiments (src/audit/aggregate.ts). */
export const SpreadJson = z
  .object({
    mean: num.nullable().describe('mean over the experiments'),
    std: num.nullable().describe('sample standard deviation (ddof 1; 0 for one experiment)'),
    min: num.nullable().describe('minimum'),
    max: num.nullable().describe('maximum'),
  })
  .meta({ title: 'Spread', definition: 'a metric over the experiments (null where it was NaN)' });

/** One attack × slice over the run's experiments (src/audit/aggregate.ts AggregateResult). */
export const AggregateJson = z.object({
  attack: z.string().describe('attack name'),
  signal: z.string().describe('its signal'),
  slice: SliceJson,
  experiments: z.number().int().describe('experiments with a result for this attack and slice'),
  auc: SpreadJson.describe('AUC'),
  advantage: SpreadJson.describe('attacker advantage'),
  ppv: SpreadJson.optional().describe('PPV'),
  tprAtFpr: z.record(z.string().meta({ title: '<fpr>' }), SpreadJson).describe('TPR at each FPR target'),
  epsilonLowerBound: SpreadJson.describe('ε lower bound'),
});

export const ResultsFile = z
  .object({
    results: z.array(ResultJson).describe('every attack on every slice (of every experiment and target)'),
    aggregate: z
      .array(AggregateJson)
      .optional()
      .describe('mean, std (ddof 1), min and max per attack × slice, when run.num_experiments > 1'),
    notes: z
      .array(z.string())
      .optional()
      .describe('how the attacks were set up (the tuned RMIA a, …), one line each'),
    key: z
      .string()
      .optional()
      .describe(
        'hex SHA-256 of the inputs (models, data, audit settings); a rerun with the same key reuses the file',
      ),
  })
  .describe(
    'The attack results: the same schema as `mia attack --json` (docs/attacks.md), plus `experiment` and ' +
      '`model` per result when a run holds several experiments or targets. Required by the report.',
  );

/** results.json as the audit writes it. */
export type ResultsFile = z.input<typeof ResultsFile>;
/** One entry of results.json's `results` as written (ε lower bound null or a number). */
export type ResultJson = z.input<typeof ResultJson>;
/** One entry of results.json's `aggregate` as written. */
export type AggregateJson = z.input<typeof AggregateJson>;
