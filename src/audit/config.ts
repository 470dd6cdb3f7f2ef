/**
 * The audit config (`mia audit <config.yaml>`): its schema, defaults and validation. Sections:
 *
 *   run        seed, log_dir, num_experiments, backend
 *   data       dataset, path, download, allow_synthetic_fallback, first_k_classes, normalize,
 *              audit_size (N: samples the models train on halves of), population_size (Z: samples no
 *              model trains on, RMIA's z and Attack-P's population), validation_size, synthetic
 *   target     architecture, optimizer, learning_rate, momentum, weight_decay, schedule, epochs, batch_size
 *   reference  the same keys for the reference models (each defaults to the target's value)
 *   audit      reference_models, attacks, signal, augmentations, rmia, fpr_targets, slices, shadow,
 *              privacy_every_epochs, privacy_attacks, privacy_samples (attacks during training)
 *   report     enabled
 *
 * or, in the experiments mode (seed 000's case study; config-experiments.ts), `training`, `models`
 * and `experiments` instead of `target` and `reference`: named models compared in experiments, each
 * attacked with output attacks (members = its training samples, non-members = held-out samples).
 *
 * The two modes are the two members of AuditConfig (`mode: 'reference' | 'experiments'`): this file
 * reads what they share (run, data, report) and hands the rest to config-reference.ts or
 * config-experiments.ts; config-keys.ts declares every key.
 *
 * configs/README.md documents every key. Errors (unknown keys, wrong types, values out of range,
 * unknown names) are E_CONFIG at `file:line:column` of the key or value, one line with what was
 * expected (config-reader.ts). Relative paths (log_dir, data.path) are relative to the current
 * directory, as in Privacy Meter.
 */
import { basename, extname } from 'node:path';
import type { ErrorWhere } from '../errors.js';
import { readFileOrThrow } from '../io/atomic.js';
import { BACKEND_NAMES, type BackendPreference } from '../models/engines/names.js';
import { ATTACK_NAMES, type AuditSectionCommon, readAuditCommon } from './config-audit.js';
import { type DataConfig, readData } from './config-data.js';
import { type ExperimentsConfig, readExperiments } from './config-experiments.js';
import { AUDIT_KEYS, DATA_KEYS, REPORT_KEYS, RUN_KEYS, SECTIONS, TRAIN_KEYS } from './config-keys.js';
import type { TrainingConfig } from './config-models.js';
import { readOutputAttacks } from './config-privacy.js';
import { parseConfigSource, SectionReader, whereOfNode } from './config-reader.js';
import { type ReferenceAuditSection, readReferenceAudit } from './config-reference.js';
import { checkAuditModelsFit, knownDataShape, type TrainingAt } from './model-fit.js';
import { DEFAULT_PRIVACY_ATTACKS } from './privacy-callback.js';

export type { AuditSectionCommon } from './config-audit.js';
export { ATTACK_NAMES } from './config-audit.js';
export type { DataConfig } from './config-data.js';
export type { ExperimentConfig, ExperimentModelConfig, ExperimentsConfig } from './config-experiments.js';
export type { TrainingConfig } from './config-models.js';
export {
  AUDIT_SIGNALS,
  type AuditSignal,
  DEFAULT_AUDIT_ATTACKS,
  type ReferenceAuditSection,
} from './config-reference.js';

/** The `run` section of both modes. */
export interface RunConfig {
  seed: number;
  logDir: string;
  backend: BackendPreference;
}

/** An audit of one target with reference models (config-reference.ts). */
export interface ReferenceAudit {
  mode: 'reference';
  run: RunConfig & {
    /** How many of the 1 + M models act as the target in turn. */
    numExperiments: number;
  };
  data: DataConfig;
  target: TrainingConfig;
  reference: TrainingConfig;
  audit: ReferenceAuditSection;
  report: { enabled: boolean };
}

/** Named models compared in experiments, each attacked with output attacks (config-experiments.ts). */
export interface ExperimentsAudit {
  mode: 'experiments';
  run: RunConfig;
  data: DataConfig;
  audit: AuditSectionCommon;
  report: { enabled: boolean };
  experiments: ExperimentsConfig;
}

/** The audit config: one of the two modes, told apart by `mode`. */
export type AuditConfig = ReferenceAudit | ExperimentsAudit;

/** A config as loaded: the typed values, the text it came from, and where each value was written. */
export interface LoadedConfig<C extends AuditConfig = AuditConfig> {
  config: C;
  /** The YAML text as given (copied to the run directory). */
  text: string;
  /** The `--set` overrides applied, as given (`key.path=value`). */
  overrides: string[];
  file: string;
  /** Where a dotted config path was written (see whereOfNode), for errors found later. */
  where(path: string): ErrorWhere;
}

/**
 * Reads and validates the config at `path` (see the file header), applying `overrides`
 * (`key.path=value`). Throws E_IO when the file cannot be read and E_CONFIG (at file:line:column) for
 * anything invalid.
 */
export function loadAuditConfig(path: string, overrides: readonly string[] = []): LoadedConfig {
  const text = new TextDecoder().decode(readFileOrThrow(path));
  return parseAuditConfig(text, path, overrides);
}

/** {@link loadAuditConfig} on YAML text; `file` names it in errors and gives the default log dir. */
export function parseAuditConfig(
  text: string,
  file: string,
  overrides: readonly string[] = [],
  options: { resolveFile?: (path: string, field: string) => string } = {},
): LoadedConfig {
  const src = parseConfigSource(text, file, overrides);
  if (options.resolveFile !== undefined) src.resolveFile = options.resolveFile;
  const root = new SectionReader(src, src.doc.contents, '', SECTIONS);
  const positions = new Map<string, ErrorWhere>();
  const note = (s: SectionReader, key: string) => positions.set(s.pathOf(key), s.whereOf(key));

  const run = root.section('run', RUN_KEYS);
  const data = root.section('data', DATA_KEYS);
  // (checks the keys of target and reference early, as before; read by config-reference.ts)
  root.section('target', TRAIN_KEYS);
  root.section('reference', TRAIN_KEYS);
  const audit = root.section('audit', AUDIT_KEYS);
  const report = root.section('report', REPORT_KEYS);

  const stem = basename(file, extname(file)) || 'audit';
  const seed = run.int('seed', { min: 0, max: 2 ** 31 - 1 }) ?? 0;
  const logDir = run.string('log_dir') ?? `runs/${stem}`;
  const backend = run.oneOf('backend', BACKEND_NAMES) ?? 'auto';
  const dataCfg = readData(root, data);
  for (const k of DATA_KEYS) note(data, k);
  const reportCfg = { enabled: report.bool('enabled') ?? true };

  let config: AuditConfig;
  if (root.has('experiments') || root.has('models')) {
    const experiments = readExperiments(root, { run, audit }, src, dataCfg.firstKClasses, (p, w) =>
      positions.set(p, w),
    );
    const attacks = readOutputAttacks(
      audit,
      'attacks',
      'experiments train no reference models',
      ATTACK_NAMES,
    ) ?? [...DEFAULT_PRIVACY_ATTACKS];
    config = {
      mode: 'experiments',
      run: { seed, logDir, backend },
      data: dataCfg,
      audit: readAuditCommon(audit, attacks),
      report: reportCfg,
      experiments,
    };
  } else {
    const parts = readReferenceAudit(root, { run, data, audit }, dataCfg, src);
    config = {
      mode: 'reference',
      run: { seed, logDir, numExperiments: parts.numExperiments, backend },
      data: dataCfg,
      target: parts.target,
      reference: parts.reference,
      audit: parts.audit,
      report: reportCfg,
    };
    note(audit, 'reference_models');
  }
  for (const key of ['audit_size', 'population_size', 'validation_size']) note(data, key);
  note(run, 'log_dir');
  const loaded: LoadedConfig = {
    config,
    text,
    overrides: [...overrides],
    file,
    where: (p) => positions.get(p) ?? whereOfNode(src, src.doc.getIn(p.split('.'), true), p),
  };
  // before anything is trained: the models must build for the data and fit in memory (model-fit.ts);
  // here when the data section tells the input shape, else once the data is loaded (startAudit)
  const known = knownDataShape(dataCfg);
  if (known !== undefined)
    checkAuditModelsFit(trainingsOf(config), loaded.where, known.shape, known.numClasses);
  return loaded;
}

/** Every training config of `config` with the sections its keys may be written in (model-fit.ts). */
export function trainingsOf(config: AuditConfig): TrainingAt[] {
  if (config.mode === 'reference') {
    return [
      { sections: ['target'], training: config.target },
      { sections: ['reference', 'target'], training: config.reference },
    ];
  }
  return config.experiments.models.map((m) => ({
    sections: [`models.${m.name}`, 'training'],
    training: m.training,
  }));
}

/** The config as JSON (config.resolved.json): every value the pipeline used, defaults filled in. */
export function resolvedConfigJson(config: AuditConfig): unknown {
  return JSON.parse(JSON.stringify(config));
}
