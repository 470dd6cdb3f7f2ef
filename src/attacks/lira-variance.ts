/**
 * How LiRA's per-example variances were estimated: the samples with too few IN / OUT reference models
 * for a variance of their own (they use the global one) and the standard deviations raised to the
 * floor, counted and said in one line for the audit's notes.
 */
import { LIRA_STD_FLOOR, type LiraStatistics, type LiraVariant, stdFloors } from './lira.js';

/** How the per-example variances of one variant were estimated (see {@link liraVarianceFallbacks}). */
export interface LiraVarianceFallbacks {
  samples: number;
  /** Samples with fewer than 2 IN reference models (online only; 0 for offline): σ̄_in used. */
  fewIn: number;
  /** Samples with fewer than 2 OUT reference models: σ̄_out used. */
  fewOut: number;
  /** (sample, query) values whose per-example σ_in or σ_out was raised to LIRA_STD_FLOOR·σ̄. */
  floored: number;
}

/**
 * The samples of `stats` whose per-example variance the per-example variant `variant` replaced (fewer
 * than 2 observations) or floored; undefined for the fixed-variance variants and lira-global.
 */
export function liraVarianceFallbacks(
  stats: LiraStatistics,
  variant: LiraVariant,
): LiraVarianceFallbacks | undefined {
  if (variant !== 'lira-online' && variant !== 'lira-offline') return undefined;
  const online = variant === 'lira-online';
  const q = stats.queries;
  const { floorIn, floorOut } = stdFloors(stats);
  let fewIn = 0;
  let fewOut = 0;
  let floored = 0;
  for (let i = 0; i < stats.samples; i++) {
    const oneIn = online && stats.countIn[i]! < 2;
    const oneOut = stats.countOut[i]! < 2;
    if (oneIn) fewIn++;
    if (oneOut) fewOut++;
    for (let a = 0; a < q; a++) {
      const j = i * q + a;
      if ((!oneOut && stats.stdOut[j]! < floorOut) || (online && !oneIn && stats.stdIn[j]! < floorIn))
        floored++;
    }
  }
  return { samples: stats.samples, fewIn, fewOut, floored };
}

/**
 * A line for the audit's notes when `variant` (lira-online or lira-offline) did not use a per-example
 * variance everywhere: how many samples had fewer than 2 IN / OUT reference models and so used the
 * global variance, and how many standard deviations were floored. Undefined when none did.
 */
export function liraVarianceNote(stats: LiraStatistics, variant: LiraVariant): string | undefined {
  const f = liraVarianceFallbacks(stats, variant);
  if (f === undefined || f.fewIn + f.fewOut + f.floored === 0) return undefined;
  const parts: string[] = [];
  if (f.fewIn > 0) parts.push(`${f.fewIn} of ${f.samples} samples have fewer than 2 IN`);
  if (f.fewOut > 0) parts.push(`${f.fewOut} of ${f.samples} samples have fewer than 2 OUT`);
  let line = '';
  if (parts.length > 0) {
    const sides = f.fewIn > 0 && f.fewOut > 0 ? 'IN / OUT' : f.fewIn > 0 ? 'IN' : 'OUT';
    line =
      `${parts.join(', ')} reference models: a per-example variance needs 2, so they use the global ` +
      `${sides} variance (as ${variant}-fixed-variance)`;
  }
  if (f.floored > 0) {
    const what = `${f.floored} per-example standard deviation${f.floored > 1 ? 's were' : ' was'} below ${LIRA_STD_FLOOR} × the global one and raised to it`;
    line = line === '' ? what : `${line}; ${what}`;
  }
  return `${variant}: ${line}`;
}
