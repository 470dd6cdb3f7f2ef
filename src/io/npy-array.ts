/**
 * The in-memory array of the .npy / .npz readers and writers: dtype, shape and a typed array in C
 * (row-major) order, with the dtype table numpy's descr strings map to.
 */
import { type ErrorWhere, MiaError } from '../errors.js';

export type NpyDtype =
  | 'float32'
  | 'float64'
  | 'int8'
  | 'int16'
  | 'int32'
  | 'int64'
  | 'uint8'
  | 'uint16'
  | 'uint32'
  | 'bool';

export type NpyData =
  | Float32Array
  | Float64Array
  | Int8Array
  | Int16Array
  | Int32Array
  | BigInt64Array
  | Uint8Array
  | Uint16Array
  | Uint32Array;

/**
 * An n-dimensional array: `data` holds product(shape) elements in C (row-major) order. `bool` arrays
 * hold 0/1 in a Uint8Array. A 0-d array has shape [] and one element.
 */
export interface NpyArray {
  dtype: NpyDtype;
  shape: number[];
  data: NpyData;
}

export type TypedCtor = {
  new (length: number): NpyData;
  new (buffer: ArrayBufferLike, byteOffset: number, length: number): NpyData;
  readonly BYTES_PER_ELEMENT: number;
};

interface DtypeInfo {
  /** numpy type code and size, e.g. 'f4' */
  code: string;
  size: number;
  ctor: TypedCtor;
}

export const DTYPES: Record<NpyDtype, DtypeInfo> = {
  float32: { code: 'f4', size: 4, ctor: Float32Array },
  float64: { code: 'f8', size: 8, ctor: Float64Array },
  int8: { code: 'i1', size: 1, ctor: Int8Array },
  int16: { code: 'i2', size: 2, ctor: Int16Array },
  int32: { code: 'i4', size: 4, ctor: Int32Array },
  int64: { code: 'i8', size: 8, ctor: BigInt64Array },
  uint8: { code: 'u1', size: 1, ctor: Uint8Array },
  uint16: { code: 'u2', size: 2, ctor: Uint16Array },
  uint32: { code: 'u4', size: 4, ctor: Uint32Array },
  bool: { code: 'b1', size: 1, ctor: Uint8Array },
};

export const BY_CODE = new Map<string, NpyDtype>(
  (Object.keys(DTYPES) as NpyDtype[]).map((d) => [DTYPES[d].code, d] as const),
);

/** The numpy descr we write for `dtype`: '|' for one-byte types, '<' otherwise (e.g. '<f4', '|b1'). */
export function npyDescr(dtype: NpyDtype): string {
  const info = DTYPES[dtype];
  return (info.size === 1 ? '|' : '<') + info.code;
}

/** Bytes per element of `dtype`. */
export function npyItemSize(dtype: NpyDtype): number {
  return DTYPES[dtype].size;
}

/** product(shape), or throws when it is not a safe integer. */
export function elementCount(shape: readonly number[], where: ErrorWhere): number {
  let n = 1;
  for (const d of shape) n *= d;
  if (!Number.isSafeInteger(n)) {
    throw new MiaError('E_NPY_HEADER', `shape [${shape.join(', ')}] is too large`, { where });
  }
  return n;
}

function dtypeOfData(data: NpyData): NpyDtype {
  if (data instanceof Float32Array) return 'float32';
  if (data instanceof Float64Array) return 'float64';
  if (data instanceof Int8Array) return 'int8';
  if (data instanceof Int16Array) return 'int16';
  if (data instanceof Int32Array) return 'int32';
  if (data instanceof BigInt64Array) return 'int64';
  if (data instanceof Uint8Array) return 'uint8';
  if (data instanceof Uint16Array) return 'uint16';
  if (data instanceof Uint32Array) return 'uint32';
  throw new TypeError(`unsupported typed array ${(data as object).constructor.name}`);
}

export function checkArray(arr: NpyArray): void {
  const inferred = dtypeOfData(arr.data);
  if (inferred !== arr.dtype && !(arr.dtype === 'bool' && inferred === 'uint8')) {
    throw new TypeError(`dtype ${arr.dtype} does not match data ${arr.data.constructor.name}`);
  }
  for (const d of arr.shape) {
    if (!Number.isSafeInteger(d) || d < 0) {
      throw new TypeError(`shape [${arr.shape.join(', ')}] has an entry that is not a non-negative integer`);
    }
  }
  const n = elementCount(arr.shape, 'npyArray');
  if (n !== arr.data.length) {
    throw new MiaError('E_SHAPE_MISMATCH', `shape [${arr.shape.join(', ')}] does not match the data length`, {
      expected: `${n} elements`,
      found: `${arr.data.length} elements`,
    });
  }
}

/**
 * Makes an NpyArray, checking that product(shape) === data.length (else MiaError E_SHAPE_MISMATCH),
 * that shape entries are non-negative integers and that `dtype` (inferred from the typed array when
 * omitted; a Uint8Array infers 'uint8', pass 'bool' for masks) matches the data (else TypeError).
 * For 'bool', values must be 0 or 1 (else TypeError). The data is not copied.
 */
export function npyArray(data: NpyData, shape: number[], dtype?: NpyDtype): NpyArray {
  const arr: NpyArray = { dtype: dtype ?? dtypeOfData(data), shape: [...shape], data };
  checkArray(arr);
  if (arr.dtype === 'bool') {
    const u = data as Uint8Array;
    for (let i = 0; i < u.length; i++) {
      if (u[i]! > 1) throw new TypeError(`bool data must be 0 or 1; found ${u[i]} at index ${i}`);
    }
  }
  return arr;
}
