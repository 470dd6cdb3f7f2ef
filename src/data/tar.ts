/**
 * A minimal reader of POSIX ustar / GNU tar archives (enough for the official CIFAR-10 binary archive):
 * 512-byte headers, octal sizes, the ustar name prefix and GNU long names ('L' entries). Only regular
 * files are returned; directories, links and other entries are skipped.
 */
import { MiaError } from '../errors.js';

const BLOCK = 512;
const decoder = new TextDecoder('utf-8');

function cString(b: Uint8Array): string {
  const end = b.indexOf(0);
  return decoder.decode(end < 0 ? b : b.subarray(0, end));
}

function octal(b: Uint8Array, where: string): number {
  const s = cString(b).trim();
  if (!/^[0-7]*$/.test(s)) {
    throw new MiaError('E_DATASET', 'tar header has a size field that is not octal', { where, found: s });
  }
  return s === '' ? 0 : Number.parseInt(s, 8);
}

/**
 * The regular files of a tar archive as a Map from path (as stored, e.g. "cifar-10-batches-bin/
 * data_batch_1.bin") to its bytes (views into `bytes`, no copy). A header or file that runs past the end
 * throws E_TRUNCATED, a corrupt header (bad checksum) E_DATASET, both naming `where`.
 */
export function readTar(bytes: Uint8Array, where: string): Map<string, Uint8Array> {
  const files = new Map<string, Uint8Array>();
  let off = 0;
  let longName: string | undefined;
  while (off + BLOCK <= bytes.length) {
    const h = bytes.subarray(off, off + BLOCK);
    if (h.every((v) => v === 0)) break; // end-of-archive marker
    let sum = 0;
    for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 32 : h[i]!;
    const stored = octal(h.subarray(148, 156), where);
    if (stored !== sum) {
      throw new MiaError('E_DATASET', `tar header at byte ${off} has a bad checksum`, {
        where,
        expected: String(sum),
        found: String(stored),
      });
    }
    const size = octal(h.subarray(124, 136), where);
    const type = String.fromCharCode(h[156]!);
    const magic = cString(h.subarray(257, 263));
    const prefix = magic === 'ustar' ? cString(h.subarray(345, 500)) : '';
    let name = cString(h.subarray(0, 100));
    if (prefix !== '') name = `${prefix}/${name}`;
    if (type !== 'L' && longName !== undefined) name = longName;
    const start = off + BLOCK;
    if (start + size > bytes.length) {
      throw new MiaError('E_TRUNCATED', `tar entry "${name}" runs past the end of the archive`, {
        where,
        expected: `${start + size} bytes`,
        found: `${bytes.length}`,
      });
    }
    const body = bytes.subarray(start, start + size);
    if (type === 'L') {
      longName = cString(body);
    } else {
      longName = undefined;
      if (type === '0' || type === '\0') files.set(name, body);
    }
    off = start + Math.ceil(size / BLOCK) * BLOCK;
  }
  return files;
}
