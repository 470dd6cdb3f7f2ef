/**
 * numpy `.npz` files: a zip of `.npy` entries named `<key>.npy`, as written by np.savez (stored) and
 * np.savez_compressed (deflate), read back by np.load. TF Privacy's AttackInputData arrays are stored
 * under the keys logits_train, logits_test, probs_train, probs_test, loss_train, loss_test,
 * labels_train, labels_test.
 *
 * The zip container is handled by ./zip.ts (zip64 included). readNpz reads the file one entry at a time
 * into its own buffer, so a stored array becomes a zero-copy, aligned view of that buffer and a
 * several-GiB .npz never sits in memory twice.
 */
import { closeSync, fstatSync, openSync } from 'node:fs';
import { MiaError } from '../errors.js';
import { describeFsError, withAtomicFile, writeAllSync } from './atomic.js';
import { encodeNpyHeader, type NpyArray, npyArray, npyDataBytes, parseNpy } from './npy.js';
import {
  bytesSource,
  fdSource,
  listZipEntries,
  readZipEntry,
  writeZip,
  type ZipInput,
  type ZipSource,
} from './zip.js';

export interface NpzWriteOptions {
  /** Deflate each entry, as np.savez_compressed does. Default false (stored, as np.savez). */
  compress?: boolean;
  /** Write zip64 records for every entry, as np.savez does; only needed to test readers. Default false. */
  forceZip64?: boolean;
}

function readNpzFrom(src: ZipSource, file: string): Map<string, NpyArray> {
  const out = new Map<string, NpyArray>();
  for (const entry of listZipEntries(src, file)) {
    if (entry.name.endsWith('/') && entry.size === 0) continue; // a directory entry
    if (!entry.name.endsWith('.npy')) {
      throw new MiaError('E_ZIP', `entry '${entry.name}' is not a .npy array`, {
        where: { file, key: entry.name },
        expected: 'only <key>.npy entries, as np.savez writes',
      });
    }
    const key = entry.name.slice(0, -4);
    if (out.has(key)) {
      throw new MiaError('E_ZIP', `entry '${entry.name}' appears twice`, { where: { file, key } });
    }
    out.set(key, parseNpy(readZipEntry(src, entry, file), { file, key }));
  }
  return out;
}

/**
 * Parses the .npz held in `bytes`. Returns the arrays keyed by entry name without `.npy`, in the
 * archive's (central directory) order. Directory entries are skipped. `where` names the file in errors;
 * an array's errors are located at { file: where, key } (`where` = `${where}:${key}`).
 *
 * Throws MiaError E_ZIP (not a zip, corrupt or truncated zip, CRC mismatch, an entry that is not .npy,
 * a duplicate key) and every error of {@link parseNpy}. Arrays may be zero-copy views into `bytes`.
 */
export function parseNpz(bytes: Uint8Array, where: string): Map<string, NpyArray> {
  return readNpzFrom(bytesSource(bytes), where);
}

/** Reads the .npz at `path` entry by entry (see {@link parseNpz}); E_IO when it cannot be opened. */
export function readNpz(path: string): Map<string, NpyArray> {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (e) {
    throw new MiaError('E_IO', `cannot read file: ${describeFsError(e)}`, { where: { file: path } });
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile())
      throw new MiaError('E_IO', 'cannot read file: not a regular file', { where: { file: path } });
    return readNpzFrom(fdSource(fd, st.size), path);
  } finally {
    closeSync(fd);
  }
}

function toEntries(arrays: Record<string, NpyArray> | Map<string, NpyArray>): ZipInput[] {
  const pairs = arrays instanceof Map ? [...arrays.entries()] : Object.entries(arrays);
  return pairs.map(([key, arr]) => {
    if (key === '') throw new TypeError('npz keys must be non-empty');
    const checked = npyArray(arr.data, arr.shape, arr.dtype); // validates shape / dtype
    return {
      name: `${key}.npy`,
      chunks: [encodeNpyHeader(checked.dtype, checked.shape), npyDataBytes(checked)],
    };
  });
}

/**
 * Encodes `arrays` as an .npz that np.load reads: entry `<key>.npy` per array in iteration order, each
 * byte-identical to np.save's output; stored, or deflated with `compress`. Deterministic (fixed
 * timestamps). Validates each array like npyArray.
 */
export function encodeNpz(
  arrays: Record<string, NpyArray> | Map<string, NpyArray>,
  options: NpzWriteOptions = {},
): Uint8Array {
  const parts: Uint8Array[] = [];
  let total = 0;
  writeZip(
    {
      write: (c) => {
        parts.push(c);
        total += c.length;
      },
    },
    toEntries(arrays),
    options,
  );
  const out = new Uint8Array(total);
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}

/**
 * Writes `arrays` to `path` as .npz (see {@link encodeNpz}) atomically, streaming each array's data
 * to the file without copying it (with `compress`, each entry is deflated in memory first).
 */
export function writeNpz(
  path: string,
  arrays: Record<string, NpyArray> | Map<string, NpyArray>,
  options: NpzWriteOptions = {},
): void {
  const entries = toEntries(arrays);
  withAtomicFile(path, (fd) => writeZip({ write: (c) => writeAllSync(fd, c) }, entries, options));
}
