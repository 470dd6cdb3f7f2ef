/**
 * One model of a reference-mode audit as a job of its own (the scaled mode's child jobs, docs/service.md):
 * trains or loads the planned model `id` (model-plans.ts, the plan the pipeline makes) into a run
 * directory and computes its signals, writing exactly the files the single-process pipeline writes for
 * it — models/<id>/<hash>/…, signals/<id>.npz and, for a model tracked during training, privacy/<id>.json
 * — each recorded in the manifest. A run directory holding those files from an earlier attempt is
 * reused (runModelStage skips a model whose signals match), so a retried job resumes where it stopped.
 * runAudit on a run directory that has received these files reuses them instead of training again.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { MiaError } from '../errors.js';
import { isTempFile } from '../io/atomic.js';
import { npyArray, writeNpy } from '../io/npy.js';
import { augmentationSet } from '../signals/augment.js';
import { type RunAuditOptions, startAudit } from './audit-run.js';
import type { AuditConfig, LoadedConfig, ReferenceAudit } from './config.js';
import { pairedKeepMatrix } from './keep.js';
import { lazyEngine } from './lazy-engine.js';
import { addPrivacyTracking, modelIdOf, planModels } from './model-plans.js';
import { runModelStage } from './model-stage.js';
import { prepareOneRun } from './one-run-audit.js';
import { withRunLock } from './run-lock.js';
import { recordRunFiles } from './run-manifest.js';
import { openRunDir, privacyPath, signalsPath } from './run-paths.js';
import { deriveSeed } from './seeds.js';

/**
 * The ids of the models an audit can train as separate jobs, in keep-matrix order (`target`, `ref-01`,
 * …); empty when its models cannot be planned before training (the experiments mode, and
 * audit.reference_models with `until`, which decides from the models trained so far how many to train).
 */
export function plannedModelIds(cfg: AuditConfig): string[] {
  if (cfg.mode === 'experiments' || cfg.audit.referenceSchedule !== undefined) return [];
  return Array.from({ length: 1 + cfg.audit.referenceModels }, (_, r) => modelIdOf(cfg, r));
}

/** What {@link runAuditModel} did. */
export interface ModelJobResult {
  /** The files of the model, relative to the run directory ('/'-separated), sorted. */
  files: string[];
  /** True when the model and its signals were found finished and reused. */
  reused: boolean;
  trainSeconds: number;
}

/**
 * Trains or loads the planned model `id` of `loaded` (a reference-mode audit) into the run directory
 * (options.logDir or run.log_dir) under its lock, and returns its files (see the file header). Throws
 * E_USAGE for an id the audit does not plan, and the errors of loading data and training.
 */
export async function runAuditModel(
  loaded: LoadedConfig<ReferenceAudit>,
  id: string,
  options: RunAuditOptions = {},
): Promise<ModelJobResult> {
  const cfg = loaded.config;
  const index = plannedModelIds(cfg).indexOf(id);
  if (index < 0) {
    throw new MiaError('E_USAGE', `the audit plans no model '${id}'`, {
      where: loaded.file,
      expected: plannedModelIds(cfg).join(', ') || 'an audit of planned reference models',
      found: id,
    });
  }
  const root = openRunDir(loaded, options.logDir);
  const lock = { wait: options.waitLock === true, command: `mia worker (${id})` };
  return withRunLock(root, lock, async () => {
    const { log, paths, ds } = await startAudit(loaded, options);
    const n = ds.data.audit.n;
    const m = 1 + cfg.audit.referenceModels;
    const keep = pairedKeepMatrix(m, n, deriveSeed(cfg.run.seed, 'keep'));
    // as the pipeline does: with audit.one_run the canaries drawn into the target (and relabelled)
    const { data } = prepareOneRun(cfg, ds.data, keep, log);
    // keep.npy as the pipeline writes it (the worker's copy; the server's run computes its own)
    writeNpy(paths.keep, npyArray(keep, [m, n], 'bool'));
    recordRunFiles(root, paths.keep);
    const plans = planModels(cfg, keep, n);
    addPrivacyTracking(plans, cfg, data, paths);
    const plan = plans[index]!;
    const engines = lazyEngine(options.backend ?? cfg.run.backend, log, options.createEngine);
    options.onProgress?.({ stage: 'models', done: 0, total: 1 });
    const ms = await runModelStage(plan, {
      paths,
      data,
      augmentations: augmentationSet(cfg.audit.augmentations),
      engine: engines.get,
      logger: log,
      counter: `[${index + 1}/${plans.length}]`,
    });
    const files = [signalsPath(paths, id), ...filesIn(join(paths.models, id, ms.hash))];
    if (plan.privacy !== undefined && existsSync(privacyPath(paths, id))) files.push(privacyPath(paths, id));
    return {
      files: files.map((f) => relative(root, f).split(sep).join('/')).sort(),
      reused: ms.signalsReused,
      trainSeconds: ms.trainSeconds,
    };
  });
}

/** The regular files directly in `dir` (a model's directory), absolute; none when it is missing. */
function filesIn(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isFile() && !isTempFile(e.name))
    .map((e) => join(dir, e.name));
}
