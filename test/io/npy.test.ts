import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { isMiaError, type MiaError } from '../../src/errors.js';
import {
  encodeNpy,
  encodeNpyHeader,
  type NpyArray,
  type NpyData,
  type NpyDtype,
  npyArray,
  parseNpy,
  readNpy,
  toBool,
  toFloat32,
  toFloat64,
  toInt32,
  writeNpy,
} from '../../src/io/npy.js';
import { Rng } from '../../src/rng.js';
import { assertMatches, expected, fixture, numpyAvailable, numpyLoad } from './fixture-helpers.js';

function miaError(fn: () => unknown): MiaError {
  try {
    fn();
  } catch (e) {
    if (isMiaError(e)) return e;
    throw e;
  }
  assert.fail('expected a MiaError');
}

test('every numpy-written .npy fixture parses to exactly numpy values', () => {
  const names = Object.keys(expected.npy);
  assert.ok(names.length >= 18);
  for (const name of names) {
    assertMatches(readNpy(fixture(name)), expected.npy[name]!, name);
  }
});

test('encodeNpy reproduces np.save byte for byte (version 1.0 fixtures)', () => {
  for (const name of Object.keys(expected.npy)) {
    if (name === 'v2.npy' || name === 'v3.npy') continue;
    const bytes = new Uint8Array(readFileSync(fixture(name)));
    const arr = parseNpy(bytes, name);
    assert.deepEqual(encodeNpy(arr), bytes, name);
  }
});

test('encodeNpyHeader: 64-byte aligned, shape repr like Python tuples', () => {
  const h0 = encodeNpyHeader('float64', []);
  const h1 = encodeNpyHeader('bool', [5]);
  const h3 = encodeNpyHeader('int64', [2, 3, 4]);
  for (const h of [h0, h1, h3]) {
    assert.equal(h.length % 64, 0);
    assert.equal(h[h.length - 1], 0x0a);
  }
  const text = (h: Uint8Array) => new TextDecoder().decode(h.subarray(10)).trim();
  assert.equal(text(h0), "{'descr': '<f8', 'fortran_order': False, 'shape': (), }");
  assert.equal(text(h1), "{'descr': '|b1', 'fortran_order': False, 'shape': (5,), }");
  assert.equal(text(h3), "{'descr': '<i8', 'fortran_order': False, 'shape': (2, 3, 4), }");
});

function randomData(dtype: NpyDtype, n: number, rng: Rng): NpyData {
  const f = () => (rng.nextUint32() / 2 ** 32 - 0.5) * 1e6;
  const u = () => rng.nextUint32();
  switch (dtype) {
    case 'float32':
      return Float32Array.from({ length: n }, f);
    case 'float64':
      return Float64Array.from({ length: n }, f);
    case 'int8':
      return Int8Array.from({ length: n }, u);
    case 'int16':
      return Int16Array.from({ length: n }, u);
    case 'int32':
      return Int32Array.from({ length: n }, u);
    case 'int64':
      return BigInt64Array.from({ length: n }, () => (BigInt(u()) << 32n) | BigInt(u()));
    case 'uint8':
      return Uint8Array.from({ length: n }, u);
    case 'uint16':
      return Uint16Array.from({ length: n }, u);
    case 'uint32':
      return Uint32Array.from({ length: n }, u);
    case 'bool':
      return Uint8Array.from({ length: n }, () => u() & 1);
  }
}

const DTYPES: NpyDtype[] = [
  'float32',
  'float64',
  'int8',
  'int16',
  'int32',
  'int64',
  'uint8',
  'uint16',
  'uint32',
  'bool',
];

test('round trip encode -> parse for every dtype and shape, aligned views when possible', () => {
  const rng = new Rng(7);
  const shapes = [[], [0], [0, 3], [7], [3, 5], [2, 3, 4], [1, 1, 1, 2]];
  for (const dtype of DTYPES) {
    for (const shape of shapes) {
      const n = shape.reduce((a, b) => a * b, 1);
      const arr = npyArray(randomData(dtype, n, rng), shape, dtype);
      const bytes = encodeNpy(arr);
      const back = parseNpy(bytes, 'mem');
      assert.equal(back.dtype, dtype);
      assert.deepEqual(back.shape, shape);
      assert.deepEqual(
        Array.from(back.data as ArrayLike<number | bigint>),
        Array.from(arr.data as ArrayLike<number | bigint>),
      );
      if (n > 0) assert.equal(back.data.buffer, bytes.buffer, `${dtype} ${shape}: zero-copy view`);
    }
  }
});

test('unaligned data offset is copied, values intact', () => {
  const arr = npyArray(Float64Array.from([1.5, -2, 3.25]), [3]);
  const enc = encodeNpy(arr);
  const shifted = new Uint8Array(enc.length + 3);
  shifted.set(enc, 3);
  const back = parseNpy(shifted.subarray(3), 'shifted');
  assert.deepEqual(Array.from(back.data as Float64Array), [1.5, -2, 3.25]);
  assert.notEqual(back.data.buffer, shifted.buffer);
});

test('Fortran order with a single non-trivial axis is accepted (same layout); bool bytes > 1 read as 1', () => {
  const bytes = new Uint8Array(readFileSync(fixture('f64_1d_1.npy')));
  const text = Buffer.from(bytes)
    .toString('latin1')
    .replace("'fortran_order': False", "'fortran_order': True ");
  const arr = parseNpy(new Uint8Array(Buffer.from(text, 'latin1')), 'f.npy');
  assert.deepEqual(Array.from(arr.data as Float64Array), [42]);

  const b = encodeNpy(npyArray(Uint8Array.from([0, 1, 0]), [3], 'bool'));
  b[b.length - 1] = 7;
  assert.deepEqual(Array.from(parseNpy(b, 'b.npy').data as Uint8Array), [0, 1, 1]);
});

test('every bad .npy fixture gives a MiaError with the right code, naming the file', () => {
  for (const [name, want] of Object.entries(expected.bad)) {
    if (!name.endsWith('.npy')) continue;
    const path = fixture(name);
    const e = miaError(() => readNpy(path));
    assert.equal(e.code, want.code, `${name}: ${e.oneLine()}`);
    assert.equal(e.where, path, name);
    assert.ok(!e.oneLine().includes('\n'));
  }
});

test('error messages say what to do', () => {
  const be = miaError(() => readNpy(fixture('big_endian.npy')));
  assert.match(be.message, /big-endian/);
  assert.match(be.message, /astype\('<f4'\)/);
  const fo = miaError(() => readNpy(fixture('fortran.npy')));
  assert.match(fo.message, /np\.ascontiguousarray/);
  const ob = miaError(() => readNpy(fixture('object.npy')));
  assert.match(ob.message, /object arrays/);
  const tr = miaError(() => readNpy(fixture('truncated.npy')));
  assert.equal(tr.expected, '80 data bytes');
  assert.equal(tr.found, '59 data bytes');
  const u64 = miaError(() => readNpy(fixture('u64.npy')));
  assert.match(u64.message, /astype\('<i8'\)/);
  const missing = miaError(() => readNpy('/nonexistent/dir/x.npy'));
  assert.equal(missing.code, 'E_IO');
  assert.equal(missing.where, '/nonexistent/dir/x.npy');
  assert.equal(missing.message, 'cannot read file: ENOENT (no such file or directory)');
});

test('malformed headers: E_NPY_HEADER or E_TRUNCATED, never a crash', () => {
  const good = encodeNpy(npyArray(Float32Array.from([1, 2]), [2]));
  const cases: [Uint8Array, string][] = [
    [new Uint8Array(0), 'E_NPY_HEADER'],
    [good.subarray(0, 9), 'E_NPY_HEADER'],
    [good.subarray(0, 40), 'E_TRUNCATED'],
  ];
  const withHeader = (h: string) => {
    const out = good.slice();
    const body = h.padEnd(good.length - 10 - 8 - 1, ' ');
    for (let i = 0; i < body.length; i++) out[10 + i] = body.charCodeAt(i);
    return out;
  };
  cases.push([withHeader("{'descr': '<f4', 'fortran_order': False}"), 'E_NPY_HEADER']);
  cases.push([withHeader("{'descr': '<f4', 'fortran_order': 0, 'shape': (2,)}"), 'E_NPY_HEADER']);
  cases.push([withHeader("{'descr': '<f4', 'fortran_order': False, 'shape': (-2,)}"), 'E_NPY_HEADER']);
  cases.push([withHeader("{'descr': '<f4', 'fortran_order': False, 'shape': [2]}"), 'E_NPY_HEADER']);
  cases.push([withHeader("{'descr': '<f4', 'fortran_order': False, 'shape': (2,"), 'E_NPY_HEADER']);
  cases.push([withHeader("{'descr': '<c8', 'fortran_order': False, 'shape': (1,)}"), 'E_NPY_DTYPE']);
  cases.push([withHeader("{'descr': '<f4', 'fortran_order': False, 'shape': (3,)}"), 'E_TRUNCATED']);
  cases.push([withHeader("{'descr': '>i1', 'fortran_order': False, 'shape': (2L,)}"), 'OK']);
  const v9 = good.slice();
  v9[6] = 9;
  cases.push([v9, 'E_NPY_HEADER']);
  for (const [bytes, code] of cases) {
    if (code === 'OK') {
      assert.deepEqual(parseNpy(bytes, 'x.npy').shape, [2]);
      continue;
    }
    const e = miaError(() => parseNpy(bytes, 'x.npy'));
    assert.equal(e.code, code, e.oneLine());
    assert.equal(e.where, 'x.npy');
  }
});

test('npyArray validates shape against data length and dtype against the typed array', () => {
  assert.equal(npyArray(new Float32Array(6), [2, 3]).dtype, 'float32');
  assert.equal(npyArray(new Uint8Array(2), [2]).dtype, 'uint8');
  assert.equal(npyArray(new Float64Array(1), []).shape.length, 0);
  assert.equal(miaError(() => npyArray(new Float32Array(5), [2, 3])).code, 'E_SHAPE_MISMATCH');
  assert.throws(() => npyArray(new Float32Array(2), [2], 'float64'), TypeError);
  assert.throws(() => npyArray(Uint8Array.from([0, 2]), [2], 'bool'), TypeError);
  assert.throws(() => npyArray(new Float32Array(2), [2.5]), TypeError);
});

test('toFloat64 / toFloat32: exact conversions, zero-copy when the dtype matches', () => {
  const f64 = readNpy(fixture('f64_special.npy'));
  assert.equal(toFloat64(f64, 'w'), f64.data);
  const f32 = readNpy(fixture('f32_2x3.npy'));
  assert.equal(toFloat32(f32, 'w'), f32.data);
  assert.deepEqual(Array.from(toFloat64(f32, 'w')), Array.from(f32.data as Float32Array));
  assert.deepEqual(Array.from(toFloat64(readNpy(fixture('i64_small.npy')), 'w')), [3, -4, 2 ** 53, 0]);
  assert.deepEqual(Array.from(toFloat64(readNpy(fixture('u32.npy')), 'w')), [0, 2 ** 31, 2 ** 32 - 1]);
  assert.deepEqual(Array.from(toFloat64(readNpy(fixture('bool.npy')), 'w')), [1, 0, 1, 0, 0, 1]);

  const big = miaError(() => toFloat64(readNpy(fixture('i64.npy')), 'i64.npy'));
  assert.equal(big.code, 'E_NPY_DTYPE');
  assert.equal(big.where, 'i64.npy');
  assert.equal(big.found, '-9223372036854775808 at flat index 0');

  const conv = toFloat32(npyArray(f64.data.slice(0, 5) as Float64Array, [5]), 'w');
  assert.deepEqual(Array.from(conv), [Math.fround(0.1), -0, Number.NaN, Infinity, -Infinity]);
  const over = miaError(() => toFloat32(f64, 'f64_special.npy'));
  assert.equal(over.code, 'E_NOT_FINITE');
  assert.match(over.found ?? '', /at flat index 5$/);
});

test('toInt32: integers widen, integral floats convert, others fail with the index', () => {
  assert.deepEqual(Array.from(toInt32(readNpy(fixture('labels_float.npy')), 'w')), [0, 2, 1, -3]);
  assert.deepEqual(Array.from(toInt32(readNpy(fixture('i8.npy')), 'w')), [-128, -1, 0, 1, 127]);
  assert.deepEqual(Array.from(toInt32(npyArray(BigInt64Array.from([5n, -2n]), [2]), 'w')), [5, -2]);
  const i32 = readNpy(fixture('i32_3d.npy'));
  assert.equal(toInt32(i32, 'w'), i32.data);
  const frac = miaError(() => toInt32(readNpy(fixture('f32_2x3.npy')), 'f.npy'));
  assert.equal(frac.code, 'E_NPY_DTYPE');
  assert.equal(frac.found, '0.5 at flat index 0');
  const u32 = miaError(() => toInt32(readNpy(fixture('u32.npy')), 'u.npy'));
  assert.equal(u32.found, '2147483648 at flat index 1');
  const i64 = miaError(() => toInt32(readNpy(fixture('i64_small.npy')), 'i.npy'));
  assert.equal(i64.found, '9007199254740992 at flat index 2');
  const nan = miaError(() => toInt32(npyArray(Float64Array.from([1, Number.NaN]), [2]), 'n'));
  assert.equal(nan.found, 'NaN at flat index 1');
});

test('toBool: bool as is, 0/1 integers and floats accepted, other values rejected', () => {
  const b = readNpy(fixture('bool.npy'));
  assert.equal(toBool(b, 'w'), b.data);
  assert.deepEqual(Array.from(toBool(npyArray(Int32Array.from([0, 1, 1]), [3]), 'w')), [0, 1, 1]);
  assert.deepEqual(Array.from(toBool(npyArray(BigInt64Array.from([1n, 0n]), [2]), 'w')), [1, 0]);
  assert.deepEqual(Array.from(toBool(npyArray(Float32Array.from([1, 0]), [2]), 'w')), [1, 0]);
  const e = miaError(() => toBool(readNpy(fixture('u8.npy')), 'u8.npy'));
  assert.equal(e.code, 'E_NPY_DTYPE');
  assert.equal(e.found, '255 at flat index 2');
});

test('writeNpy writes atomically; numpy reads what we write', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'mia-npy-'));
  try {
    const arrays: Record<string, NpyArray> = {
      'f32.npy': npyArray(Float32Array.from([1.5, -0, Number.NaN, 3e-40]), [2, 2]),
      'i64.npy': npyArray(BigInt64Array.from([-(2n ** 63n), 2n ** 63n - 1n]), [2]),
      'bool.npy': npyArray(Uint8Array.from([1, 0, 1]), [3, 1], 'bool'),
      'scalar.npy': npyArray(Uint16Array.from([65535]), []),
      'empty.npy': npyArray(new Int8Array(0), [0, 3]),
    };
    for (const [name, arr] of Object.entries(arrays)) {
      writeNpy(join(dir, 'sub', name), arr);
      const back = readNpy(join(dir, 'sub', name));
      assert.deepEqual(back, parseNpy(encodeNpy(arr), name));
    }
    assert.deepEqual(readdirSync(join(dir, 'sub')).sort(), Object.keys(arrays).sort());
    const reason = numpyAvailable();
    if (reason !== undefined) {
      t.skip(reason);
      return;
    }
    const paths = Object.keys(arrays).map((n) => join(dir, 'sub', n));
    const seen = numpyLoad(paths);
    for (const [i, name] of Object.keys(arrays).entries()) {
      assertMatches(arrays[name]!, seen[paths[i]!]!['']!, `numpy ${name}`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('int64 conversions agree with a BigInt reference at every boundary (property)', () => {
  const rng = new Rng(99);
  const edges = [
    0n,
    1n,
    -1n,
    2n ** 31n - 1n,
    2n ** 31n,
    -(2n ** 31n),
    -(2n ** 31n) - 1n,
    2n ** 32n,
    -(2n ** 32n),
  ];
  edges.push(
    2n ** 53n,
    2n ** 53n + 1n,
    -(2n ** 53n),
    -(2n ** 53n) - 1n,
    2n ** 53n - 1n,
    2n ** 63n - 1n,
    -(2n ** 63n),
  );
  edges.push(2n ** 53n + 2n ** 32n, -(2n ** 53n) + 5n, 2n ** 52n + 12345n);
  for (let k = 0; k < 200; k++) {
    const v = BigInt.asIntN(64, (BigInt(rng.nextUint32()) << 32n) | BigInt(rng.nextUint32()));
    edges.push(v, v >> BigInt(rng.nextUint32() % 64));
  }
  for (const v of edges) {
    const arr = npyArray(BigInt64Array.from([v]), [1]);
    const exactF64 = v >= -(2n ** 53n) && v <= 2n ** 53n;
    const fitsI32 = v >= -(2n ** 31n) && v < 2n ** 31n;
    let f: number | undefined;
    try {
      f = toFloat64(arr, 'w')[0];
    } catch {
      f = undefined;
    }
    assert.equal(f, exactF64 ? Number(v) : undefined, `toFloat64 ${v}`);
    let i: number | undefined;
    try {
      i = toInt32(arr, 'w')[0];
    } catch {
      i = undefined;
    }
    assert.equal(i, fitsI32 ? Number(v) : undefined, `toInt32 ${v}`);
    let b: number | undefined;
    try {
      b = toBool(arr, 'w')[0];
    } catch {
      b = undefined;
    }
    assert.equal(b, v === 0n || v === 1n ? Number(v) : undefined, `toBool ${v}`);
  }
});
