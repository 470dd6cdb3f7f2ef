import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { isMiaError, type MiaError } from '../../src/errors.js';
import {
  isTempFile,
  processAlive,
  readFileOrThrow,
  tempPathFor,
  withAtomicFile,
  writeAllSync,
  writeFileAtomic,
  writeJsonAtomic,
} from '../../src/io/atomic.js';
import { readJsonFile } from '../../src/io/json.js';

const root = mkdtempSync(join(tmpdir(), 'mia-atomic-'));
after(() => rmSync(root, { recursive: true, force: true }));

function miaError(fn: () => unknown): MiaError {
  try {
    fn();
  } catch (e) {
    if (isMiaError(e)) return e;
    throw e;
  }
  assert.fail('expected a MiaError');
}

test('writeFileAtomic creates parents, writes bytes or UTF-8 text, replaces, leaves no temp file', () => {
  const dir = join(root, 'a', 'b', 'c');
  const path = join(dir, 'out.bin');
  writeFileAtomic(path, Uint8Array.from([1, 2, 3]));
  assert.deepEqual([...readFileOrThrow(path)], [1, 2, 3]);
  writeFileAtomic(path, 'héllo');
  assert.equal(readFileSync(path, 'utf8'), 'héllo');
  writeFileAtomic(path, new Uint8Array(0));
  assert.equal(readFileOrThrow(path).length, 0);
  assert.deepEqual(readdirSync(dir), ['out.bin']);
});

test('a failed write leaves the old file intact and removes the temp file', () => {
  const dir = join(root, 'fail');
  const path = join(dir, 'model.json');
  writeFileAtomic(path, 'old contents\n');
  const boom = new Error('disk on fire');
  assert.throws(
    () =>
      withAtomicFile(path, (fd) => {
        writeAllSync(fd, new TextEncoder().encode('half of the new'));
        throw boom;
      }),
    (e) => e === boom,
  );
  assert.equal(readFileSync(path, 'utf8'), 'old contents\n');
  assert.deepEqual(readdirSync(dir), ['model.json']);

  // rename onto a directory fails: E_IO naming the path, no temp left
  mkdirSync(join(dir, 'adir'));
  writeFileSync(join(dir, 'adir', 'x'), '');
  const e = miaError(() => writeFileAtomic(join(dir, 'adir'), 'x'));
  assert.equal(e.code, 'E_IO');
  assert.equal(e.where, join(dir, 'adir'));
  assert.deepEqual(readdirSync(dir).sort(), ['adir', 'model.json']);

  // parent is a file: E_IO
  const p = miaError(() => writeFileAtomic(join(dir, 'model.json', 'child'), 'x'));
  assert.equal(p.code, 'E_IO');
});

test('isTempFile recognises exactly the temp names atomic writes use', () => {
  const t = tempPathFor('/x/run/signals.npz');
  assert.ok(t.startsWith('/x/run/signals.npz.tmp-'));
  assert.ok(isTempFile(t));
  assert.ok(isTempFile('model.onnx.tmp-123-0123456789abcdef'));
  for (const name of [
    'signals.npz',
    'a.tmp',
    'a.tmp-1-xyz',
    'a.tmp-x-0123456789abcdef',
    'tmp-1-0123456789abcdef.npz',
  ]) {
    assert.equal(isTempFile(name), false, name);
  }
  assert.notEqual(tempPathFor('a'), tempPathFor('a'));
});

test('processAlive: this process and pid 1 are alive, an exited child and non-pids are not', () => {
  assert.equal(processAlive(process.pid), true);
  assert.equal(processAlive(1), true, 'pid 1 exists (EPERM counts as alive)');
  const child = spawnSync(process.execPath, ['-e', '']);
  assert.equal(child.status, 0);
  assert.equal(processAlive(child.pid), false, 'exited child');
  for (const pid of [0, -1, 1.5, Number.NaN]) assert.equal(processAlive(pid), false, String(pid));
});

test('writeJsonAtomic / readJsonFile round trip; pretty with a trailing newline', () => {
  const path = join(root, 'j', 'result.json');
  const value = { auc: 0.5, tpr: [0, 1e-7, 1], name: 'lira', nested: { ok: true, none: null } };
  writeJsonAtomic(path, value);
  const text = readFileSync(path, 'utf8');
  assert.equal(text, `${JSON.stringify(value, null, 2)}\n`);
  assert.deepEqual(readJsonFile(path), value);
  writeFileSync(path, `\ufeff{"a": 1}`);
  assert.deepEqual(readJsonFile(path), { a: 1 });
  assert.throws(() => writeJsonAtomic(path, undefined), TypeError);
});

test('readJsonFile: E_IO for a missing file, E_JSON with file:line:column for syntax errors', () => {
  const missing = miaError(() => readJsonFile(join(root, 'nope.json')));
  assert.equal(missing.code, 'E_IO');
  assert.equal(missing.where, join(root, 'nope.json'));
  assert.deepEqual(missing.location, { file: join(root, 'nope.json') });
  assert.equal(missing.message, 'cannot read file: ENOENT (no such file or directory)');

  const path = join(root, 'bad.json');
  const cases: [string, string][] = [
    ['{\n  "a": 1,\n  "b": }\n', '3:8'],
    ['[1, 2,]', '1:7'],
    ['{"a": 1} x', '1:10'],
    ['', '1:1'],
    ['{"a": "unterminated', '1:20'],
    ["{'a': 1}", '1:2'],
    ['\r\n\r\n  nul', '3:6'],
    ['[01]', '1:3'],
  ];
  for (const [text, at] of cases) {
    writeFileSync(path, text);
    const e = miaError(() => readJsonFile(path));
    assert.equal(e.code, 'E_JSON', JSON.stringify(text));
    assert.equal(e.where, `${path}:${at}`, `${JSON.stringify(text)}: ${e.message}`);
    const [line, column] = at.split(':').map(Number);
    assert.deepEqual(e.location, { file: path, line, column }, JSON.stringify(text));
  }
  writeFileSync(path, Buffer.from([0x7b, 0xff, 0x7d]));
  assert.equal(miaError(() => readJsonFile(path)).code, 'E_JSON');
});

test('readFileOrThrow: one-line E_IO for directories and missing files', () => {
  const e = miaError(() => readFileOrThrow(root));
  assert.equal(e.code, 'E_IO');
  assert.equal(e.message, 'cannot read file: EISDIR (is a directory)');
  assert.equal(e.where, root);
  const m = miaError(() => readFileOrThrow(join(root, 'missing', 'file')));
  assert.equal(
    m.oneLine(),
    `[E_IO] ${join(root, 'missing', 'file')}: cannot read file: ENOENT (no such file or directory)`,
  );
});
