/**
 * `audit.reference_models`: a number (that many reference models, as always), or a schedule
 * `{min, max, until: {metric, attack, tolerance}}` — train reference models pair by pair from `min` to
 * `max` and stop when `until.metric` of `until.attack` has moved less than `tolerance` for two
 * consecutive pairs (reference-until.ts).
 */
import { isMap } from 'yaml';
import { REFERENCE_MODELS_KEYS, UNTIL_KEYS } from './config-keys.js';
import type { SectionReader } from './config-reader.js';
import { METRIC_NAMES, type MetricName, parseMetricName } from './result-metric.js';

/** The schedule of `audit.reference_models` when it is a mapping. */
export interface ReferenceSchedule {
  /** Reference models trained before the first check (odd). */
  min: number;
  /** At most this many (odd). */
  max: number;
  until: {
    /** `auc`, `tpr@<fpr>` or `epsilon` (result-metric.ts), as written. */
    metric: string;
    attack: string;
    /** Stop when the metric moved less than this for two consecutive pairs. */
    tolerance: number;
  };
}

/** What `audit.reference_models` holds: the count (the schedule's max) and the schedule, if any. */
export interface ReferenceModelsSetting {
  /** The number of reference models (a schedule's max: the keep matrix is drawn for it). */
  count: number;
  /** The fewest reference models the audit may end with (the schedule's min, else count). */
  fewest: number;
  schedule?: ReferenceSchedule;
}

/** Fails `key` of `reader` unless `v` is 0 or odd. */
function mustBeOdd(reader: SectionReader, key: string, v: number): void {
  if (v !== 0 && v % 2 === 0) {
    reader.fail(key, 'must be 0 or odd, so that the target and the references pair up', {
      expected: '0, 1, 3, 5, … (every sample is then IN for exactly half of the 1 + M models)',
      found: String(v),
    });
  }
}

/**
 * Reads `audit.reference_models` (default 3). `attacks` are the audit's attacks (`until.attack` must be
 * one of them) and `fprTargets` its FPR targets (a `tpr@<fpr>` metric must be one of them); `min`
 * defaults to `defaultMin` (the fewest reference models the attacks can run with).
 */
export function readReferenceModels(
  audit: SectionReader,
  attacks: readonly string[],
  fprTargets: readonly number[],
  defaultMin: number,
): ReferenceModelsSetting {
  if (!isMap(audit.raw('reference_models'))) {
    const count = audit.int('reference_models', { min: 0 }) ?? 3;
    mustBeOdd(audit, 'reference_models', count);
    return { count, fewest: count };
  }
  const s = audit.section('reference_models', REFERENCE_MODELS_KEYS);
  const min = s.int('min', { min: 1 }) ?? defaultMin;
  mustBeOdd(s, 'min', min);
  const max = s.int('max', { min: 1 }) ?? s.fail('max', 'is required', { expected: 'an odd number ≥ min' });
  mustBeOdd(s, 'max', max);
  if (max < min)
    s.fail('max', `is below min (${min})`, { expected: `an odd number ≥ ${min}`, found: String(max) });
  if (!s.has('until'))
    s.fail('until', 'is required', { expected: '{metric: tpr@0.01, attack: rmia, tolerance: 0.005}' });
  const u = s.section('until', UNTIL_KEYS);
  const metric = u.string('metric') ?? u.fail('metric', 'is required', { expected: METRIC_NAMES });
  const parsed = ((): MetricName => {
    try {
      return parseMetricName(metric, u.pathOf('metric'));
    } catch {
      return u.fail('metric', `is not a metric: '${metric}'`, { expected: METRIC_NAMES });
    }
  })();
  const fpr = parsed.kind === 'tpr' ? parsed.fpr : undefined;
  if (fpr !== undefined && !fprTargets.some((f) => Math.abs(f - fpr) <= 1e-12 * f)) {
    u.fail('metric', `needs ${fpr} among audit.fpr_targets`, {
      expected: fprTargets.join(', '),
      found: metric,
    });
  }
  const attack =
    u.string('attack') ?? u.fail('attack', 'is required', { expected: `one of ${attacks.join(', ')}` });
  if (!attacks.includes(attack)) {
    u.fail('attack', `is not one of audit.attacks`, { expected: attacks.join(', '), found: attack });
  }
  const tolerance =
    u.number('tolerance', { min: 0, exclusiveMin: true }) ??
    u.fail('tolerance', 'is required', { expected: 'a number > 0, e.g. 0.005' });
  return { count: max, fewest: min, schedule: { min, max, until: { metric, attack, tolerance } } };
}
