/**
 * The experiments mode of `mia audit` (seed 000's case study; config-experiments.ts): named models are
 * compared in experiments, top to bottom:
 *
 *   load dataset → per experiment its data (all classes or the first k) → train or load each model,
 *   attacking it every N epochs while it trains → final output attacks → comparison in words
 *
 * Every model trains on all N audit samples of its data (from the training split: its members) and is
 * attacked against the Z population samples (from the test split, never trained on: its
 * non-members), as the TF Privacy codelab and seed 000 attack train vs test; the first
 * validation_size population samples give the validation accuracy per epoch. A model named by several
 * experiments on the same data is trained once and reported in each (seed 000 reuses its depth-4
 * dense net); with first_k_classes it is another model, with the id "<name> (k classes)".
 *
 * The run directory (docs/run-dir.md) gets results.json (every result tagged with its experiment and
 * model), scores.npz (keys `<experiment>/<model>/<attack>`, `…/is_member`, `…/labels`), history.json,
 * privacy-by-epoch.json (the per-epoch points of each model, tagged with each experiment it is in),
 * samples.npz, environment.json and experiments.json (compare-experiments.ts). Resumable: models are
 * cached by content hash and their per-epoch points by key (tracked-training.ts); the final attacks
 * (seconds) are run again.
 */
import { join } from 'node:path';
import type { AttackScores } from '../attacks/registry.js';
import { formatDuration } from '../core/duration.js';
import { MiaError } from '../errors.js';
import { writeJsonAtomic } from '../io/atomic.js';
import { npyArray } from '../io/npy.js';
import { writeNpz } from '../io/npz.js';
import type { TrainRequest } from '../models/cache.js';
import type { EpochRecord } from '../models/train.js';
import { makeModelOutputs } from '../signals/model-outputs.js';
import { attackSeedSpread, type SeedSpread } from './attack-seed-spread.js';
import type { AuditResult } from './attack-stage.js';
import { type AuditModelSummary, type AuditRun, type RunAuditOptions, startAudit } from './audit-run.js';
import { compareExperiments } from './compare-experiments.js';
import type { ExperimentsAudit, LoadedConfig } from './config.js';
import { FIXED_SPLIT } from './dp-claim.js';
import { dpTrainingOf } from './dp-target.js';
import { describeArchitecture, type Instance, planInstances } from './experiment-plan.js';
import { lazyEngine } from './lazy-engine.js';
import type { PrivacyPoint } from './privacy-collection.js';
import { runOutputAttacks } from './run-attacks.js';
import {
  historyEpochs,
  lastAccuracies,
  writeEnvironment,
  writePrivacyByEpoch,
  writeSamples,
} from './run-files.js';
import type { ExperimentsFile, HistoryFile, ResultsFile } from './run-format/index.js';
import { recordRunDir, recordRunFiles } from './run-manifest.js';
import { privacyPath } from './run-paths.js';
import { deriveSeed } from './seeds.js';
import { trainTracked } from './tracked-training.js';

/** What training and attacking one instance produced. */
interface Trained {
  inst: Instance;
  results: AuditResult[];
  scores: AttackScores[];
  isMember: Uint8Array;
  labels: Int32Array;
  history: EpochRecord[];
  /** The model's cache directory (its model.json carries `dp` when trained with DP-SGD). */
  modelDir: string;
  points: PrivacyPoint[];
  params: number;
  modelReused: boolean;
  pointsReused: boolean;
  trainSeconds: number;
  /** The final attacks' seed-to-seed AUC spread (attack-seed-spread.ts). */
  spread: SeedSpread[];
}

/**
 * Runs the experiments of `loaded` (see the file header) and returns what runAudit returns, with the
 * comparison in words. Throws E_CONFIG (at the config's position) for a population of 0 samples or a
 * first_k_classes above the dataset's classes, and the errors of training and the attacks.
 */
export async function runExperimentsAudit(
  loaded: LoadedConfig<ExperimentsAudit>,
  options: RunAuditOptions = {},
): Promise<AuditRun> {
  const t0 = performance.now();
  const cfg = loaded.config;
  const { log, paths, timing, ds } = await startAudit(loaded, options);
  const base = ds.data;
  if (base.population === undefined) {
    throw new MiaError('E_CONFIG', 'data.population_size is 0, but experiments attack held-out samples', {
      where: loaded.where('data.population_size'),
      expected: 'at least 1 (the non-members: samples of the test split no model trains on)',
    });
  }
  log.info(
    `dataset ${ds.name}: ${base.audit.n} training samples (every model's members), ${base.population.n} held-out ` +
      `samples (non-members), shape [${base.audit.shape.join(', ')}], ${base.audit.numClasses} classes (${ds.source})`,
  );
  const instances = planInstances(loaded, base);
  const spec = cfg.experiments;
  const priv = cfg.audit.privacy;
  log.info(
    `${spec.experiments.length} experiments, ${instances.length} models` +
      (priv.everyEpochs > 0
        ? `; attacks ${priv.attacks.join(', ')} every ${priv.everyEpochs === 1 ? 'epoch' : `${priv.everyEpochs} epochs`} on at most ${priv.samples} members + ${priv.samples} non-members`
        : ''),
  );

  const engines = lazyEngine(options.backend ?? cfg.run.backend, log, options.createEngine);

  const trained: Trained[] = [];
  const notes: string[] = [];
  for (const [i, inst] of instances.entries()) {
    // each model is trained and attacked in turn: the attack stage is the comparison after the last
    options.onProgress?.({ stage: 'models', done: i, total: instances.length + 1 });
    const counter = `[${i + 1}/${instances.length}] ${inst.id}`;
    const d = inst.data;
    const pop = d.population!;
    const t = inst.training;
    const seed = deriveSeed(cfg.run.seed, `model:${inst.slug}`);
    const train = { x: d.audit.x, y: d.audit.y, n: d.audit.n };
    const request: TrainRequest = {
      arch: t.architecture,
      inputShape: [...d.audit.shape],
      numClasses: d.audit.numClasses,
      optimizer: t.optimizer,
      epochs: t.epochs,
      batchSize: t.batchSize,
      ...(t.augment !== undefined ? { augment: t.augment } : {}),
      seed,
      dataset: d.dataset,
      indices: Int32Array.from({ length: d.audit.n }, (_, j) => j),
      train,
      ...(d.validation !== undefined ? { validation: d.validation } : {}),
      ...(t.dp !== undefined ? { dp: t.dp } : {}),
    };
    log.info(
      `${counter}: ${describeArchitecture(t.architecture)} on ${d.audit.n} samples, ${d.audit.numClasses} classes, ` +
        `${t.epochs} epochs, batch ${t.batchSize}, ${t.optimizer.name} lr ${t.optimizer.lr}, seed ${seed}`,
    );
    const ts = performance.now();
    const res = await trainTracked(request, join(paths.models, inst.slug), {
      engine: await engines.get(),
      logger: log,
      label: counter,
      ...(priv.everyEpochs > 0
        ? {
            tracking: {
              path: privacyPath(paths, inst.slug),
              callback: {
                model: inst.id,
                members: train,
                nonMembers: pop,
                attacks: priv.attacks,
                everyEpochs: priv.everyEpochs,
                maxSamples: priv.samples,
                seed: deriveSeed(cfg.run.seed, `privacy:${inst.slug}`),
                // the final attacks' seed: the last epoch then repeats the final numbers exactly
                attackSeed: deriveSeed(cfg.run.seed, `attacks:${inst.slug}`),
              },
            },
          }
        : {}),
    });
    const trainSeconds = res.cached ? 0 : (performance.now() - ts) / 1000;
    recordRunDir(paths.root, res.dir, !res.cached);
    if (res.cached)
      log.info(`${counter}: cached model loaded${res.pointsReused ? ', per-epoch results reused' : ''}`);
    else {
      const spent =
        res.privacySeconds > 0 ? ` (${formatDuration(res.privacySeconds)} of it attacking after epochs)` : '';
      log.info(`${counter}: trained in ${formatDuration(trainSeconds)}${spent}, saved ${res.dir}`);
    }
    timing.add(`model ${inst.id}`, (performance.now() - ts) / 1000, res.cached);
    try {
      const ta = performance.now();
      const c = d.audit.numClasses;
      const outputs = async (s: { x: Float32Array; y: Int32Array; n: number }, what: string) =>
        makeModelOutputs(
          { logits: await res.model.predict(s.x, s.n), labels: s.y, numClasses: c, n: s.n },
          `${inst.id} ${what}`,
        );
      const input = {
        members: await outputs(train, 'members'),
        nonMembers: await outputs(pop, 'non-members'),
      };
      const out = runOutputAttacks(input, {
        attacks: cfg.audit.attacks,
        slices: cfg.audit.slices,
        seed: deriveSeed(cfg.run.seed, `attacks:${inst.slug}`), // as the callback's attackSeed
        fprTargets: cfg.audit.fprTargets,
      });
      const spread = attackSeedSpread(
        input,
        cfg.audit.attacks,
        deriveSeed(cfg.run.seed, `attacks:${inst.slug}`),
      );
      const secs = (performance.now() - ta) / 1000;
      timing.add(`attacks ${inst.id}`, secs, false);
      const entire = out.results.filter((r) => r.slice.feature === 'entire_dataset');
      log.info(
        `${counter}: ${entire.map((r) => `${r.attack} AUC ${r.auc.toFixed(3)}, TPR at 1% FPR ${r.tprAtFpr['0.01'] !== undefined ? `${(100 * r.tprAtFpr['0.01'].tpr).toFixed(1)}%` : 'not computed'}`).join('; ')} (${secs.toFixed(1)} s)`,
      );
      for (const s of out.scores) {
        if (s.note !== undefined) notes.push(`${s.attack} on ${inst.id}: ${s.note}`);
      }
      trained.push({
        inst,
        results: out.results,
        scores: out.scores,
        isMember: out.pooled.isMember,
        labels: out.pooled.labels,
        history: res.record.history,
        modelDir: res.dir,
        points: res.points,
        params: res.model.paramCount(),
        modelReused: res.cached,
        pointsReused: res.pointsReused,
        trainSeconds,
        spread,
      });
    } finally {
      res.model.dispose();
    }
  }

  // The run directory: results and scores per (experiment, model), history, points, samples, metadata.
  const results: AuditResult[] = [];
  const scoreArrays: Record<string, ReturnType<typeof npyArray>> = {};
  const points: PrivacyPoint[] = [];
  for (const e of spec.experiments) {
    for (const name of e.models) {
      const tr = trained.find((x) => x.inst.name === name && x.inst.experiments.includes(e.name))!;
      const id = tr.inst.id;
      for (const r of tr.results) results.push({ ...r, experiment: e.name, model: id });
      const key = `${e.name}/${id}`;
      for (const s of tr.scores)
        scoreArrays[`${key}/${s.attack}`] = npyArray(s.scores, [s.scores.length], 'float64');
      scoreArrays[`${key}/is_member`] = npyArray(Uint8Array.from(tr.isMember), [tr.isMember.length], 'bool');
      scoreArrays[`${key}/labels`] = npyArray(tr.labels, [tr.labels.length], 'int32');
      for (const p of tr.points) points.push({ ...p, experiment: e.name });
    }
  }
  options.onProgress?.({ stage: 'attacks', done: instances.length, total: instances.length + 1 });
  writeNpz(paths.scores, scoreArrays);
  recordRunFiles(paths.root, paths.scores);
  writePrivacyByEpoch(paths, points);
  const history = trained.map((x) => ({
    id: x.inst.id,
    label: `${x.inst.id} (${x.params.toLocaleString('en-US')} parameters)`,
    role: 'target',
    epochs: historyEpochs(x.history),
  }));
  const historyFile: HistoryFile = { models: history };
  writeJsonAtomic(paths.history, historyFile);
  writeSamples(
    paths.samples,
    base.audit,
    Int32Array.from({ length: Math.min(16, base.audit.n) }, (_, j) => j),
  );
  const engine = engines.current();
  writeEnvironment(paths.environment, {
    backend: engine?.backend.name ?? 'unknown',
    engine: engine?.name ?? 'unknown',
    dataset: {
      name: ds.name,
      source: ds.source,
      ...(base.audit.classNames !== undefined ? { classNames: base.audit.classNames } : {}),
      ...(ds.requested !== ds.name ? { requested: ds.requested } : {}),
      ...(ds.fallbackNotice !== undefined ? { notice: ds.fallbackNotice } : {}),
    },
  });
  const file: ExperimentsFile = {
    dataset: {
      requested: ds.requested,
      used: ds.name,
      source: ds.source,
      ...(ds.fallbackNotice !== undefined ? { note: ds.fallbackNotice } : {}),
    },
    experiments: spec.experiments.map((e) => ({
      name: e.name,
      ...(e.title !== undefined ? { title: e.title } : {}),
      models: e.models.map((m) => (e.firstKClasses === undefined ? m : `${m} (${e.firstKClasses} classes)`)),
      classes: e.firstKClasses ?? base.audit.numClasses,
    })),
    models: trained.map((x) => ({
      id: x.inst.id,
      name: x.inst.name,
      architecture: describeArchitecture(x.inst.training.architecture),
      params: x.params,
      classes: x.inst.data.audit.numClasses,
      members: x.inst.data.audit.n,
      nonMembers: x.inst.data.population!.n,
      epochs: x.inst.training.epochs,
      attackSeedSpread: x.spread,
    })),
    ...(priv.everyEpochs > 0
      ? { privacy: { everyEpochs: priv.everyEpochs, attacks: priv.attacks, samples: priv.samples } }
      : {}),
  };
  writeJsonAtomic(paths.experiments, file);
  if (priv.everyEpochs > 0) {
    notes.push(
      `attacks during training: ${priv.attacks.join(', ')} every ${priv.everyEpochs === 1 ? 'epoch' : `${priv.everyEpochs} epochs`} ` +
        `on a fixed seeded subset of at most ${priv.samples} members and ${priv.samples} non-members per model`,
    );
  }
  if (ds.fallbackNotice !== undefined) notes.unshift(ds.fallbackNotice);
  const dpTraining = dpTrainingOf(
    trained.map((x) => ({
      id: x.inst.id,
      modelDir: x.modelDir,
      accuracy: lastAccuracies(x.history).valAccuracy,
      target: true,
    })),
    'the models of this run trained without DP',
  );
  const resultsFile: ResultsFile = {
    results,
    notes,
    membership: FIXED_SPLIT,
    ...(dpTraining.length > 0 ? { dpTraining } : {}),
  };
  writeJsonAtomic(paths.results, resultsFile);
  recordRunFiles(paths.root, paths.results);
  const comparison = compareExperiments(file, results, history, points);
  log.info('');
  for (const line of comparison.lines) log.info(line);

  const models: AuditModelSummary[] = trained.map((x) => ({
    id: x.inst.id,
    label: `${x.inst.id} (${x.inst.training.architecture.name})`,
    role: 'target',
    trainSamples: x.inst.data.audit.n,
    modelReused: x.modelReused,
    signalsReused: x.pointsReused,
    trainSeconds: x.trainSeconds,
    ...lastAccuracies(x.history),
  }));
  return {
    runDir: paths.root,
    config: cfg,
    dataset: {
      name: ds.name,
      source: ds.source,
      auditSamples: base.audit.n,
      populationSamples: base.population.n,
      usedFallback: ds.usedFallback,
    },
    notices: ds.notices,
    models,
    results,
    aggregate: undefined,
    notes,
    resultsReused: false,
    timing: timing.stages,
    seconds: (performance.now() - t0) / 1000,
    comparison,
    privacyPoints: points,
  };
}
