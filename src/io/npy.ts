/**
 * numpy `.npy` files: read and write, following numpy's format spec (numpy/lib/format.py, NEP 1):
 *   magic `\x93NUMPY`, one byte major and one byte minor version;
 *   v1.0: uint16 LE header length; v2.0 and v3.0: uint32 LE header length (v3.0: header in UTF-8,
 *   otherwise latin-1);
 *   the header, a Python literal dict `{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }`
 *   padded with spaces and a final '\n'; then the raw array data.
 * We read little-endian ('<') and byte-order-free ('|') numeric and bool dtypes in C order, and write
 * version 1.0 headers byte-for-byte as numpy 1.23+ writes them (data aligned to 64 bytes).
 */
import { type ErrorWhere, MiaError } from '../errors.js';
import { readFileOrThrow, withAtomicFile, writeAllSync } from './atomic.js';
import {
  BY_CODE,
  checkArray,
  DTYPES,
  elementCount,
  type NpyArray,
  type NpyData,
  type NpyDtype,
  npyDescr,
} from './npy-array.js';
import { type PyValue, parsePyLiteral } from './py-literal.js';

export {
  type NpyArray,
  type NpyData,
  type NpyDtype,
  npyArray,
  npyDescr,
  npyItemSize,
} from './npy-array.js';

const SUPPORTED = 'one of <f4, <f8, |i1, <i2, <i4, <i8, |u1, <u2, <u4, |b1 (little-endian, C order)';

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY
const ARRAY_ALIGN = 64;
const GROWTH_AXIS_MAX_DIGITS = 21;

const LITTLE_ENDIAN_HOST = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function requireLittleEndianHost(where: ErrorWhere): void {
  if (!LITTLE_ENDIAN_HOST) {
    throw new MiaError('E_NPY_DTYPE', '.npy I/O supports little-endian machines only', { where });
  }
}

/**
 * Maps a numpy descr string to our dtype, or throws E_NPY_DTYPE saying why it is not supported
 * (big-endian, object, string, structured, other) and how to convert it in numpy.
 */
function dtypeFromDescr(descr: string, where: ErrorWhere): NpyDtype {
  const m = /^([<>|=]?)([a-zA-Z])(\d*)(.*)$/.exec(descr);
  const fail = (why: string): never => {
    throw new MiaError('E_NPY_DTYPE', why, { where, expected: SUPPORTED, found: `descr '${descr}'` });
  };
  if (m === null) return fail(`dtype '${descr}' is not supported`);
  const [, order, kind, size, rest] = m as unknown as [string, string, string, string, string];
  if (kind === 'O') {
    return fail(
      'object arrays (pickled Python objects) are not supported; save a numeric array, e.g. np.asarray(x, dtype=np.float32)',
    );
  }
  if (kind === 'U' || kind === 'S' || kind === 'a') return fail('string arrays are not supported');
  if (kind === 'V')
    return fail('structured / void dtypes are not supported; save each field as its own array');
  const dtype = rest === '' ? BY_CODE.get(kind + size) : undefined;
  if (dtype === undefined) {
    const hint = kind === 'f' ? "<f4'" : kind === 'u' && size === '8' ? "<i8'" : "<f8'";
    return fail(`dtype '${descr}' is not supported; convert it with arr.astype('${hint})`);
  }
  if (order === '>' && DTYPES[dtype].size > 1) {
    return fail(
      `big-endian arrays are not supported; convert with arr.astype('<${DTYPES[dtype].code}') before saving`,
    );
  }
  return dtype;
}

function shapeOf(v: PyValue | undefined, where: ErrorWhere): number[] {
  const bad = (): never => {
    throw new MiaError('E_NPY_HEADER', "header 'shape' is not a tuple of non-negative integers", { where });
  };
  if (v === null || typeof v !== 'object' || v.kind !== 'tuple') return bad();
  const shape: number[] = [];
  for (const d of v.items) {
    if (typeof d !== 'number' || !Number.isSafeInteger(d) || d < 0) return bad();
    shape.push(d);
  }
  return shape;
}

function decodeHeader(bytes: Uint8Array, utf8: boolean, where: ErrorWhere): string {
  if (utf8) {
    try {
      return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    } catch {
      throw new MiaError('E_NPY_HEADER', 'version 3.0 header is not valid UTF-8', { where });
    }
  }
  let s = '';
  for (let i = 0; i < bytes.length; i++) s += String.fromCharCode(bytes[i]!);
  return s;
}

/**
 * Parses a .npy file held in `bytes`. `where` names it in errors: the file, and the array inside an
 * npz as { file: 'run.npz', key: 'logits_train' } (`where` = `run.npz:logits_train`).
 *
 * Returns the array in C order. `data` is a zero-copy view into `bytes` when the data offset is aligned
 * to the element size (always so for numpy-written files read from offset 0), else a copy. Trailing
 * bytes after the data are ignored, as numpy ignores them. A header with fortran_order True is
 * accepted when at most one axis is longer than 1 (the layouts then coincide).
 *
 * Throws MiaError: E_NPY_HEADER (bad magic, version, or header dict — numpy requires exactly the keys
 * descr, fortran_order, shape); E_NPY_DTYPE (big-endian, object, string, structured or other
 * unsupported dtypes); E_NPY_ORDER (Fortran order); E_TRUNCATED (fewer data bytes than the shape
 * needs; `expected` / `found` give the byte counts).
 */
export function parseNpy(bytes: Uint8Array, where: ErrorWhere): NpyArray {
  requireLittleEndianHost(where);
  if (bytes.length < 10 || MAGIC.some((b, i) => bytes[i] !== b)) {
    const head = Array.from(bytes.subarray(0, 6), (b) => b.toString(16).padStart(2, '0')).join(' ');
    throw new MiaError('E_NPY_HEADER', 'not a .npy file (bad magic)', {
      where,
      expected: 'magic 93 4e 55 4d 50 59 (\\x93NUMPY)',
      found: bytes.length === 0 ? 'an empty file' : head,
    });
  }
  const major = bytes[6]!;
  const minor = bytes[7]!;
  if (major < 1 || major > 3 || minor !== 0) {
    throw new MiaError('E_NPY_HEADER', `unsupported .npy format version ${major}.${minor}`, {
      where,
      expected: 'version 1.0, 2.0 or 3.0',
      found: `${major}.${minor}`,
    });
  }
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const prefix = major === 1 ? 10 : 12;
  if (bytes.length < prefix) {
    throw new MiaError('E_TRUNCATED', 'file ends inside the .npy header', { where });
  }
  const hlen = major === 1 ? dv.getUint16(8, true) : dv.getUint32(8, true);
  const dataOffset = prefix + hlen;
  if (bytes.length < dataOffset) {
    throw new MiaError('E_TRUNCATED', 'file ends inside the .npy header', {
      where,
      expected: `${dataOffset} header bytes`,
      found: `${bytes.length}`,
    });
  }
  const text = decodeHeader(bytes.subarray(prefix, dataOffset), major === 3, where);
  let header: PyValue;
  try {
    header = parsePyLiteral(text);
  } catch (e) {
    throw new MiaError('E_NPY_HEADER', `header is not a Python literal: ${(e as Error).message}`, {
      where,
      found: JSON.stringify(text.trim().slice(0, 200)),
    });
  }
  if (header === null || typeof header !== 'object' || header.kind !== 'dict') {
    throw new MiaError('E_NPY_HEADER', 'header is not a dict', { where, found: text.trim().slice(0, 200) });
  }
  const fields = new Map<string, PyValue>();
  for (const [k, v] of header.entries) if (typeof k === 'string') fields.set(k, v);
  const keys = [...fields.keys()].sort().join(', ');
  if (keys !== 'descr, fortran_order, shape' || header.entries.length !== 3) {
    throw new MiaError(
      'E_NPY_HEADER',
      'header dict does not have exactly the keys descr, fortran_order, shape',
      {
        where,
        found: text.trim().slice(0, 200),
      },
    );
  }
  const descr = fields.get('descr');
  if (typeof descr !== 'string') {
    if (descr !== null && typeof descr === 'object' && descr.kind === 'list') {
      throw new MiaError(
        'E_NPY_DTYPE',
        'structured dtypes are not supported; save each field as its own array',
        {
          where,
          expected: SUPPORTED,
          found: 'a structured dtype',
        },
      );
    }
    throw new MiaError('E_NPY_HEADER', "header 'descr' is not a string", { where });
  }
  const dtype = dtypeFromDescr(descr, where);
  const fortran = fields.get('fortran_order');
  if (typeof fortran !== 'boolean') {
    throw new MiaError('E_NPY_HEADER', "header 'fortran_order' is not True or False", { where });
  }
  const shape = shapeOf(fields.get('shape'), where);
  if (fortran && shape.filter((d) => d > 1).length > 1) {
    throw new MiaError(
      'E_NPY_ORDER',
      'Fortran-ordered arrays are not supported; save np.ascontiguousarray(arr) instead',
      {
        where,
        expected: 'fortran_order False (C order)',
        found: `fortran_order True, shape [${shape.join(', ')}]`,
      },
    );
  }
  const info = DTYPES[dtype];
  const count = elementCount(shape, where);
  const nbytes = count * info.size;
  const available = bytes.length - dataOffset;
  if (available < nbytes) {
    throw new MiaError(
      'E_TRUNCATED',
      `array data is truncated: shape [${shape.join(', ')}] of ${dtype} needs ${nbytes} bytes`,
      { where, expected: `${nbytes} data bytes`, found: `${available} data bytes` },
    );
  }
  let data: NpyData;
  const abs = bytes.byteOffset + dataOffset;
  if (count === 0) data = new info.ctor(0);
  else if (abs % info.size === 0) data = new info.ctor(bytes.buffer, abs, count);
  else data = new info.ctor(bytes.slice(dataOffset, dataOffset + nbytes).buffer, 0, count);
  if (dtype === 'bool') data = normalizeBool(data as Uint8Array);
  return { dtype, shape, data };
}

/** Bool bytes other than 0/1 (possible in hand-made files) read as 1, like numpy's truthiness. */
function normalizeBool(data: Uint8Array): Uint8Array {
  for (let i = 0; i < data.length; i++) {
    if (data[i]! > 1) {
      const out = new Uint8Array(data.length);
      for (let j = 0; j < data.length; j++) out[j] = data[j]! !== 0 ? 1 : 0;
      return out;
    }
  }
  return data;
}

/**
 * The .npy header (magic through the final '\n') for an array of `dtype` and `shape`, exactly as
 * numpy 1.23+ `np.save` writes it: version 1.0 (2.0 only if the header exceeds 65535 bytes), sorted
 * keys, 21-digit growth padding, total length a multiple of 64.
 */
export function encodeNpyHeader(dtype: NpyDtype, shape: readonly number[]): Uint8Array {
  const shapeRepr = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  let dict = `{'descr': '${npyDescr(dtype)}', 'fortran_order': False, 'shape': ${shapeRepr}, }`;
  if (shape.length > 0) dict += ' '.repeat(Math.max(0, GROWTH_AXIS_MAX_DIGITS - String(shape[0]).length));
  let major = 1;
  let prefix = 10;
  const hlen0 = dict.length + 1;
  let pad = ARRAY_ALIGN - ((prefix + hlen0) % ARRAY_ALIGN);
  if (hlen0 + pad > 0xffff) {
    major = 2;
    prefix = 12;
    pad = ARRAY_ALIGN - ((prefix + hlen0) % ARRAY_ALIGN);
  }
  const total = prefix + hlen0 + pad;
  const out = new Uint8Array(total);
  out.set(MAGIC, 0);
  out[6] = major;
  out[7] = 0;
  const dv = new DataView(out.buffer);
  if (major === 1) dv.setUint16(8, hlen0 + pad, true);
  else dv.setUint32(8, hlen0 + pad, true);
  for (let i = 0; i < dict.length; i++) out[prefix + i] = dict.charCodeAt(i);
  out.fill(0x20, prefix + dict.length, total - 1);
  out[total - 1] = 0x0a;
  return out;
}

/** The bytes of `arr.data` as a Uint8Array view (no copy). */
export function npyDataBytes(arr: NpyArray): Uint8Array {
  return new Uint8Array(arr.data.buffer, arr.data.byteOffset, arr.data.byteLength);
}

/**
 * Encodes `arr` as a .npy file: {@link encodeNpyHeader} followed by the data, little-endian, C order.
 * The result is byte-identical to numpy's `np.save` of the same array. Validates `arr` like
 * {@link npyArray}.
 */
export function encodeNpy(arr: NpyArray): Uint8Array {
  checkArray(arr);
  requireLittleEndianHost('encodeNpy');
  const header = encodeNpyHeader(arr.dtype, arr.shape);
  const data = npyDataBytes(arr);
  const out = new Uint8Array(header.length + data.length);
  out.set(header, 0);
  out.set(data, header.length);
  return out;
}

/** Reads the .npy file at `path` (see {@link parseNpy}; read errors are E_IO naming the path). */
export function readNpy(path: string): NpyArray {
  return parseNpy(readFileOrThrow(path), { file: path });
}

/** Writes `arr` to `path` as .npy atomically (temp file + rename, see atomic.ts), without copying data. */
export function writeNpy(path: string, arr: NpyArray): void {
  checkArray(arr);
  requireLittleEndianHost(path);
  const header = encodeNpyHeader(arr.dtype, arr.shape);
  withAtomicFile(path, (fd) => {
    writeAllSync(fd, header);
    writeAllSync(fd, npyDataBytes(arr));
  });
}

export { toBool, toFloat32, toFloat64, toInt32 } from './npy-cast.js';
