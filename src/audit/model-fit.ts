/**
 * The models of an audit config checked before anything is trained (models/model-size.ts): each
 * training config's architecture must build for the dataset's input shape and fit in memory. At config
 * time when the config alone tells the shape (the built-in image datasets, synthetic data), and again
 * once the dataset is loaded (csv, npz). Errors name the config key (file:line:column) of the
 * hyper-parameter at fault.
 */
import { BUILTIN_IMAGE_SOURCES } from '../data/sources.js';
import { type ErrorWhere, isMiaError, MiaError } from '../errors.js';
import { checkModelFits } from '../models/model-size.js';
import { checkAugment } from '../models/train-augment.js';
import type { DataConfig } from './config-data.js';
import type { TrainingConfig } from './config-models.js';

/** One training config of an audit with the config sections its keys may be written in (first = its own). */
export interface TrainingAt {
  sections: string[];
  training: TrainingConfig;
}

/** The per-sample shape and classes the config's data section implies without reading data, if it does. */
export function knownDataShape(data: DataConfig): { shape: number[]; numClasses: number } | undefined {
  const builtin = BUILTIN_IMAGE_SOURCES[data.dataset as keyof typeof BUILTIN_IMAGE_SOURCES];
  if (builtin !== undefined) {
    return { shape: [...builtin.shape], numClasses: data.firstKClasses ?? builtin.numClasses };
  }
  if (data.dataset === 'synthetic') {
    return {
      shape: data.synthetic?.shape ?? [28, 28, 1],
      numClasses: data.firstKClasses ?? data.synthetic?.classes ?? 10,
    };
  }
  return undefined;
}

/** True when `w` points at a line of the file or at a --set override (not only at the file). */
function located(w: ErrorWhere): boolean {
  return typeof w === 'string' || (w as { line?: number }).line !== undefined;
}

/**
 * Checks every model of `items` (an audit's, `where` its LoadedConfig.where) for per-sample `shape` and `numClasses` (see the file header). Throws
 * E_CONFIG at the key of the hyper-parameter at fault (or of the architecture).
 */
export function checkAuditModelsFit(
  items: readonly TrainingAt[],
  where: (path: string) => ErrorWhere,
  shape: readonly number[],
  numClasses: number,
): void {
  const seen = new Set<string>();
  for (const { sections, training } of items) {
    if (training.augment !== undefined) {
      try {
        checkAugment(training.augment, shape, `${sections[0]}.augment`);
      } catch (e) {
        const key = sections.find((s) => located(where(`${s}.augment`))) ?? sections[0]!;
        throw isMiaError(e)
          ? new MiaError('E_CONFIG', `${key}.augment: ${e.message}`, {
              where: where(`${key}.augment`),
              ...(e.expected !== undefined ? { expected: e.expected } : {}),
              ...(e.found !== undefined ? { found: e.found } : {}),
            })
          : e;
      }
    }
    const id = JSON.stringify([training.architecture, training.batchSize]);
    if (seen.has(id)) continue;
    seen.add(id);
    const find = (suffix: string) => {
      for (const s of sections) {
        const w = where(`${s}.architecture${suffix}`);
        if (located(w)) return { section: s, where: w };
      }
      return undefined;
    };
    const archAt = find('') ?? { section: sections[0]!, where: where(`${sections[0]}.architecture`) };
    checkModelFits(training.architecture, shape, numClasses, training.batchSize, {
      label: (param) =>
        param !== undefined
          ? `${find(`.params.${param}`)?.section ?? archAt.section}.architecture.params.${param}`
          : `${archAt.section}.architecture`,
      where: (param) =>
        param !== undefined ? (find(`.params.${param}`)?.where ?? archAt.where) : archAt.where,
    });
  }
}
