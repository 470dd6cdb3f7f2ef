/**
 * audit.label_only (reference mode): how the query-based label-only attacks query the models —
 * label-augment's shifts (1..shift pixels, with mirrors when flip), label-noise's σ levels and draws,
 * label-boundary's query budget per sample. The queries run only for the attacks listed in
 * audit.attacks; label-boundary, the expensive one, is never run unless listed.
 */
import { isScalar } from 'yaml';
import { LABEL_QUERY_KINDS } from '../attacks/label-query-attacks.js';
import type { LabelQueryPlan } from '../signals/label-queries.js';
import type { DataConfig } from './config-data.js';
import { LABEL_ONLY_KEYS } from './config-keys.js';
import type { SectionReader } from './config-reader.js';

/** audit.label_only as read (defaults filled in). */
export interface LabelOnlySettings {
  shift: number;
  flip: boolean;
  noiseSigmas: number[];
  noiseDraws: number;
  boundaryQueries: number;
}

export const LABEL_ONLY_DEFAULTS: LabelOnlySettings = {
  shift: 1,
  flip: true,
  noiseSigmas: [0.05, 0.1, 0.2],
  noiseDraws: 10,
  boundaryQueries: 200,
};

/** Reads audit.label_only; label-augment on tabular synthetic data is an error at `attacks`. */
export function readLabelOnly(
  audit: SectionReader,
  attacks: string[],
  dataCfg: DataConfig,
): LabelOnlySettings {
  const sec = audit.section('label_only', LABEL_ONLY_KEYS);
  const sigmas = sec.list('noise_sigmas', 'noise levels σ > 0', (n, fail) => {
    const v = isScalar(n) ? n.value : undefined;
    if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) fail('must be a number > 0');
    return v as number;
  });
  if (sigmas !== undefined && sigmas.length === 0)
    sec.fail('noise_sigmas', 'is empty', { expected: 'at least one σ > 0' });
  if (attacks.includes('label-augment') && dataCfg.synthetic?.shape?.length === 1) {
    audit.fail('attacks', 'lists label-augment, which flips and shifts images', {
      found: 'tabular synthetic data (use label-noise)',
    });
  }
  const d = LABEL_ONLY_DEFAULTS;
  return {
    shift: sec.int('shift', { min: 0, max: 8 }) ?? d.shift,
    flip: sec.bool('flip') ?? d.flip,
    noiseSigmas: sigmas ?? [...d.noiseSigmas],
    noiseDraws: sec.int('noise_draws', { min: 1, max: 1000 }) ?? d.noiseDraws,
    boundaryQueries: sec.int('boundary_queries', { min: 1, max: 100000 }) ?? d.boundaryQueries,
  };
}

/**
 * The label queries the models must answer for `attacks` (only the parts of the attacks listed), or
 * undefined when none of them is listed.
 */
export function labelQueryPlanFor(
  attacks: readonly string[],
  s: LabelOnlySettings,
  seed: number,
): LabelQueryPlan | undefined {
  const kinds = new Set(attacks.map((a) => LABEL_QUERY_KINDS[a]).filter((k) => k !== undefined));
  if (kinds.size === 0) return undefined;
  return {
    ...(kinds.has('augment') ? { augment: { shift: s.shift, flip: s.flip } } : {}),
    ...(kinds.has('noise') ? { noise: { sigmas: [...s.noiseSigmas], draws: s.noiseDraws } } : {}),
    ...(kinds.has('boundary') ? { boundary: { maxQueries: s.boundaryQueries } } : {}),
    seed,
  };
}
