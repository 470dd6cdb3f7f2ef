/**
 * results.json: the attack results of an audit (the `mia attack --json` schema, docs/attacks.md, plus
 * the run's experiment and model), their spread over experiments, the attacks' notes and the key of
 * the inputs that makes them reusable on a rerun.
 */
import { z } from 'zod';
import { DpTrainingJson } from './dp-training.js';
import { OneRunJson } from './one-run.js';

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

/** A number JSON wrote as null for NaN (no value). */
const orNaN = num.nullable().transform((v) => v ?? Number.NaN);

/** TPR at one FPR target with its Clopper–Pearson 95% interval and the operating point it was read at. */
export const TprJson = z.object({
  tpr: num.describe('the highest ROC point at FPR ≤ the target'),
  low: num.describe('lower end of its Clopper–Pearson 95% interval'),
  high: num.describe('upper end of that interval'),
  fpr: num.describe('the realised FPR of that point (false positives / non-members, ≤ the target)'),
  threshold: num
    .nullable()
    .transform((v) => v ?? Number.POSITIVE_INFINITY)
    .describe('the score threshold: member iff score ≥ threshold; null = +Infinity (flag no one)'),
  falsePositives: z.number().int().nonnegative().describe('non-members at or above the threshold'),
  truePositives: z.number().int().nonnegative().describe('members at or above the threshold'),
  precision: orNaN.describe('TP / (TP + FP) at that threshold; null when nothing is flagged'),
  precisionLow: orNaN.describe(
    'lower end of its 95% interval (Clopper–Pearson on TPR and FPR, Bonferroni); null with precision',
  ),
  precisionHigh: orNaN.describe('upper end of that interval; null with precision'),
  lowSupport: z
    .boolean()
    .describe('true when the point rests on fewer than 10 non-member false positives (unreliable)'),
});

/** The threshold test behind an ε lower bound (src/metrics/epsilon.ts EpsilonOperatingPoint). */
export const EpsilonPointJson = z
  .object({
    threshold: num
      .nullable()
      .transform((v) => v ?? Number.POSITIVE_INFINITY)
      .describe('member iff score ≥ threshold'),
    fpr: num.describe('its false positive rate'),
    tpr: num.describe('its true positive rate'),
    falsePositives: z.number().int().nonnegative().describe('non-members flagged'),
    falseNegatives: z.number().int().nonnegative().describe('members not flagged'),
    ratio: z
      .enum(['fpr', 'fnr'])
      .describe('fpr: ln((1 − δ − FNR)/FPR), a low-FPR test; fnr: ln((1 − δ − FPR)/FNR), few members missed'),
  })
  .meta({ title: 'EpsilonPoint', definition: 'the threshold test behind an ε lower bound' });

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
  aucInterval: z
    .object({
      low: num.describe('lower end'),
      high: num.describe('upper end'),
      se: num.describe('DeLong standard error of the AUC'),
      method: z
        .enum(['DeLong', 'Birnbaum–Klose'])
        .describe('DeLong; Birnbaum–Klose where DeLong’s variance is 0 (src/metrics/auc-interval.ts)'),
    })
    .describe('95% interval on the AUC; including 0.5 = not distinguishable from chance'),
  advantage: num.describe('attacker advantage, max over thresholds of TPR − FPR'),
  ppvMaxOverThresholds: num.describe(
    "TF Privacy's get_ppv: the highest TP / (TP + FP) over all thresholds — 1 as soon as the top-scored " +
      'sample is a member, so not a leakage measure (the precision at each FPR target is in tprAtFpr)',
  ),
  tprAtFpr: z
    .record(z.string().meta({ title: '<fpr>' }), TprJson)
    .describe('TPR at each FPR target, keyed by the target as written ("0.001", "0.01", …)'),
  epsilonLowerBound: num
    .nullable()
    .transform((v) => v ?? Number.POSITIVE_INFINITY)
    .describe(
      'this attack’s ε lower bound at 95% (δ = 1e-5), not corrected for the other attacks of the run and ' +
        'valid only under the run’s `membership` design; null = unbounded. The run’s DP claim is `dpClaim`',
    ),
  epsilon: z
    .object({
      estimate: num.nullable().describe('plug-in ε'),
      low: num.nullable().describe('lower end of its interval'),
      high: num.nullable().describe('upper end of its interval'),
      thresholdsTried: num.describe('thresholds of the Bonferroni correction'),
      at: EpsilonPointJson.optional().describe('the operating point of `low` (absent when low = 0)'),
    })
    .optional()
    .describe('the ε point estimate and its interval'),
  note: z.string().optional().describe('how a trained attack split its data (trained attacks only)'),
  experiment: z
    .string()
    .optional()
    .describe('the experiment, when the run holds several (its index, or its name in experiments mode)'),
  model: z.string().optional().describe('the target model, when the run holds several'),
  exposure: z
    .string()
    .optional()
    .describe(
      'the output exposure the attack saw (probs, top-K, round-D, label; signals/exposure.ts), when the run ' +
        'sweeps audit.exposure',
    ),
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
  ppvMaxOverThresholds: SpreadJson.optional().describe("TF Privacy's max-over-thresholds PPV"),
  tprAtFpr: z.record(z.string().meta({ title: '<fpr>' }), SpreadJson).describe('TPR at each FPR target'),
  epsilonLowerBound: SpreadJson.describe('ε lower bound'),
  exposure: z.string().optional().describe('the output exposure, when the run sweeps audit.exposure'),
});

/** How the audited samples' membership was decided (src/audit/dp-claim.ts). */
export const MembershipJson = z
  .object({
    design: z
      .enum(['random-half', 'fixed-split', 'unknown'])
      .describe(
        'random-half: each sample joined the target at random (reference mode); fixed-split: a fixed ' +
          'training / held-out split (experiments mode); unknown: the inputs do not say',
      ),
    detail: z.string().describe('the design in words, and what it allows to claim'),
  })
  .meta({ title: 'Membership', definition: 'how membership was decided' });

/**
 * The run's ε lower bound (src/audit/dp-claim.ts): written only when membership was drawn at random.
 * `method` names the bound; when several exist the report headlines the one-run bound
 * (report/dp-headline.ts).
 */
export const DpClaimJson = z
  .object({
    method: z
      .enum(['threshold-test', 'one-run'])
      .describe(
        'threshold-test: the best threshold test of any attack (Kairouz et al. 2015), Clopper–Pearson, ' +
          'Bonferroni over attacks × thresholds × the two ratios; one-run: Steinke et al. 2023',
      ),
    epsilon: num.describe('with probability ≥ confidence the training is not (ε′, δ)-DP for any ε′ below it'),
    delta: num.describe('the δ tested'),
    confidence: num.describe('the joint confidence, after every correction'),
    attack: z.string().describe('the attack whose bound is the largest'),
    experiment: z.string().optional().describe('its experiment, when the run holds several'),
    model: z.string().optional().describe('its target model, when the run holds several'),
    at: EpsilonPointJson.optional().describe('the operating point that gives it (absent when ε = 0)'),
    attacksCorrected: z.number().int().positive().describe('attack × target candidates it picked from'),
    thresholdsCorrected: z.number().int().nonnegative().describe('thresholds tried over all of them'),
  })
  .meta({ title: 'DpClaim', definition: 'the run’s ε lower bound' });

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
    membership: MembershipJson.optional().describe('how membership was decided; absent = unknown'),
    dpClaims: z
      .array(DpClaimJson)
      .optional()
      .describe('the run’s ε lower bounds, only when membership was drawn at random; absent = no DP claim'),
    dpTraining: z
      .array(DpTrainingJson)
      .optional()
      .describe('every DP-trained target: its accountant’s ε and the utility cost; absent = none'),
    oneRun: OneRunJson.optional().describe(
      'the one-run DP audit of the target (audit.one_run; Steinke et al. 2023); absent = not configured',
    ),
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
/** results.json's `membership` as written. */
export type MembershipJson = z.input<typeof MembershipJson>;
/** One entry of results.json's `dpClaims` as written. */
export type DpClaimJson = z.input<typeof DpClaimJson>;
/** One entry of results.json's `aggregate` as written. */
export type AggregateJson = z.input<typeof AggregateJson>;
