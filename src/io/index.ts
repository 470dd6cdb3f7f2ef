/**
 * `mia-audit/io`: numpy's .npy / .npz formats, CSV, JSON files, atomic writes. Re-exports only; code
 * inside src/ imports the concrete files, never this index.
 */
export { readFileOrThrow, writeFileAtomic, writeJsonAtomic } from './atomic.js';
export { formatCsv, parseCsv } from './csv.js';
export { readJsonFile } from './json.js';
export {
  type NpyArray,
  type NpyData,
  type NpyDtype,
  npyArray,
  readNpy,
  toBool,
  toFloat32,
  toFloat64,
  toInt32,
  writeNpy,
} from './npy.js';
export { type NpzWriteOptions, readNpz, writeNpz } from './npz.js';
