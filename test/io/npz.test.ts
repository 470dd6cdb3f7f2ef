import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { isMiaError, type MiaError } from '../../src/errors.js';
import { encodeNpy, type NpyArray, npyArray } from '../../src/io/npy.js';
import { encodeNpz, parseNpz, readNpz, writeNpz } from '../../src/io/npz.js';
import { bytesSource, crc32, listZipEntries } from '../../src/io/zip.js';
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

function sample(): Map<string, NpyArray> {
  return new Map<string, NpyArray>([
    ['logits_train', npyArray(Float32Array.from([0.25, -1, 3, 4.5, 5, -6]), [3, 2])],
    ['labels_train', npyArray(BigInt64Array.from([0n, 1n, 1n]), [3])],
    ['loss_train', npyArray(Float64Array.from([0.1, Number.NaN, Infinity]), [3])],
    ['keep', npyArray(Uint8Array.from([1, 0, 0, 1]), [2, 2], 'bool')],
    ['scalar', npyArray(Int32Array.from([-5]), [])],
    ['empty', npyArray(new Uint16Array(0), [0, 4])],
    ['dir/nested', npyArray(Int8Array.from([-1, 2]), [2])],
  ]);
}

function assertSameArrays(got: Map<string, NpyArray>, want: Map<string, NpyArray>): void {
  assert.deepEqual([...got.keys()], [...want.keys()]);
  for (const [k, arr] of want) {
    const g = got.get(k)!;
    assert.equal(g.dtype, arr.dtype, k);
    assert.deepEqual(g.shape, arr.shape, k);
    assert.deepEqual(Array.from(g.data as ArrayLike<unknown>), Array.from(arr.data as ArrayLike<unknown>), k);
  }
}

test('np.savez and np.savez_compressed fixtures read to exactly numpy values, in archive order', () => {
  for (const [name, arrays] of Object.entries(expected.npz)) {
    const fromFile = readNpz(fixture(name));
    const fromBytes = parseNpz(new Uint8Array(readFileSync(fixture(name))), name);
    for (const got of [fromFile, fromBytes]) {
      assert.deepEqual([...got.keys()], Object.keys(arrays), name);
      for (const [key, exp] of Object.entries(arrays)) assertMatches(got.get(key)!, exp, `${name}:${key}`);
    }
  }
});

test('readNpz gives each stored array its own aligned buffer (no copy of the data)', () => {
  const m = readNpz(fixture('plain.npz'));
  const a = m.get('arr_0')!;
  // the entry buffer starts with the 128-byte .npy header; the data is a view right after it
  assert.equal(a.data.byteOffset, 128);
  assert.equal(a.data.buffer.byteLength, 128 + 8);
});

test('round trip encodeNpz -> parseNpz: stored, deflate, zip64; Map or Record; deterministic', () => {
  const arrays = sample();
  for (const options of [
    {},
    { compress: true },
    { forceZip64: true },
    { compress: true, forceZip64: true },
  ]) {
    const bytes = encodeNpz(arrays, options);
    assertSameArrays(parseNpz(bytes, 'mem.npz'), arrays);
    assert.deepEqual(encodeNpz(Object.fromEntries(arrays), options), bytes, JSON.stringify(options));
    const entries = listZipEntries(bytesSource(bytes), 'mem.npz');
    assert.deepEqual(
      entries.map((e) => e.method),
      entries.map(() => (options.compress === true ? 8 : 0)),
    );
  }
  assert.equal(parseNpz(encodeNpz({}), 'empty.npz').size, 0);
});

test('bad .npz fixtures: the right code, naming the file (and entry or array)', () => {
  for (const [name, want] of Object.entries(expected.bad)) {
    if (!name.endsWith('.npz')) continue;
    const path = fixture(name);
    for (const [e, where] of [
      [miaError(() => readNpz(path)), path],
      [miaError(() => parseNpz(new Uint8Array(readFileSync(path)), 'run.npz')), 'run.npz'],
    ] as const) {
      assert.equal(e.code, want.code, `${name}: ${e.oneLine()}`);
      assert.equal(e.where, want.where === undefined ? where : `${where}:${want.where}`, name);
    }
  }
});

test('corruption of a stored entry is caught by its CRC; a missing file is E_IO', () => {
  const bytes = new Uint8Array(readFileSync(fixture('plain.npz')));
  const entries = listZipEntries(bytesSource(bytes), 'p');
  const first = entries[0]!;
  const copy = bytes.slice();
  const at = first.localOffset + 30 + first.name.length + 20 + 130; // a data byte (zip64 extra is 20)
  copy[at] = copy[at]! ^ 0x01;
  const e = miaError(() => parseNpz(copy, 'p.npz'));
  assert.equal(e.code, 'E_ZIP');
  assert.equal(e.where, `p.npz:${first.name}`);
  assert.equal(e.location, undefined, 'zip errors give their where as a string');
  assert.match(e.message, /CRC/);

  const cut = miaError(() => parseNpz(bytes.subarray(0, 10), 'short.npz'));
  assert.equal(cut.code, 'E_ZIP');
  const gone = miaError(() => readNpz('/nonexistent/run.npz'));
  assert.equal(gone.code, 'E_IO');
  assert.equal(gone.where, '/nonexistent/run.npz');
});

test('an array inside an npz with a bad shape is named file:array', () => {
  const npy = encodeNpy(npyArray(Float32Array.from([1, 2, 3, 4]), [2, 2]));
  // rewrite the header's shape (2, 2) to (2, 3): the data is then 8 bytes short
  const text = Buffer.from(npy).toString('latin1').replace("'shape': (2, 2)", "'shape': (2, 3)");
  const e = miaError(() => parseNpz(zipStored('logits_test.npy', Buffer.from(text, 'latin1')), 'run.npz'));
  assert.equal(e.code, 'E_TRUNCATED');
  assert.equal(e.where, 'run.npz:logits_test');
  assert.deepEqual(e.location, { file: 'run.npz', key: 'logits_test' });
  assert.equal(e.expected, '24 data bytes');
  assert.equal(e.found, '16 data bytes');
});

/** A minimal one-entry stored zip (so tests can put arbitrary bytes in an npz). */
function zipStored(name: string, data: Uint8Array): Uint8Array {
  const nameBytes = Buffer.from(name);
  const lh = Buffer.alloc(30);
  lh.writeUInt32LE(0x04034b50, 0);
  lh.writeUInt16LE(20, 4);
  lh.writeUInt32LE(crc32(data), 14);
  lh.writeUInt32LE(data.length, 18);
  lh.writeUInt32LE(data.length, 22);
  lh.writeUInt16LE(nameBytes.length, 26);
  const ch = Buffer.alloc(46);
  ch.writeUInt32LE(0x02014b50, 0);
  ch.writeUInt16LE(20, 4);
  ch.writeUInt16LE(20, 6);
  ch.writeUInt32LE(crc32(data), 16);
  ch.writeUInt32LE(data.length, 20);
  ch.writeUInt32LE(data.length, 24);
  ch.writeUInt16LE(nameBytes.length, 28);
  const cdOffset = 30 + nameBytes.length + data.length;
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(1, 8);
  end.writeUInt16LE(1, 10);
  end.writeUInt32LE(46 + nameBytes.length, 12);
  end.writeUInt32LE(cdOffset, 16);
  return new Uint8Array(Buffer.concat([lh, nameBytes, data, ch, nameBytes, end]));
}

test('writeNpz is atomic and numpy (np.load, Python zipfile) reads what we write', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'mia-npz-'));
  try {
    const arrays = sample();
    const variants = {
      'stored.npz': {},
      'deflate.npz': { compress: true },
      'zip64.npz': { forceZip64: true },
    };
    for (const [name, options] of Object.entries(variants)) {
      writeNpz(join(dir, name), arrays, options);
      assertSameArrays(readNpz(join(dir, name)), arrays);
    }
    writeFileSync(join(dir, 'ours.bin'), encodeNpz(arrays));
    assert.deepEqual(readdirSync(dir).sort(), ['deflate.npz', 'ours.bin', 'stored.npz', 'zip64.npz']);
    const reason = numpyAvailable();
    if (reason !== undefined) {
      t.skip(reason);
      return;
    }
    const paths = Object.keys(variants).map((n) => join(dir, n));
    const seen = numpyLoad(paths);
    for (const p of paths) {
      assert.deepEqual(Object.keys(seen[p]!), [...arrays.keys()], p);
      for (const [k, arr] of arrays) assertMatches(arr, seen[p]![k]!, `numpy ${p}:${k}`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a few-MB array round-trips through writeNpz/readNpz quickly', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mia-npz-big-'));
  try {
    const n = 1 << 20;
    const data = new Float32Array(n);
    for (let i = 0; i < n; i++) data[i] = Math.sin(i);
    const arrays = { logits_train: npyArray(data, [n / 8, 8]) };
    writeNpz(join(dir, 'big.npz'), arrays);
    const back = readNpz(join(dir, 'big.npz')).get('logits_train')!;
    assert.deepEqual(back.shape, [n / 8, 8]);
    assert.deepEqual(back.data, data);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
