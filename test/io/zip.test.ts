import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isMiaError } from '../../src/errors.js';
import { bytesSource, crc32, crc32Js, listZipEntries, readZipEntry, writeZip } from '../../src/io/zip.js';
import { Rng } from '../../src/rng.js';

const enc = (s: string) => new TextEncoder().encode(s);

function zipOf(entries: { name: string; chunks: Uint8Array[] }[], options = {}): Uint8Array {
  const parts: Uint8Array[] = [];
  writeZip({ write: (c) => parts.push(c.slice()) }, entries, options);
  return new Uint8Array(Buffer.concat(parts));
}

test('crc32: the standard check value, chaining, empty input, JS fallback agrees', () => {
  assert.equal(crc32(enc('123456789')), 0xcbf43926);
  assert.equal(crc32Js(enc('123456789')), 0xcbf43926);
  assert.equal(crc32(enc('56789'), crc32(enc('1234'))), 0xcbf43926);
  assert.equal(crc32(new Uint8Array(0)), 0);
  assert.equal(crc32(new Uint8Array(0), 0xdeadbeef), 0xdeadbeef);
  const rng = new Rng(3);
  const data = Uint8Array.from({ length: 4099 }, () => rng.nextUint32() & 0xff);
  assert.equal(crc32Js(data), crc32(data));
  assert.equal(crc32Js(data.subarray(7), 12345), crc32(data.subarray(7), 12345));
});

test('writeZip -> listZipEntries/readZipEntry: names (UTF-8 too), methods, sizes, chunked data', () => {
  const entries = [
    { name: 'a.npy', chunks: [enc('hello '), enc('world')] },
    { name: 'dir/é.npy', chunks: [] },
    { name: 'z.bin', chunks: [new Uint8Array(5000).fill(7)] },
  ];
  for (const options of [{}, { compress: true }, { forceZip64: true }]) {
    const zip = zipOf(entries, options);
    const src = bytesSource(zip);
    const listed = listZipEntries(src, 'x.zip');
    assert.deepEqual(
      listed.map((e) => [e.name, e.size]),
      [
        ['a.npy', 11],
        ['dir/é.npy', 0],
        ['z.bin', 5000],
      ],
    );
    assert.equal(new TextDecoder().decode(readZipEntry(src, listed[0]!, 'x.zip')), 'hello world');
    assert.equal(readZipEntry(src, listed[1]!, 'x.zip').length, 0);
    assert.ok(readZipEntry(src, listed[2]!, 'x.zip').every((b) => b === 7));
    if ('compress' in options) assert.ok(listed[2]!.compressedSize < 100);
  }
});

test('unsupported or damaged entries are E_ZIP naming file:entry', () => {
  const zip = zipOf([{ name: 'a.npy', chunks: [enc('abc')] }]);
  const listed = listZipEntries(bytesSource(zip), 'x.zip')[0]!;
  const cases = [
    { ...listed, flags: 1 },
    { ...listed, method: 12 },
    { ...listed, localOffset: 3 },
    { ...listed, compressedSize: 1000, size: 1000 },
    { ...listed, size: 4 },
  ];
  for (const entry of cases) {
    try {
      readZipEntry(bytesSource(zip), entry, 'x.zip');
      assert.fail('expected E_ZIP');
    } catch (e) {
      assert.ok(isMiaError(e));
      assert.equal(e.code, 'E_ZIP');
      assert.equal(e.where, 'x.zip:a.npy');
    }
  }
});
