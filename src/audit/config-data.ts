/**
 * The `data` section of the audit config (both modes): which dataset, where it is, how many samples the
 * models train on halves of (audit_size), how many no model trains on (population_size) and how many of
 * those are evaluated after every epoch (validation_size). Errors are E_CONFIG at the key
 * (config-reader.ts).
 */
import { isScalar } from 'yaml';
import { DATASET_NAMES } from '../data/registry.js';
import { MiaError } from '../errors.js';
import { SYNTHETIC_KEYS } from './config-keys.js';
import type { SectionReader } from './config-reader.js';

export interface DataConfig {
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
}

/**
 * The smallest data.audit_size whose figures mean something: 200 samples, i.e. 100 members against 100
 * non-members for the target. Below it one non-member is more than 1 % of the non-members (TPR at 1 %
 * FPR cannot be read), and the AUC of a random attack spreads by about ±0.08 (two standard errors,
 * √((2n+1)/(12n²)) with n = 100 gives 0.041): smaller audits run, with a warning.
 */
export const MIN_AUDIT_SIZE = 200;

/** The warning for an audit of `n` samples below {@link MIN_AUDIT_SIZE}, or undefined. */
export function smallAuditWarning(n: number): string | undefined {
  if (n >= MIN_AUDIT_SIZE) return undefined;
  const half = Math.floor(n / 2);
  return (
    `data.audit_size ${n} gives about ${half} members against ${n - half} non-members: below ${MIN_AUDIT_SIZE} ` +
    '(100 against 100) the AUC, the TPR at low FPR and the ε bounds mean nothing'
  );
}

/** Datasets that can stand in for a missing one (data.fallback_dataset). */
const FALLBACK_DATASETS = ['fashion-mnist', 'mnist', 'cifar10', 'synthetic'] as const;

/** Reads the `data` section `data` of the config whose root section is `root`. */
export function readData(root: SectionReader, data: SectionReader): DataConfig {
  if (!data.has('dataset')) {
    throw new MiaError('E_CONFIG', 'data.dataset is required', {
      where: data.absent ? root.whereOf() : data.whereOf(),
      expected: `one of ${DATASET_NAMES.join(', ')}`,
    });
  }
  const dataset = data.oneOf('dataset', DATASET_NAMES)!;
  const dataCfg: DataConfig = {
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
    const syn = data.section('synthetic', SYNTHETIC_KEYS);
    const s: NonNullable<DataConfig['synthetic']> = {};
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
  return dataCfg;
}
