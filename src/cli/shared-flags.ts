/**
 * Flags that several commands declare alike (src/cli/flags.ts builders): the dataset flags of `mia train`
 * and `mia infer`, the engine and backend names, and what those commands print about the dataset. Each
 * command passes its own description, so its --help says what the flag means there.
 */
import { resolve } from 'node:path';
import { closest } from '../audit/config-reader.js';
import type { Dataset } from '../data/dataset.js';
import { DATASET_NAMES, type DatasetName, type DatasetOptions } from '../data/registry.js';
import { MiaError } from '../errors.js';
import { BACKEND_NAMES, type BackendPreference, ENGINE_NAMES } from '../models/engines/names.js';
import { bool, choice, type Flag, int, parsed, text } from './flags.js';

/** The names of --backend (the tfjs engine's compute backends). */
export const BACKENDS = BACKEND_NAMES;

/** The names of --normalize for a dataset. */
const NORMALIZE = ['unit', 'standard', 'none'] as const;

/** The backends and engines besides 'auto', as help lists them after it: "node, wasm, cpu", "tfjs, ort". */
export const OTHER_BACKENDS = BACKENDS.filter((b) => b !== 'auto').join(', ');
export const OTHER_ENGINES = ENGINE_NAMES.filter((e) => e !== 'auto').join(', ');

/** --backend NAME: one of {@link BACKENDS}, 'auto' when absent. */
export function backendFlag(description: string): Flag<BackendPreference> {
  return choice(BACKENDS, { default: 'auto', description });
}

/** --engine NAME: one of ENGINE_NAMES; undefined when absent. */
export function engineFlag(description: string) {
  return choice(ENGINE_NAMES, { description });
}

/**
 * The dataset name of --dataset, spelt exactly as `mia train --help` and the YAML config's data.dataset
 * spell it (a close miss is suggested, as the config does); E_UNKNOWN_NAME otherwise.
 */
export function parseDatasetName(value: string, command: string): DatasetName {
  if ((DATASET_NAMES as readonly string[]).includes(value)) return value as DatasetName;
  const hint = closest(value, DATASET_NAMES);
  throw new MiaError(
    'E_UNKNOWN_NAME',
    `--dataset must be one of ${DATASET_NAMES.join(', ')}${hint !== undefined ? ` (did you mean '${hint}'?)` : ''}`,
    { where: `mia ${command}`, found: value },
  );
}

/** The descriptions of the dataset flags (they differ between commands). */
export interface DatasetFlagDescriptions {
  'data-path': string;
  classes: string;
  normalize: string;
}

/** --data-path, --offline, --classes and --normalize (the dataset name is declared by each command). */
export function datasetFlags(d: DatasetFlagDescriptions) {
  return {
    'data-path': text({ placeholder: 'PATH', description: d['data-path'] }),
    offline: bool({ description: 'never download datasets' }),
    classes: int({ placeholder: 'K', range: { min: 2 }, description: d.classes }),
    normalize: choice(NORMALIZE, { placeholder: 'MODE', description: d.normalize }),
  };
}

/** The dataset name flag: `parse` checks the name. */
export function datasetNameFlag(o: { description: string; required: true }): Flag<DatasetName>;
export function datasetNameFlag(o: { description: string }): Flag<DatasetName | undefined>;
export function datasetNameFlag(o: {
  description: string;
  required?: boolean;
}): Flag<DatasetName | undefined> {
  return o.required === true
    ? parsed({ required: true, placeholder: 'NAME', description: o.description, parse: parseDatasetName })
    : parsed({ placeholder: 'NAME', description: o.description, parse: parseDatasetName });
}

/** The parsed values of {@link datasetFlags}. */
export interface DatasetFlagValues {
  'data-path': string | undefined;
  classes: number | undefined;
  normalize: (typeof NORMALIZE)[number] | undefined;
}

/** Dataset options from the dataset flags (--data-path, --classes, --normalize); `fromRecord` fills gaps. */
export function datasetOptionsFromFlags(
  values: DatasetFlagValues,
  fromRecord: Record<string, unknown> = {},
): DatasetOptions {
  const o: DatasetOptions = { ...(fromRecord as DatasetOptions) };
  if (values['data-path'] !== undefined) o.path = resolve(values['data-path']);
  if (values.classes !== undefined) o.firstKClasses = values.classes;
  if (values.normalize !== undefined) o.normalize = values.normalize;
  return o;
}

/**
 * The options handed to loadDataset: the recorded ones plus downloads (allowed unless `offline`). Downloads
 * do not change the data, so they are not part of what a model records.
 */
export function loadOptions(recorded: DatasetOptions, offline: boolean): DatasetOptions {
  return { ...recorded, download: !offline };
}

/** Prints the dataset's notices and a one-line summary. */
export function announceDataset(train: Dataset, test: Dataset, notices: readonly string[]): void {
  for (const n of notices) console.log(`notice: ${n}`);
  console.log(
    `dataset ${train.name}: ${train.n} train / ${test.n} test, shape [${train.shape.join(', ')}], ` +
      `${train.numClasses} classes (${train.source})`,
  );
}

/** --wait-lock: wait for the process that holds the run directory's lock instead of stopping (src/audit/run-lock.ts). */
export function waitLockFlag() {
  return bool({
    description:
      'when another process is writing the run directory, wait for it to finish instead of stopping',
  });
}
