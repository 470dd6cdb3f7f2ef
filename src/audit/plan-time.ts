/**
 * The wall time of an audit on this machine, before it is run (`mia plan --config`): from a previous
 * run's timing.json (its per-model and attack seconds, scaled to the planned sizes), or from the
 * engine's throughput on the configured architecture, measured over a few calibration steps.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { BUILTIN_IMAGE_SOURCES } from '../data/sources.js';
import { readJsonFile } from '../io/json.js';
import type { Engine } from '../models/engine.js';
import { normalizeOptimizerSpec } from '../models/optimizers.js';
import { Rng } from '../rng.js';
import type { ReferenceAudit } from './config.js';
import { TimingFile } from './run-format/timing.js';

/** The sizes a wall time is estimated for. */
export interface PlannedRun {
  auditSize: number;
  populationSize: number;
  epochs: number;
  /** Target + reference models. */
  models: number;
  /** Queries per sample (augmentations). */
  queries: number;
}

/** A wall-time estimate and how it was made. */
export interface WallTime {
  seconds: number;
  /** "timing.json of runs/quickstart (…)" or "calibration: 5 steps of conv, … samples/s". */
  basis: string;
}

/** The sizes of a reference-mode config as written. */
export function plannedRunOf(cfg: ReferenceAudit): PlannedRun {
  const aug = cfg.audit.augmentations;
  return {
    auditSize: cfg.data.auditSize,
    populationSize: cfg.data.populationSize,
    epochs: cfg.target.epochs,
    models: 1 + cfg.audit.referenceModels,
    queries: (aug.flip ? 2 : 1) * (aug.shift > 0 ? 9 : 1),
  };
}

/**
 * From the run directory `runDir` of an earlier run of (nearly) the same config: the mean seconds of its
 * trained (not reused) `model <id>` stages, scaled by audit size × epochs to `plan`, times plan.models,
 * plus its attack stages scaled by audit size × models. The earlier sizes come from its
 * config.resolved.json (else `plan`'s own are assumed). Undefined when it has no timing.json or no
 * trained model stage.
 */
export function wallTimeFromRun(runDir: string, plan: PlannedRun): WallTime | undefined {
  const path = join(runDir, 'timing.json');
  if (!existsSync(path)) return undefined;
  const parsed = TimingFile.safeParse(readJsonFile(path));
  if (!parsed.success) return undefined;
  const stages = parsed.data.stages;
  const models = stages.filter((s) => s.stage.startsWith('model ') && !s.reused);
  if (models.length === 0) return undefined;
  const was = { ...plan };
  const resolved = join(runDir, 'config.resolved.json');
  if (existsSync(resolved)) {
    const c = readJsonFile(resolved) as {
      data?: { auditSize?: number };
      target?: { epochs?: number };
      audit?: { referenceModels?: number; referenceSchedule?: unknown };
    };
    if (typeof c.data?.auditSize === 'number') was.auditSize = c.data.auditSize;
    if (typeof c.target?.epochs === 'number') was.epochs = c.target.epochs;
    if (typeof c.audit?.referenceModels === 'number') was.models = 1 + c.audit.referenceModels;
    // a schedule (audit.reference_models {min, max, until}) may have stopped before its max
    if (c.audit?.referenceSchedule !== undefined)
      was.models = stages.filter((s) => s.stage.startsWith('model ')).length;
  }
  const perModel = models.reduce((a, s) => a + s.seconds, 0) / models.length;
  const attacks = stages
    .filter((s) => s.stage.startsWith('attack') && !s.reused)
    .reduce((a, s) => a + s.seconds, 0);
  const size = plan.auditSize / was.auditSize;
  const seconds =
    perModel * size * (plan.epochs / was.epochs) * plan.models + attacks * size * (plan.models / was.models);
  return {
    seconds,
    basis: `timing.json of ${runDir}: ${perModel.toFixed(1)} s per model at ${was.auditSize} samples × ${was.epochs} epochs`,
  };
}

/** The per-sample input shape and classes of a config's dataset, when known without loading it. */
export function inputShapeOf(cfg: ReferenceAudit): { shape: number[]; classes: number } | undefined {
  const d = cfg.data;
  const builtin = BUILTIN_IMAGE_SOURCES[d.dataset as keyof typeof BUILTIN_IMAGE_SOURCES];
  const k = d.firstKClasses;
  if (builtin !== undefined) return { shape: [...builtin.shape], classes: k ?? builtin.numClasses };
  if (d.dataset === 'synthetic') {
    return { shape: d.synthetic?.shape ?? [28, 28, 1], classes: k ?? d.synthetic?.classes ?? 10 };
  }
  return undefined;
}

/** Measured throughput of an engine on an architecture, in samples per second. */
export interface Throughput {
  trainPerSecond: number;
  inferPerSecond: number;
  steps: number;
  /** Samples per calibration step. */
  batch: number;
}

/** Samples per calibration step at most: a large batch of a large model would take minutes per step. */
export const CALIBRATION_BATCH = 16;

/**
 * Trains the config's target architecture with its optimiser on random inputs of the dataset's shape,
 * in batches of min(batch_size, {@link CALIBRATION_BATCH}): one warm-up step, then steps until
 * `maxSteps` steps or `budgetSeconds` have passed (at least one); then predicts 2 batches of 64 after a
 * warm-up one. Small batches run somewhat slower per sample than the configured one, so the estimate
 * errs long.
 */
export async function measureThroughput(
  engine: Engine,
  cfg: ReferenceAudit,
  input: { shape: number[]; classes: number },
  maxSteps = 5,
  budgetSeconds = 3,
): Promise<Throughput> {
  const t = cfg.target;
  const model = await engine.build({
    arch: t.architecture,
    inputShape: input.shape,
    numClasses: input.classes,
    seed: cfg.run.seed,
  });
  try {
    const opt = normalizeOptimizerSpec(t.optimizer);
    model.setOptimizer(opt);
    const size = input.shape.reduce((a, b) => a * b, 1);
    const rng = new Rng(cfg.run.seed);
    const n = Math.min(t.batchSize, CALIBRATION_BATCH);
    const x = Float32Array.from({ length: n * size }, () => rng.next());
    const y = Int32Array.from({ length: n }, () => rng.int(input.classes));
    await model.trainStep({ x, y, n }, opt.lr);
    const t0 = performance.now();
    let steps = 0;
    while (steps < maxSteps && (steps === 0 || performance.now() - t0 < budgetSeconds * 1000)) {
      await model.trainStep({ x, y, n }, opt.lr);
      steps++;
    }
    const trainSeconds = (performance.now() - t0) / 1000;
    const m = 64;
    const px = Float32Array.from({ length: m * size }, () => rng.next());
    await model.predict(px, m);
    const t1 = performance.now();
    await model.predict(px, m);
    await model.predict(px, m);
    const inferSeconds = (performance.now() - t1) / 1000;
    return {
      trainPerSecond: (steps * n) / Math.max(trainSeconds, 1e-6),
      inferPerSecond: (2 * m) / Math.max(inferSeconds, 1e-6),
      steps,
      batch: n,
    };
  } finally {
    await model.dispose();
  }
}

/**
 * The wall time of `plan` at a measured throughput: training (every model on half the audit samples for
 * every epoch) plus inference (every model on the audit and population samples, every query). Attacks
 * and data loading are left out (seconds, next to minutes of training).
 */
export function wallTimeFromThroughput(plan: PlannedRun, tp: Throughput, arch: string): WallTime {
  const train = (plan.models * plan.epochs * (plan.auditSize / 2)) / tp.trainPerSecond;
  const infer = (plan.models * (plan.auditSize + plan.populationSize) * plan.queries) / tp.inferPerSecond;
  return {
    seconds: train + infer,
    basis:
      `calibration: ${tp.steps} training steps of ${tp.batch} samples of ${arch} at ${Math.round(tp.trainPerSecond)} samples/s, ` +
      `inference at ${Math.round(tp.inferPerSecond)} samples/s`,
  };
}
