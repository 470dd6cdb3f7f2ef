import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import {
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { isMiaError } from '../../src/errors.js';
import { writeFileAtomic, writeJsonAtomic } from '../../src/io/atomic.js';
import { isStdoutPath, outputName, resolveOutputTarget } from '../../src/io/output-target.js';

const root = mkdtempSync(join(tmpdir(), 'mia-output-target-'));
after(() => rmSync(root, { recursive: true, force: true }));
const ATOMIC = fileURLToPath(new URL('../../src/io/atomic.ts', import.meta.url));

test('isStdoutPath: -, /dev/stdout, /dev/fd/1, /proc/self/fd/1 and nothing else', () => {
  for (const p of ['-', '/dev/stdout', '/dev/fd/1', '/proc/self/fd/1']) assert.ok(isStdoutPath(p), p);
  for (const p of ['--', './-', 'stdout', '/dev/stderr', '']) assert.ok(!isStdoutPath(p), p);
  assert.equal(outputName('-'), 'standard output');
  assert.equal(outputName('a.json'), 'a.json');
});

test('writing to /dev/full surfaces ENOSPC as one E_IO naming it, and the device stays a device', () => {
  assert.deepEqual(resolveOutputTarget('/dev/full'), { kind: 'through', path: '/dev/full' });
  assert.throws(
    () => writeJsonAtomic('/dev/full', { a: 1 }),
    (e) => isMiaError(e) && e.code === 'E_IO' && /ENOSPC/.test(e.message) && e.where === '/dev/full',
  );
  assert.ok(lstatSync('/dev/full').isCharacterDevice());
  // /dev/null takes the bytes and stays a device
  writeFileAtomic('/dev/null', 'x');
  assert.ok(lstatSync('/dev/null').isCharacterDevice());
});

test('a symlinked output: its target is replaced atomically and the link stays a link', () => {
  const dir = join(root, 'link');
  mkdirSync(join(dir, 'real'), { recursive: true });
  writeFileSync(join(dir, 'real', 'out.json'), 'old\n');
  symlinkSync('real/out.json', join(dir, 'out.json'));
  writeFileAtomic(join(dir, 'out.json'), 'new\n');
  assert.ok(lstatSync(join(dir, 'out.json')).isSymbolicLink());
  assert.equal(readlinkSync(join(dir, 'out.json')), 'real/out.json');
  assert.equal(readFileSync(join(dir, 'real', 'out.json'), 'utf8'), 'new\n');
  assert.deepEqual(readdirSync(join(dir, 'real')), ['out.json'], 'no temp file left');
  // a chain of links, and a dangling link whose target is created
  symlinkSync('out.json', join(dir, 'second'));
  writeFileAtomic(join(dir, 'second'), 'third\n');
  assert.equal(readFileSync(join(dir, 'real', 'out.json'), 'utf8'), 'third\n');
  symlinkSync('real/fresh.json', join(dir, 'dangling'));
  writeFileAtomic(join(dir, 'dangling'), 'fresh\n');
  assert.ok(lstatSync(join(dir, 'dangling')).isSymbolicLink());
  assert.equal(readFileSync(join(dir, 'real', 'fresh.json'), 'utf8'), 'fresh\n');
  // a loop is one line
  symlinkSync('loop-b', join(dir, 'loop-a'));
  symlinkSync('loop-a', join(dir, 'loop-b'));
  assert.throws(
    () => writeFileAtomic(join(dir, 'loop-a'), 'x'),
    (e) => isMiaError(e) && e.code === 'E_IO' && /ELOOP/.test(e.message),
  );
});

test('a directory as output is one E_IO line (EISDIR)', () => {
  assert.throws(
    () => writeFileAtomic(root, 'x'),
    (e) => isMiaError(e) && e.code === 'E_IO' && /EISDIR/.test(e.message) && e.where === root,
  );
});

test("a FIFO's reader gets the bytes, and the FIFO stays a FIFO", async () => {
  const fifo = join(root, 'pipe');
  const made = spawnSync('mkfifo', [fifo]);
  if (made.status !== 0) assert.fail(`mkfifo failed: ${made.stderr}`);
  const reader = spawn('cat', [fifo]);
  let got = '';
  reader.stdout.on('data', (c: Buffer) => {
    got += c.toString();
  });
  const done = new Promise<number | null>((res) => reader.on('close', res));
  writeFileAtomic(fifo, 'through the pipe\n');
  assert.equal(await done, 0);
  assert.equal(got, 'through the pipe\n');
  assert.ok(lstatSync(fifo).isFIFO());
});

/** Runs a script that imports atomic.ts in a child node, its stdout piped to `reader` args (or read). */
function childScript(body: string): string {
  return `import * as a from ${JSON.stringify(ATOMIC)};\n${body}`;
}

test('- and /dev/stdout write to standard output', () => {
  for (const p of ['-', '/dev/stdout']) {
    const r = spawnSync(
      process.execPath,
      ['--import', 'tsx', '--input-type=module', '-e', childScript(`a.writeJsonAtomic('${p}', { a: 1 });`)],
      { encoding: 'utf8' },
    );
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, '{\n  "a": 1\n}\n');
    assert.deepEqual(
      readdirSync(process.cwd()).filter((f) => f === '-'),
      [],
      'no file named -',
    );
  }
});

test('standard output closed by its reader (EPIPE): the write stops quietly and the work goes on', async () => {
  // 4 MB to a pipe whose reader takes one chunk and exits, then a second write, then a line on stderr
  const script = childScript(
    "const big = 'x'.repeat(1 << 22);\n" +
      "a.writeFileAtomic('-', big);\na.writeFileAtomic('-', big);\nprocess.stderr.write('after\\n');",
  );
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script]);
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => {
    stderr += c.toString();
  });
  child.stdout.once('data', () => child.stdout.destroy());
  const code = await new Promise<number | null>((res) => child.on('close', res));
  assert.equal(code, 0, stderr);
  assert.equal(stderr, 'after\n');
});
