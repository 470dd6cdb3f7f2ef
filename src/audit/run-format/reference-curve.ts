/**
 * reference-curve.json: an audit whose `audit.reference_models` is a schedule `{min, max, until}`
 * (src/audit/reference-until.ts) records, after each pair of reference models, the `until` metric of
 * every attack with its 95% interval, and why it stopped.
 */
import { z } from 'zod';

const num = z.number();
/** JSON writes ±Infinity and NaN as null. */
const orInf = (sign: 1 | -1) => num.nullable().transform((v) => v ?? sign * Number.POSITIVE_INFINITY);

export const CurveMetricJson = z.object({
  attack: z.string().describe('attack name'),
  value: orInf(1).describe('the metric on the entire dataset (null = +∞, e.g. an unbounded ε)'),
  low: orInf(-1).describe('lower end of its 95% interval'),
  high: orInf(1).describe('upper end of its 95% interval (null = +∞)'),
});

export const CurvePointJson = z.object({
  referenceModels: z
    .number()
    .int()
    .nonnegative()
    .describe('reference models trained so far (besides the target)'),
  key: z
    .string()
    .describe(
      'hex SHA-256 of the models, data and audit settings it was computed from; a rerun reuses a match',
    ),
  metrics: z.array(CurveMetricJson).describe('the until metric of every attack'),
});

export const ReferenceCurveFile = z
  .object({
    metric: z.string().describe('the until metric: auc, tpr@<fpr> or epsilon'),
    attack: z.string().describe('the attack the stopping rule watches'),
    tolerance: num.describe('stop when the metric moved less than this for two consecutive pairs'),
    min: z.number().int().describe('audit.reference_models.min'),
    max: z.number().int().describe('audit.reference_models.max'),
    points: z.array(CurvePointJson).describe('one per pair of reference models, in order'),
    stopped: z
      .object({
        referenceModels: z.number().int().describe('the reference models the audit kept'),
        reason: z
          .enum(['settled', 'max'])
          .describe('settled: the rule held; max: audit.reference_models.max reached'),
      })
      .optional()
      .describe('absent while the audit is still adding pairs'),
  })
  .describe(
    'Only when audit.reference_models is {min, max, until}: the metric against the number of reference ' +
      'models, per attack (the report plots it). Rewritten after every pair, so a killed run keeps its curve.',
  );

/** reference-curve.json as written. */
export type ReferenceCurveFile = z.input<typeof ReferenceCurveFile>;
/** reference-curve.json as read. */
export type ReferenceCurve = z.output<typeof ReferenceCurveFile>;
