/**
 * The reference mode of the audit (Privacy Meter's run_mia.py shape, top to bottom):
 *
 *   load dataset → population (keep matrix) → train or load each model → signals → attacks → metrics
 *
 * and the run directory it fills (docs/run-dir.md). Resumable: models are cached by content hash
 * (src/models/cache.ts), each model's signals are stored with the key they were computed for
 * (model-stage.ts), and results.json carries the key of its inputs; a rerun of a killed (or finished)
 * run reuses every finished file and redoes only the rest. Every file is written atomically.
 * pipeline.ts's runAudit calls it for a ReferenceAudit config; experiments.ts is its sibling for the
 * experiments mode.
 */
import { createHash } from 'node:crypto';
import { existsSync, rmSync } from 'node:fs';
import { join, relative } from 'node:path';
import { canonicalJson } from '../core/canonical-json.js';
import { formatDuration } from '../core/duration.js';
import { writeFileAtomic, writeJsonAtomic } from '../io/atomic.js';
import { npyArray, writeNpy } from '../io/npy.js';
import { writeNpz } from '../io/npz.js';
import { augmentationSet } from '../signals/augment.js';
import { type AggregateResult, aggregateResults } from './aggregate.js';
import type { AuditResult } from './attack-stage.js';
import { type AuditModelSummary, type AuditRun, type RunAuditOptions, startAudit } from './audit-run.js';
import type { LoadedConfig, ReferenceAudit } from './config.js';
import { labelQueryPlanFor } from './config-label-only.js';
import { RANDOM_HALF, RANDOM_HALF_WITH_CANARIES, thresholdTestClaim } from './dp-claim.js';
import { dpTargetClaims, dpTrainingOf } from './dp-target.js';
import { runExposureSweep } from './exposure-sweep.js';
import { pairedKeepMatrix } from './keep.js';
import { labelQueryBudget } from './label-query-file.js';
import { lazyEngine } from './lazy-engine.js';
import { addPrivacyTracking, planModels } from './model-plans.js';
import { type ModelPlan, type ModelSignals, runModelStage } from './model-stage.js';
import { logOneRun, ONE_RUN_DELTA, prepareOneRun } from './one-run-audit.js';
import { buildRecords, recordsCsv } from './records.js';
import { trainUntilSettled } from './reference-until.js';
import {
  historyEpochs,
  keepReused,
  lastAccuracies,
  readPreviousResults,
  scoresArrays,
  writeEnvironment,
  writePrivacyByEpoch,
  writeSamples,
} from './run-files.js';
import type { HistoryFile, ResultsFile } from './run-format/index.js';
import { recordRunFiles } from './run-manifest.js';
import { experimentScoresPath, referenceCurvePath } from './run-paths.js';
import { deriveSeed } from './seeds.js';

/** pipeline.ts's runAudit for an audit of one target with reference models (see the file header). */
export async function runReferenceAudit(
  loaded: LoadedConfig<ReferenceAudit>,
  options: RunAuditOptions = {},
): Promise<AuditRun> {
  const t0 = performance.now();
  const cfg = loaded.config;
  // 1. run directory and dataset
  const { log, paths, timing, ds } = await startAudit(loaded, options);
  const root = paths.root;
  const n = ds.data.audit.n;
  const z = ds.data.population?.n ?? 0;
  log.info(
    `dataset ${ds.name}: ${n} audit samples (models train on halves), ${z} population samples, ` +
      `shape [${ds.data.audit.shape.join(', ')}], ${ds.data.audit.numClasses} classes (${ds.source})`,
  );

  // 2. population: the paired keep matrix (with audit.one_run, the canaries redrawn into the target)
  const m = 1 + cfg.audit.referenceModels;
  let keep = pairedKeepMatrix(m, n, deriveSeed(cfg.run.seed, 'keep'));
  const oneRun = cfg.audit.oneRun;
  const { canaries, data } = prepareOneRun(cfg, ds.data, keep, log);
  await timing.time('population', () => {
    const reused = keepReused(paths.keep, keep, m, n, (why) =>
      log.info(`keep.npy: unreadable (${why}); writing it again`),
    );
    if (!reused) {
      writeNpy(paths.keep, npyArray(keep, [m, n], 'bool'));
      recordRunFiles(root, paths.keep);
    }
    return { value: undefined, reused };
  });

  // 3. models and their signals
  const augmentations = augmentationSet(cfg.audit.augmentations);
  const labelQueries = labelQueryPlanFor(
    cfg.audit.attacks,
    cfg.audit.labelOnly,
    deriveSeed(cfg.run.seed, 'label-queries'),
  );
  const plans = planModels(cfg, keep, n);
  addPrivacyTracking(plans, cfg, data, paths);
  const engines = lazyEngine(options.backend ?? cfg.run.backend, log, options.createEngine);
  let trainedWork = 0;
  let trainedSeconds = 0;
  const progress = (stage: 'models' | 'attacks', done: number) =>
    options.onProgress?.({ stage, done, total: plans.length + 1 });
  const trainOne = async (plan: ModelPlan): Promise<ModelSignals> => {
    progress('models', plan.index);
    const ts = performance.now();
    const ms = await runModelStage(plan, {
      paths,
      data,
      augmentations,
      engine: engines.get,
      logger: log,
      counter: `[${plan.index + 1}/${plans.length}]`,
      labelQueries,
    });
    timing.add(`model ${plan.id}`, (performance.now() - ts) / 1000, ms.signalsReused || ms.modelReused);
    if (!ms.modelReused && ms.trainSeconds > 0) {
      trainedWork += plan.rows.length * plan.training.epochs;
      trainedSeconds += ms.trainSeconds;
      const rest = plans.slice(plan.index + 1);
      if (rest.length > 0) {
        const work = rest.reduce((s, p) => s + p.rows.length * p.training.epochs, 0);
        log.info(
          `  ${rest.length} more model${rest.length > 1 ? 's' : ''}: about ${formatDuration((work * trainedSeconds) / trainedWork)} of training left (unless cached)`,
        );
      }
    }
    return ms;
  };
  const schedule = cfg.audit.referenceSchedule;
  const models: ModelSignals[] = [];
  if (schedule === undefined) {
    // a curve of an earlier run of this directory with a schedule would no longer describe it
    rmSync(referenceCurvePath(paths), { force: true });
    for (const plan of plans) models.push(await trainOne(plan));
  } else {
    // pair by pair until the metric settles (reference-until.ts); the run keeps the models trained
    const until = await trainUntilSettled({
      cfg,
      schedule,
      plans,
      keep,
      data,
      queries: augmentations.length,
      trainOne,
      timing,
      root,
      curvePath: referenceCurvePath(paths),
      log,
    });
    models.push(...until.models);
    if (models.length < m) {
      keep = keep.slice(0, models.length * n);
      writeNpy(paths.keep, npyArray(keep, [models.length, n], 'bool'));
      recordRunFiles(root, paths.keep);
    }
  }
  const engine = engines.current();
  writeEnvironment(paths.environment, {
    backend: engine?.backend.name ?? models.find((x) => x.backend !== undefined)?.backend ?? 'unknown',
    engine: engine?.name ?? 'tfjs',
    dataset: {
      name: ds.name,
      source: ds.source,
      ...(data.audit.classNames !== undefined ? { classNames: data.audit.classNames } : {}),
    },
  });
  const history: HistoryFile = {
    models: models.map((x) => ({
      id: x.plan.id,
      label: x.plan.label,
      role: x.plan.role,
      epochs: historyEpochs(x.history),
    })),
  };
  writeJsonAtomic(paths.history, history);
  writeSamples(paths.samples, data.audit, plans[0]!.rows);
  const privacyPoints = models.flatMap((x) => x.privacyPoints);
  writePrivacyByEpoch(paths, privacyPoints);

  progress('attacks', plans.length);
  // 4. attacks and metrics (reused when results.json was computed from the same inputs)
  const key = createHash('sha256')
    .update(
      canonicalJson({
        // 2: LiRA's per-example variance falls back to the global one below 2 observations (results of
        // version 1 may hold scores of ±1e61 for such samples and are recomputed); 3: the reference
        // attacks leave out the target's pair partner (attack-stage.ts); 4: results carry the AUC interval,
        // the operating point of each TPR and ε, precision at each FPR target, and the run's DP claim;
        // 5: results carry dpTraining (a DP target's accountant ε) and the one-run audit
        v: 5,
        models: models.map((x) => x.hash),
        data: data.dataKey,
        keep: createHash('sha256').update(keep).digest('hex'),
        audit: cfg.audit,
        seed: cfg.run.seed,
        experiments: cfg.run.numExperiments,
        queries: augmentations.length,
      }),
    )
    .digest('hex');
  // records.csv is written with the scores: a run without it computes the attacks again
  const previous = existsSync(paths.records)
    ? readPreviousResults(paths, key, cfg.run.numExperiments, (file, why) =>
        log.info(`${relative(root, file)}: unreadable (${why}); computing the attacks again`),
      )
    : undefined;
  let results: AuditResult[];
  let aggregate: AggregateResult[] | undefined;
  let notes: string[];
  if (previous !== undefined) {
    ({ results, notes } = previous);
    aggregate = previous.aggregate;
    timing.add('attacks', 0, true);
    log.info('attacks: results.json is up to date for these models and settings, reused');
  } else {
    const k = cfg.run.numExperiments;
    const dpTraining = dpTrainingOf(
      models.map((x) => ({
        id: x.plan.id,
        modelDir: join(paths.models, x.plan.id, x.hash),
        accuracy: lastAccuracies(x.history).valAccuracy,
        target: x.plan.index < k,
      })),
      'the models of this run trained without DP (the reference models, on halves of the same samples)',
    );
    // the δ of the claims: the DP target's own δ (the accountant's), else 1e-5
    const delta = dpTraining[0]?.delta ?? ONE_RUN_DELTA;
    let oneRunOut: ReturnType<typeof logOneRun>;
    const sweep = runExposureSweep(models, keep, data, cfg, augmentations.length, {
      log: (line) => log.info(line),
      time: (stage, seconds) => timing.add(stage, seconds, false),
      primary: (out, e) => {
        const scoresPath = e === 0 ? paths.scores : experimentScoresPath(paths, e);
        writeNpz(scoresPath, scoresArrays(out, data.audit.y));
        recordRunFiles(root, scoresPath);
        if (e > 0) return;
        if (oneRun !== undefined && canaries !== undefined) {
          oneRunOut = logOneRun(out, canaries, oneRun, delta, log, k > 1 ? out.targetId : undefined);
        }
        const fprs = cfg.audit.fprTargets;
        const rows = buildRecords(out.scores, out.isMember, data.audit.y, out.results, fprs);
        writeFileAtomic(
          paths.records,
          recordsCsv(
            rows,
            out.scores.map((s) => s.attack),
            fprs,
          ),
        );
        recordRunFiles(root, paths.records);
      },
    });
    ({ results, notes } = sweep);
    const candidates = sweep.candidates;
    aggregate = k > 1 ? aggregateResults(results) : undefined;
    // the target's keep row is a seeded random half (the canaries independent coins): the one design
    // under which an ε bound holds
    const claim = thresholdTestClaim(candidates, 0.95, delta);
    const claims = [oneRunOut?.claim, claim, ...dpTargetClaims(candidates, dpTraining, claim, delta)].filter(
      (c) => c !== undefined,
    );
    const budget = labelQueryBudget(cfg.audit.attacks, models, n, cfg.audit.labelOnly.boundaryQueries);
    if (budget !== undefined) {
      log.info(
        `label queries: ${budget.perSample.augment} (label-augment) + ${budget.perSample.noise} (label-noise)` +
          `${budget.perSample.boundaryMax > 0 ? ` + ≤ ${budget.perSample.boundaryMax} (label-boundary)` : ''} per sample and model; ${budget.total} in all`,
      );
    }
    const file: ResultsFile = {
      results,
      ...(aggregate !== undefined ? { aggregate } : {}),
      notes,
      ...(budget !== undefined ? { labelQueries: budget } : {}),
      membership: oneRun !== undefined ? RANDOM_HALF_WITH_CANARIES : RANDOM_HALF,
      ...(claims.length > 0 ? { dpClaims: claims } : {}),
      ...(oneRunOut !== undefined ? { oneRun: oneRunOut.record } : {}),
      ...(dpTraining.length > 0 ? { dpTraining } : {}),
      key,
    };
    writeJsonAtomic(paths.results, file);
    recordRunFiles(root, paths.results);
  }
  const summaries: AuditModelSummary[] = models.map((x) => ({
    id: x.plan.id,
    label: x.plan.label,
    role: x.plan.role,
    trainSamples: x.plan.rows.length,
    modelReused: x.modelReused,
    signalsReused: x.signalsReused,
    trainSeconds: x.trainSeconds,
    ...lastAccuracies(x.history),
  }));
  return {
    runDir: root,
    config: cfg,
    dataset: {
      name: ds.name,
      source: ds.source,
      auditSamples: n,
      populationSamples: z,
      usedFallback: ds.usedFallback,
    },
    notices: ds.notices,
    models: summaries,
    results,
    aggregate,
    notes,
    resultsReused: previous !== undefined,
    timing: timing.stages,
    seconds: (performance.now() - t0) / 1000,
    privacyPoints,
  };
}
