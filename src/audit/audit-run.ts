/**
 * What an audit run takes and gives, in both modes (reference-audit.ts and experiments.ts fill it;
 * pipeline.ts's runAudit picks the mode), and how both begin (startAudit).
 */

import { type Logger, silentLogger } from '../core/logger.js';
import { type ErrorWhere, formatLocation } from '../errors.js';
import type { Engine } from '../models/engine.js';
import type { BackendPreference } from '../models/engines/names.js';
import type { AggregateResult } from './aggregate.js';
import type { AuditResult } from './attack-stage.js';
import { loadAuditData } from './audit-data.js';
import type { ExperimentsComparison } from './compare-experiments.js';
import { type AuditConfig, type LoadedConfig, trainingsOf } from './config.js';
import { smallAuditWarning } from './config-data.js';
import { checkAuditModelsFit } from './model-fit.js';
import type { PrivacyPoint } from './privacy-collection.js';
import { verifyRunFiles } from './run-manifest.js';
import { startRun } from './run-paths.js';
import type { StageTiming } from './timing-log.js';

export interface RunAuditOptions {
  /** Progress lines (default silent). */
  logger?: Logger;
  /** Replaces run.log_dir (e.g. `mia demo --out`). */
  logDir?: string;
  /** Replaces run.backend. */
  backend?: BackendPreference;
  /** When another process holds the run directory's lock: wait for it (true) or fail with E_LOCKED (default). */
  waitLock?: boolean;
  /** Creates the training engine (default src/models/engines/create-engine.ts createEngine('auto', { backend })). */
  createEngine?: (backend: BackendPreference) => Promise<Engine>;
  /**
   * Called as the audit enters a stage and after each model (the server's progress and its cancel: a
   * throw from it stops the audit there, with every finished model and signal file kept for a rerun).
   */
  onProgress?: (progress: AuditProgress) => void;
}

/**
 * Where an audit is: its stage and how many of its steps are done. The steps are the models to train or
 * load (target and references, or the named models) and the attack stage: `total` is models + 1.
 */
export interface AuditProgress {
  stage: 'dataset' | 'models' | 'attacks';
  done: number;
  total: number;
}

/** One model of the run, for the summary. */
export interface AuditModelSummary {
  id: string;
  label: string;
  role: 'target' | 'reference';
  trainSamples: number;
  modelReused: boolean;
  signalsReused: boolean;
  trainSeconds: number;
  /** Last epoch's training / validation accuracy, when the history has them. */
  trainAccuracy: number | undefined;
  valAccuracy: number | undefined;
}

/** What runAudit returns (everything it also wrote to the run directory). */
export interface AuditRun {
  runDir: string;
  config: AuditConfig;
  dataset: {
    name: string;
    source: string;
    auditSamples: number;
    populationSamples: number;
    usedFallback: boolean;
  };
  /** Dataset notices (the synthetic fallback, downloads) and other lines for the user. */
  notices: string[];
  models: AuditModelSummary[];
  /** Every result of every experiment (results.json "results"). */
  results: AuditResult[];
  /** Per attack × slice spread over experiments, when num_experiments > 1. */
  aggregate: AggregateResult[] | undefined;
  /** Notes of the attacks (tuned RMIA a, …). */
  notes: string[];
  /** True when results.json was found finished for the same inputs and reused. */
  resultsReused: boolean;
  timing: StageTiming[];
  /** Wall time of the whole call in seconds. */
  seconds: number;
  /** The experiments mode's comparison in words (compare-experiments.ts); undefined otherwise. */
  comparison?: ExperimentsComparison;
  /** Points of the attacks run during training (privacy-by-epoch.json); empty when none ran. */
  privacyPoints: PrivacyPoint[];
}

/**
 * The start of both modes: the run directory (startRun: config copies, stale temp files removed) and
 * the dataset, timed as `load dataset`, with its notices logged.
 */
export async function startAudit(loaded: LoadedConfig, options: RunAuditOptions) {
  const log = options.logger ?? silentLogger;
  const { paths, timing } = startRun(loaded, options.logDir);
  log.info(`run directory ${paths.root}`);
  // a recorded file whose size or checksum changed is removed here and computed again by its stage
  verifyRunFiles(paths.root, (line) => log.info(line));
  options.onProgress?.({ stage: 'dataset', done: 0, total: 0 });
  const ds = await timing.time('load dataset', async () => ({
    value: await loadAuditData(loaded),
    reused: false,
  }));
  for (const n of ds.notices) log.info(`notice: ${n}`);
  const small = smallAuditWarning(loaded.config.data.auditSize);
  if (small !== undefined) log.info(`warning: ${whereText(loaded.where('data.audit_size'))}: ${small}`);
  // the models must build for the data as loaded (csv / npz shapes are known only now) and fit in memory
  checkAuditModelsFit(
    trainingsOf(loaded.config),
    loaded.where,
    ds.data.audit.shape,
    ds.data.audit.numClasses,
  );
  return { log, paths, timing, ds };
}

/** An ErrorWhere as the one string MiaError shows. */
function whereText(w: ErrorWhere): string {
  return typeof w === 'string' ? w : formatLocation(w);
}
