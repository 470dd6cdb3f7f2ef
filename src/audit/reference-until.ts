/**
 * References until the estimate settles (`audit.reference_models: {min, max, until}`): the audit trains
 * the target and `min` reference models, runs every attack, then adds reference models pair by pair —
 * rows 2p and 2p + 1 of the paired keep matrix (keep.ts), which train on complementary halves, so every
 * sample stays IN for exactly half of the models — and runs the attacks again after each pair. It stops
 * when `until.metric` of `until.attack` (entire dataset) has moved by less than `tolerance` for two
 * consecutive pairs, or at `max`. The keep matrix is drawn for `max` models, and its first pairs do not
 * depend on how many follow, so the models of a run stopped early are exactly the first models of a run
 * with a larger max: a rerun reuses every trained model (and each point of the curve whose inputs
 * match), and a larger max continues where the last run stopped.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { canonicalJson } from '../core/canonical-json.js';
import type { Logger } from '../core/logger.js';
import { writeJsonAtomic } from '../io/atomic.js';
import { readJsonFile } from '../io/json.js';
import { buildAttackInput, runExperiment } from './attack-stage.js';
import type { ReferenceAudit } from './config.js';
import type { ReferenceSchedule } from './config-reference-models.js';
import type { AuditData, ModelPlan, ModelSignals } from './model-stage.js';
import { metricOf, parseMetricName } from './result-metric.js';
import { type ReferenceCurve, ReferenceCurveFile } from './run-format/reference-curve.js';
import { recordRunFiles } from './run-manifest.js';
import type { TimingLog } from './timing-log.js';

/** One point of the curve: the until metric of every attack at a number of reference models. */
export type CurvePoint = ReferenceCurve['points'][number];

/**
 * True when the last three values of `values` moved by less than `tolerance` twice in a row:
 * |v₋₁ − v₋₂| < tolerance and |v₋₂ − v₋₃| < tolerance (NaN or infinite moves never settle).
 */
export function settled(values: readonly number[], tolerance: number): boolean {
  const k = values.length;
  if (k < 3) return false;
  const moved = (a: number, b: number) => Math.abs(a - b);
  return (
    moved(values[k - 1]!, values[k - 2]!) < tolerance && moved(values[k - 2]!, values[k - 3]!) < tolerance
  );
}

/** What {@link trainUntilSettled} needs from the pipeline. */
export interface UntilContext {
  cfg: ReferenceAudit;
  schedule: ReferenceSchedule;
  /** Every planned model (1 + max), row 0 the target. */
  plans: readonly ModelPlan[];
  /** The keep matrix of the 1 + max models, [M, N]. */
  keep: Uint8Array;
  data: AuditData;
  queries: number;
  /** Trains (or loads) one model and computes its signals (the pipeline's model stage). */
  trainOne: (plan: ModelPlan) => Promise<ModelSignals>;
  /** timing.json: one stage per point of the curve. */
  timing: TimingLog;
  /** The run directory (its manifest records reference-curve.json). */
  root: string;
  /** reference-curve.json. */
  curvePath: string;
  log: Logger;
}

/** The until metric of every attack on the first `models.length` models. */
function curvePoint(ctx: UntilContext, models: ModelSignals[], key: string): CurvePoint {
  const n = ctx.data.audit.n;
  const keep = ctx.keep.subarray(0, models.length * n);
  const input = buildAttackInput(models, keep, ctx.data, ctx.cfg.audit.signal, ctx.queries);
  // the curve needs the entire dataset only
  const cfg: ReferenceAudit = { ...ctx.cfg, audit: { ...ctx.cfg.audit, slices: ['entire'] } };
  const out = runExperiment(input, cfg, 0, 0, false);
  const metric = parseMetricName(ctx.schedule.until.metric, 'audit.reference_models.until.metric');
  const metrics = out.results
    .filter((r) => r.slice.feature === 'entire_dataset')
    .map((r) => ({ attack: r.attack, ...metricOf(r, metric, 'audit.reference_models.until.metric') }));
  return { referenceModels: models.length - 1, key, metrics };
}

function readCurve(path: string): ReferenceCurve | undefined {
  if (!existsSync(path)) return undefined;
  try {
    const parsed = ReferenceCurveFile.safeParse(readJsonFile(path));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined; // unreadable: computed again
  }
}

/**
 * The key of a curve point: the models' hashes, the data, the until metric and the audit settings the
 * attacks read — not the schedule's min, max and tolerance, so that a rerun with a larger max reuses it.
 */
function pointKey(ctx: UntilContext, models: readonly ModelSignals[]): string {
  const { referenceModels: _count, referenceSchedule: _schedule, ...audit } = ctx.cfg.audit;
  return createHash('sha256')
    .update(
      canonicalJson({
        v: 1,
        models: models.map((m) => m.hash),
        data: ctx.data.dataKey,
        metric: ctx.schedule.until.metric,
        audit,
        seed: ctx.cfg.run.seed,
        queries: ctx.queries,
      }),
    )
    .digest('hex');
}

function writeCurve(ctx: UntilContext, curve: ReferenceCurveFile): void {
  writeJsonAtomic(ctx.curvePath, curve);
  recordRunFiles(ctx.root, ctx.curvePath);
}

/**
 * Trains pair by pair as the module header says and returns the models kept (the target and
 * 1 + `stopped.referenceModels` − 1 references, in row order) with the curve, written to
 * reference-curve.json after every pair.
 */
export async function trainUntilSettled(
  ctx: UntilContext,
): Promise<{ models: ModelSignals[]; curve: ReferenceCurveFile }> {
  const { schedule, plans, log } = ctx;
  const previous = readCurve(ctx.curvePath);
  const curve: ReferenceCurveFile = {
    metric: schedule.until.metric,
    attack: schedule.until.attack,
    tolerance: schedule.until.tolerance,
    min: schedule.min,
    max: schedule.max,
    points: [],
  };
  const models: ModelSignals[] = [];
  const values: number[] = [];
  const watch = schedule.until.attack;
  for (let refs = schedule.min; refs <= schedule.max; refs += 2) {
    while (models.length < 1 + refs) models.push(await ctx.trainOne(plans[models.length]!));
    const key = pointKey(ctx, models);
    const reused = previous?.points.find((p) => p.key === key);
    const t0 = performance.now();
    const point = reused ?? curvePoint(ctx, models, key);
    ctx.timing.add(`reference curve at ${refs}`, (performance.now() - t0) / 1000, reused !== undefined);
    curve.points.push(point);
    const m = point.metrics.find((x) => x.attack === watch);
    const v = m?.value ?? Number.NaN;
    values.push(v);
    const moved = values.length > 1 ? ` (moved ${Math.abs(v - values.at(-2)!).toPrecision(2)})` : '';
    log.info(
      `references ${refs}: ${watch} ${schedule.until.metric} ${Number(v.toFixed(4))}` +
        (m !== undefined ? ` [${Number(m.low.toFixed(4))}, ${Number(m.high.toFixed(4))}]` : '') +
        `${moved}${reused !== undefined ? ', reused' : ''}`,
    );
    const done = settled(values, schedule.until.tolerance);
    if (done || refs + 2 > schedule.max) {
      curve.stopped = { referenceModels: refs, reason: done ? 'settled' : 'max' };
      writeCurve(ctx, curve);
      log.info(
        done
          ? `references: ${schedule.until.metric} of ${watch} moved less than ${schedule.until.tolerance} for two pairs; stopping at ${refs}`
          : `references: audit.reference_models.max (${schedule.max}) reached`,
      );
      break;
    }
    writeCurve(ctx, curve);
  }
  return { models, curve };
}
