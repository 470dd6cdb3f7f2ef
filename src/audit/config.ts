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
 * configs/README.md documents every key. Errors (unknown keys, wrong types, values out of range,
 * unknown names) are E_CONFIG at `file:line:column` of the key or value, one line with what was
 * expected (config-reader.ts). Relative paths (log_dir, data.path) are relative to the current
 * directory, as in Privacy Meter.
 */
import { basename, extname } from 'node:path';
import { isScalar } from 'yaml';
import { findReferenceAttack, outputAttackNames, referenceAttacks } from '../attacks/registry.js';
import { DATASET_NAMES } from '../data/registry.js';
import { MiaError } from '../errors.js';
import { readFileOrThrow } from '../io/atomic.js';
import { SLICE_FAMILIES, type SliceFamily } from '../metrics/slicing.js';
import { BACKEND_NAMES, type BackendPreference } from '../models/engines/names.js';
import { type ExperimentsConfig, readExperiments } from './config-experiments.js';
import { readTargetAndReference, TRAIN_KEYS, type TrainingConfig } from './config-models.js';
import { type PrivacyConfig, readOutputAttacks, readPrivacy } from './config-privacy.js';
import { parseConfigSource, SectionReader, whereOfNode } from './config-reader.js';
import { DEFAULT_PRIVACY_ATTACKS } from './privacy-callback.js';
import { DEFAULT_FPR_TARGETS } from './run-attacks.js';

export type { ExperimentConfig, ExperimentModelConfig, ExperimentsConfig } from './config-experiments.js';
export type { TrainingConfig } from './config-models.js';

export type AuditSignal = 'scaled-logit' | 'confidence';
export const AUDIT_SIGNALS: readonly AuditSignal[] = ['scaled-logit', 'confidence'];

export interface AuditConfig {
  run: {
    seed: number;
    logDir: string;
    numExperiments: number;
    backend: BackendPreference;
  };
  data: {
    dataset: string;
    path?: string;
    download: boolean;
    allowSyntheticFallback: boolean;
    /** A built-in dataset used when `dataset` is not found (e.g. fashion-mnist for cifar10), with a notice. */
    fallbackDataset?: string;
    firstKClasses?: number;
    normalize?: 'unit' | 'standard' | 'none';
    auditSize: number;
    populationSize: number;
    validationSize: number;
    synthetic?: { shape?: number[]; classes?: number; noise?: number };
  };
  target: TrainingConfig;
  reference: TrainingConfig;
  audit: {
    referenceModels: number;
    attacks: string[];
    signal: AuditSignal;
    augmentations: { flip: boolean; shift: number };
    rmia: { a?: number; gamma: number };
    fprTargets: number[];
    slices: SliceFamily[];
    shadow: { hiddenLayers: number[] };
    /** Attacks during training (privacy-callback.ts); everyEpochs 0 = off. */
    privacy: PrivacyConfig;
  };
  report: { enabled: boolean };
  /**
   * The experiments mode (config-experiments.ts), when the config has `models` and `experiments`. Then
   * `target` and `reference` hold the first model's training (for summaries) and reference_models is 0.
   */
  experiments?: ExperimentsConfig;
}

/** A config as loaded: the typed values, the text it came from, and where each value was written. */
export interface LoadedConfig {
  config: AuditConfig;
  /** The YAML text as given (copied to the run directory). */
  text: string;
  /** The `--set` overrides applied, as given (`key.path=value`). */
  overrides: string[];
  file: string;
  /** `file:line:col` (or `--set path`, or the file) of a dotted config path, for errors found later. */
  where(path: string): string;
}

/** True when attack `name` needs every sample to have IN and OUT reference models (registry needs). */
function needsInAndOut(name: string): boolean {
  return findReferenceAttack(name)?.needs.references === 'in-and-out';
}

/**
 * Every attack name the pipeline runs: the reference attacks of the registry (the LiRA variants, rmia /
 * rmia-online, attack-r / attack-p, `shadow`: a meta-classifier on the reference models' outputs),
 * `loss` (the loss threshold) and the output attacks of `mia attack` (threshold, threshold-entropy, …,
 * lr, mlp, rf, knn).
 */
export const ATTACK_NAMES: readonly string[] = [
  ...referenceAttacks().map((a) => a.name),
  'loss',
  ...outputAttackNames(),
];

export const DEFAULT_AUDIT_ATTACKS: readonly string[] = ['rmia', 'lira-online', 'lira-offline', 'loss'];

const SECTIONS = [
  'run',
  'data',
  'target',
  'reference',
  'audit',
  'report',
  'training',
  'models',
  'experiments',
];
const RUN_KEYS = ['seed', 'log_dir', 'num_experiments', 'backend'];
const DATA_KEYS = [
  'dataset',
  'path',
  'download',
  'allow_synthetic_fallback',
  'first_k_classes',
  'normalize',
  'audit_size',
  'population_size',
  'validation_size',
  'synthetic',
  'fallback_dataset',
];

/** Datasets that can stand in for a missing one (data.fallback_dataset). */
const FALLBACK_DATASETS = ['fashion-mnist', 'mnist', 'cifar10', 'synthetic'] as const;
const AUDIT_KEYS = [
  'reference_models',
  'attacks',
  'signal',
  'augmentations',
  'rmia',
  'fpr_targets',
  'slices',
  'shadow',
  'privacy_every_epochs',
  'privacy_attacks',
  'privacy_samples',
];

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
): LoadedConfig {
  const src = parseConfigSource(text, file, overrides);
  const root = new SectionReader(src, src.doc.contents, '', SECTIONS);
  const positions = new Map<string, string>();
  const note = (s: SectionReader, key: string) => positions.set(s.pathOf(key), s.whereOf(key));

  const run = root.section('run', RUN_KEYS);
  const data = root.section('data', DATA_KEYS);
  // (checks the keys of target and reference early, as before; read below)
  root.section('target', TRAIN_KEYS);
  root.section('reference', TRAIN_KEYS);
  const audit = root.section('audit', AUDIT_KEYS);
  const report = root.section('report', ['enabled']);

  // run
  const stem = basename(file, extname(file)) || 'audit';
  const runCfg: AuditConfig['run'] = {
    seed: run.int('seed', { min: 0, max: 2 ** 31 - 1 }) ?? 0,
    logDir: run.string('log_dir') ?? `runs/${stem}`,
    numExperiments: run.int('num_experiments', { min: 1 }) ?? 1,
    backend: run.oneOf('backend', BACKEND_NAMES) ?? 'auto',
  };

  // data
  if (!data.has('dataset')) {
    throw new MiaError('E_CONFIG', 'data.dataset is required', {
      where: data.absent ? root.whereOf() : data.whereOf(),
      expected: `one of ${DATASET_NAMES.join(', ')}`,
    });
  }
  const dataset = data.oneOf('dataset', DATASET_NAMES)!;
  for (const k of DATA_KEYS) note(data, k);
  const dataCfg: AuditConfig['data'] = {
    dataset,
    download: data.bool('download') ?? false,
    allowSyntheticFallback: data.bool('allow_synthetic_fallback') ?? false,
    auditSize: data.int('audit_size', { min: 2 }) ?? 2000,
    populationSize: data.int('population_size', { min: 0 }) ?? 1000,
    validationSize: data.int('validation_size', { min: 0 }) ?? 500,
  };
  const dpath = data.string('path');
  if (dpath !== undefined) dataCfg.path = dpath;
  const k = data.int('first_k_classes', { min: 2 });
  if (k !== undefined) dataCfg.firstKClasses = k;
  const norm = data.oneOf('normalize', ['unit', 'standard', 'none'] as const);
  if (norm !== undefined) dataCfg.normalize = norm;
  if (data.has('synthetic')) {
    const syn = data.section('synthetic', ['shape', 'classes', 'noise']);
    const s: NonNullable<AuditConfig['data']['synthetic']> = {};
    const shape = syn.list('shape', 'positive integers', (n, fail) => {
      const v = isScalar(n) ? n.value : undefined;
      if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) fail('must be a positive integer');
      return v as number;
    });
    if (shape !== undefined) {
      if (shape.length !== 1 && shape.length !== 3) {
        syn.fail('shape', 'must be [d] (tabular rows) or [h, w, c] (images)', {
          found: `[${shape.join(', ')}]`,
        });
      }
      s.shape = shape;
    }
    const classes = syn.int('classes', { min: 2 });
    if (classes !== undefined) s.classes = classes;
    const noise = syn.number('noise', { min: 0 });
    if (noise !== undefined) s.noise = noise;
    dataCfg.synthetic = s;
  }
  if (dataCfg.validationSize > dataCfg.populationSize) {
    data.fail('validation_size', `is larger than data.population_size (${dataCfg.populationSize})`, {
      expected: `an integer in [0, ${dataCfg.populationSize}] (validation uses population samples)`,
      found: String(dataCfg.validationSize),
    });
  }

  const fallback = data.oneOf('fallback_dataset', FALLBACK_DATASETS);
  if (fallback !== undefined) {
    if (fallback === dataset) data.fail('fallback_dataset', `is the dataset itself`, { found: fallback });
    dataCfg.fallbackDataset = fallback;
  }
  note(data, 'fallback_dataset');

  // models: the experiments mode (models + experiments), or a target with reference models
  const experimentsMode = root.has('experiments') || root.has('models');
  let experiments: ExperimentsConfig | undefined;
  let targetCfg: TrainingConfig;
  let referenceCfg: TrainingConfig;
  if (experimentsMode) {
    experiments = readExperiments(root, { run, audit }, src, dataCfg.firstKClasses, (p, w) =>
      positions.set(p, w),
    );
    targetCfg = experiments.models[0]!.training;
    referenceCfg = targetCfg;
  } else {
    ({ target: targetCfg, reference: referenceCfg } = readTargetAndReference(root, src));
  }

  // audit
  const referenceModels = experimentsMode ? 0 : (audit.int('reference_models', { min: 0 }) ?? 3);
  if (referenceModels !== 0 && referenceModels % 2 === 0) {
    audit.fail('reference_models', 'must be 0 or odd, so that the target and the references pair up', {
      expected: '0, 1, 3, 5, … (every sample is then IN for exactly half of the 1 + M models)',
      found: String(referenceModels),
    });
  }
  const attacks = experimentsMode
    ? (readOutputAttacks(audit, 'attacks', 'experiments train no reference models', ATTACK_NAMES) ?? [
        ...DEFAULT_PRIVACY_ATTACKS,
      ])
    : (audit.list('attacks', 'attack names', (n, fail) => {
        const v = isScalar(n) ? n.value : undefined;
        if (typeof v !== 'string' || !ATTACK_NAMES.includes(v))
          fail('is not a known attack', `one of ${ATTACK_NAMES.join(', ')}`);
        return v as string;
      }) ?? [...DEFAULT_AUDIT_ATTACKS]);
  if (attacks.length === 0) audit.fail('attacks', 'is empty', { expected: 'at least one attack' });
  const dup = attacks.find((a, i) => attacks.indexOf(a) !== i);
  if (dup !== undefined) audit.fail('attacks', `lists '${dup}' twice`);
  const privacy = readPrivacy(audit, ATTACK_NAMES);
  for (const a of attacks) {
    const needs = findReferenceAttack(a)?.needs;
    if (needs === undefined) continue;
    if (needs.references === 'in-and-out' && referenceModels < 3) {
      audit.fail(
        'reference_models',
        `is ${referenceModels}, but ${a} needs every sample to have IN and OUT reference models`,
        { expected: 'at least 3 reference models', found: String(referenceModels) },
      );
    }
    if (needs.references !== 'none' && referenceModels < 1) {
      audit.fail('reference_models', `is 0, but ${a} needs reference models`, { expected: 'at least 1' });
    }
    if (needs.population && dataCfg.populationSize < 1) {
      data.fail('population_size', `is 0, but ${a} needs population samples`, { expected: 'at least 1' });
    }
  }
  const aug = audit.section('augmentations', ['flip', 'shift']);
  const augmentations = { flip: aug.bool('flip') ?? false, shift: aug.int('shift', { min: 0, max: 8 }) ?? 0 };
  const rmiaSec = audit.section('rmia', ['a', 'gamma']);
  const rmia: AuditConfig['audit']['rmia'] = {
    gamma: rmiaSec.number('gamma', { min: 0, exclusiveMin: true }) ?? 1,
  };
  const a = rmiaSec.number('a', { min: 0, max: 1 });
  if (a !== undefined) rmia.a = a;
  const fprTargets = audit.list('fpr_targets', 'numbers in (0, 1)', (n, fail) => {
    const v = isScalar(n) ? n.value : undefined;
    if (typeof v !== 'number' || !(v > 0 && v < 1)) fail('must be a number in (0, 1)');
    return v as number;
  }) ?? [...DEFAULT_FPR_TARGETS];
  const slices =
    audit.list('slices', `slice names (${SLICE_FAMILIES.join(', ')})`, (n, fail) => {
      const v = isScalar(n) ? n.value : undefined;
      if (typeof v !== 'string' || !(SLICE_FAMILIES as readonly string[]).includes(v)) {
        fail('is not a known slice', `one of ${SLICE_FAMILIES.join(', ')}`);
      }
      return v as SliceFamily;
    }) ?? (['entire', 'class', 'correctness'] as SliceFamily[]);
  if (!slices.includes('entire')) slices.unshift('entire');
  const shadowSec = audit.section('shadow', ['hidden_layers']);
  const hiddenLayers = shadowSec.list('hidden_layers', 'positive integers', (n, fail) => {
    const v = isScalar(n) ? n.value : undefined;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) fail('must be a positive integer');
    return v as number;
  }) ?? [64];
  if (hiddenLayers.length < 1 || hiddenLayers.length > 2) {
    shadowSec.fail('hidden_layers', 'must list one or two layer widths', {
      found: `${hiddenLayers.length} widths`,
    });
  }
  if (runCfg.numExperiments > referenceModels + 1) {
    run.fail(
      'num_experiments',
      `is larger than the ${referenceModels + 1} models (target + audit.reference_models)`,
      {
        expected: `an integer in [1, ${referenceModels + 1}]`,
        found: String(runCfg.numExperiments),
      },
    );
  }
  if (runCfg.numExperiments > 1 && referenceModels < 3 && attacks.some(needsInAndOut)) {
    run.fail('num_experiments', 'needs at least 3 reference models', {
      found: String(runCfg.numExperiments),
    });
  }
  const auditCfg: AuditConfig['audit'] = {
    referenceModels,
    attacks,
    signal: audit.oneOf('signal', AUDIT_SIGNALS) ?? 'scaled-logit',
    augmentations,
    rmia,
    fprTargets,
    slices,
    shadow: { hiddenLayers },
    privacy,
  };
  if ((augmentations.flip || augmentations.shift > 0) && dataCfg.synthetic?.shape?.length === 1) {
    aug.fail(augmentations.flip ? 'flip' : 'shift', 'needs image data', { found: 'tabular synthetic data' });
  }
  const config: AuditConfig = {
    run: runCfg,
    data: dataCfg,
    target: targetCfg,
    reference: referenceCfg,
    audit: auditCfg,
    report: { enabled: report.bool('enabled') ?? true },
  };
  if (experiments !== undefined) config.experiments = experiments;
  for (const key of ['audit_size', 'population_size', 'validation_size']) note(data, key);
  note(audit, 'reference_models');
  note(run, 'log_dir');
  return {
    config,
    text,
    overrides: [...overrides],
    file,
    where: (p) => positions.get(p) ?? whereOfNode(src, undefined, p),
  };
}

/** The config as JSON (config.resolved.json): every value the pipeline used, defaults filled in. */
export function resolvedConfigJson(config: AuditConfig): unknown {
  return JSON.parse(JSON.stringify(config));
}
