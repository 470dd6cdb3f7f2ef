/**
 * The IDX format of MNIST and Fashion-MNIST (LeCun et al., http://yann.lecun.com/exdb/mnist/): a 4-byte
 * big-endian magic number (0, 0, dtype, ndims), ndims big-endian uint32 sizes, then the data row-major.
 * Only unsigned bytes (dtype 0x08) are read: labels have magic 2049 (0x00000801, one dimension) and images
 * magic 2051 (0x00000803, three dimensions: n, rows, cols). Files may be gzipped or raw.
 */
import { join } from 'node:path';
import { MiaError } from '../errors.js';
import { readFileOrThrow } from '../io/atomic.js';
import type { ByteImages } from './dataset.js';
import { gunzipBytes, isGzip } from './gzip.js';

export const IDX_LABELS_MAGIC = 2049;
export const IDX_IMAGES_MAGIC = 2051;

/** A parsed IDX array of unsigned bytes: `dims` as in the header, `data` of length prod(dims). */
export interface IdxArray {
  dims: number[];
  data: Uint8Array;
}

/**
 * Parses IDX bytes that must carry `expectedMagic` (2049 or 2051). Checks the magic, that the header is
 * complete, and that the data length is exactly prod(dims): fewer bytes throw E_TRUNCATED, a wrong magic
 * or trailing bytes E_DATASET, each naming `where`. `data` is a view into `bytes` (no copy).
 */
export function parseIdx(bytes: Uint8Array, expectedMagic: number, where: string): IdxArray {
  const kind = expectedMagic === IDX_LABELS_MAGIC ? 'labels' : 'images';
  if (bytes.length < 4) {
    throw new MiaError('E_TRUNCATED', `IDX ${kind} file shorter than its 4-byte magic number`, {
      where,
      found: `${bytes.length} bytes`,
    });
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = view.getUint32(0, false);
  if (magic !== expectedMagic) {
    throw new MiaError('E_DATASET', `not an IDX ${kind} file (bad magic number)`, {
      where,
      expected: `${expectedMagic} (0x${expectedMagic.toString(16).padStart(8, '0')})`,
      found: `${magic} (0x${magic.toString(16).padStart(8, '0')})`,
    });
  }
  const ndims = magic & 0xff;
  const headerLen = 4 + 4 * ndims;
  if (bytes.length < headerLen) {
    throw new MiaError('E_TRUNCATED', `IDX ${kind} header is cut short`, {
      where,
      expected: `${headerLen} header bytes`,
      found: `${bytes.length} bytes`,
    });
  }
  const dims: number[] = [];
  let count = 1;
  for (let i = 0; i < ndims; i++) {
    const d = view.getUint32(4 + 4 * i, false);
    dims.push(d);
    count *= d;
  }
  const have = bytes.length - headerLen;
  if (have < count) {
    throw new MiaError('E_TRUNCATED', `IDX ${kind} file is truncated`, {
      where,
      expected: `${count} data bytes for dims [${dims.join(', ')}]`,
      found: `${have}`,
    });
  }
  if (have > count) {
    throw new MiaError('E_DATASET', `IDX ${kind} file has bytes after its data`, {
      where,
      expected: `${count} data bytes for dims [${dims.join(', ')}]`,
      found: `${have}`,
    });
  }
  return { dims, data: bytes.subarray(headerLen, headerLen + count) };
}

/** One file's bytes (gzipped or raw) and the name to use for it in errors. */
export interface NamedBytes {
  bytes: Uint8Array;
  where: string;
}

/**
 * Decodes an IDX images file and an IDX labels file (each gzipped or raw) into ByteImages of shape
 * [rows, cols, 1]. Throws E_SHAPE_MISMATCH naming both files when their sample counts differ, and
 * E_LABEL_RANGE naming the labels file when a label is ≥ numClasses; parse errors as {@link parseIdx}.
 */
export async function decodeIdxPair(
  images: NamedBytes,
  labels: NamedBytes,
  numClasses: number,
): Promise<ByteImages> {
  const unzip = (f: NamedBytes) =>
    isGzip(f.bytes) ? gunzipBytes(f.bytes, f.where) : Promise.resolve(f.bytes);
  const [imgBytes, lblBytes] = await Promise.all([unzip(images), unzip(labels)]);
  const img = parseIdx(imgBytes, IDX_IMAGES_MAGIC, images.where);
  const lbl = parseIdx(lblBytes, IDX_LABELS_MAGIC, labels.where);
  const n = img.dims[0]!;
  if (lbl.dims[0] !== n) {
    throw new MiaError('E_SHAPE_MISMATCH', 'images and labels files hold different numbers of samples', {
      where: `${images.where} + ${labels.where}`,
      expected: `${n} labels`,
      found: `${lbl.dims[0]}`,
    });
  }
  for (let i = 0; i < n; i++) {
    const l = lbl.data[i]!;
    if (l >= numClasses) {
      throw new MiaError('E_LABEL_RANGE', `label of item ${i} is outside [0, ${numClasses})`, {
        where: labels.where,
        found: String(l),
      });
    }
  }
  return { pixels: img.data, labels: lbl.data, n, shape: [img.dims[1]!, img.dims[2]!, 1] };
}

/** Reads an IDX images file and an IDX labels file from disk; see {@link decodeIdxPair}. */
export async function readIdxPair(
  imagesPath: string,
  labelsPath: string,
  numClasses: number,
): Promise<ByteImages> {
  const img = readFileOrThrow(imagesPath);
  const lbl = readFileOrThrow(labelsPath);
  return decodeIdxPair({ bytes: img, where: imagesPath }, { bytes: lbl, where: labelsPath }, numClasses);
}

/** The four IDX files of MNIST and Fashion-MNIST, by their official names (gzipped). */
export const IDX_FILES = {
  trainImages: 'train-images-idx3-ubyte.gz',
  trainLabels: 'train-labels-idx1-ubyte.gz',
  testImages: 't10k-images-idx3-ubyte.gz',
  testLabels: 't10k-labels-idx1-ubyte.gz',
} as const;

export type IdxFileKey = keyof typeof IDX_FILES;

/**
 * Finds the four IDX files in `dir`: for each, the official gzipped name, else the same name without .gz
 * (a raw IDX file), else the raw name with a dot ("train-images.idx3-ubyte", as some mirrors name them).
 * Returns the paths, or the list of official names that are missing.
 */
export function locateIdxFiles(
  dir: string,
  exists: (path: string) => boolean,
): { paths: Record<IdxFileKey, string> } | { missing: string[] } {
  const paths: Partial<Record<IdxFileKey, string>> = {};
  const missing: string[] = [];
  for (const key of Object.keys(IDX_FILES) as IdxFileKey[]) {
    const gz = join(dir, IDX_FILES[key]);
    const raw = gz.slice(0, -3);
    const dotted = raw.replace(/-(idx[13]-ubyte)$/, '.$1');
    const found = [gz, raw, dotted].find(exists);
    if (found !== undefined) paths[key] = found;
    else missing.push(IDX_FILES[key]);
  }
  if (missing.length > 0) return { missing };
  return { paths: paths as Record<IdxFileKey, string> };
}
