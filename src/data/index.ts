/**
 * `mia-audit/data`: datasets by name (fashion-mnist, mnist, cifar10, synthetic, csv, npz), splits and the
 * synthetic generator. Re-exports only; code inside src/ imports the concrete files, never this index.
 */
export type { Dataset, DatasetPair } from './dataset.js';
export {
  DATASET_NAMES,
  type DatasetName,
  type DatasetOptions,
  type LoadedDatasets,
  loadDataset,
} from './registry.js';
export type { LabelledSamples, ShapedSamples } from './samples.js';
export { firstKClasses, randomHalves, randomSplit, subsetIndices, take } from './splits.js';
export { makeSynthetic, type SyntheticOptions } from './synthetic.js';
