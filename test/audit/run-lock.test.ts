// The run directory's lock (src/audit/run-lock.ts): re-entrant in one process, released on an error,
// a stale lock (dead PID on this host) taken over with a note, a live holder named in one line, and
// --wait-lock's waiting. The two-process cases run the CLI: test/cli/run-lock.test.ts.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { acquireRunLock, LOCK_FILE, readLockHolder, withRunLock } from '../../src/audit/run-lock.js';
import { isMiaError } from '../../src/errors.js';

const tmp = mkdtempSync(join(tmpdir(), 'mia-run-lock-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

/** The PID of a process that has exited. */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], {
    encoding: 'utf8',
  });
  return Number(r.stdout);
}

test('the lock file names this process; re-entrant acquires release once, the last release removes it', async () => {
  const dir = mkdtempSync(join(tmp, 'a-'));
  const outer = await acquireRunLock(dir, { command: 'mia audit x.yaml' });
  const h = readLockHolder(join(dir, LOCK_FILE));
  assert.ok(h !== undefined && h !== 'unreadable');
  assert.equal(h.pid, process.pid);
  assert.equal(h.host, hostname());
  assert.equal(h.command, 'mia audit x.yaml');
  assert.ok(!Number.isNaN(Date.parse(h.since)));
  const inner = await acquireRunLock(dir);
  inner();
  inner();
  assert.ok(existsSync(join(dir, LOCK_FILE)), 'the outer holder still holds it');
  outer();
  assert.ok(!existsSync(join(dir, LOCK_FILE)));
});

test('withRunLock releases the lock when the work throws', async () => {
  const dir = mkdtempSync(join(tmp, 'b-'));
  await assert.rejects(
    withRunLock(dir, {}, async () => {
      assert.ok(existsSync(join(dir, LOCK_FILE)));
      throw new Error('boom');
    }),
    /boom/,
  );
  assert.ok(!existsSync(join(dir, LOCK_FILE)));
});

test('a stale lock (dead PID on this host) is taken over with a note naming it', async () => {
  const dir = mkdtempSync(join(tmp, 'c-'));
  const pid = deadPid();
  writeFileSync(
    join(dir, LOCK_FILE),
    JSON.stringify({
      pid,
      host: hostname(),
      since: '2026-12-07T09:00:00.000Z',
      command: 'mia audit old.yaml',
    }),
  );
  const notes: string[] = [];
  const release = await acquireRunLock(dir, { note: (l) => notes.push(l) });
  assert.deepEqual(notes, [
    `taking over the stale lock of ${dir}: pid ${pid} on host ${hostname()} since 2026-12-07T09:00:00.000Z ` +
      '(mia audit old.yaml) is no longer running',
  ]);
  assert.equal(JSON.parse(readFileSync(join(dir, LOCK_FILE), 'utf8')).pid, process.pid);
  release();
});

test('a live holder: E_LOCKED naming pid, host and since; with wait, one note and the lock once it is free', async () => {
  const dir = mkdtempSync(join(tmp, 'd-'));
  // the parent of this test process is alive (the test runner) and is not this process
  const holder = { pid: process.ppid, host: hostname(), since: '2026-12-07T10:00:00.000Z' };
  writeFileSync(join(dir, LOCK_FILE), JSON.stringify(holder));
  await assert.rejects(acquireRunLock(dir), (e: unknown) => {
    assert.ok(isMiaError(e));
    assert.equal(e.code, 'E_LOCKED');
    assert.equal(
      e.oneLine(),
      `[E_LOCKED] ${dir}: the run directory is in use by pid ${process.ppid} on host ${hostname()} since ` +
        '2026-12-07T10:00:00.000Z (expected one run per run directory: wait for it, pass --wait-lock, or use another --log-dir)',
    );
    return true;
  });
  const notes: string[] = [];
  const waiting = acquireRunLock(dir, { wait: true, pollMs: 20, note: (l) => notes.push(l) });
  await new Promise((r) => setTimeout(r, 100));
  assert.deepEqual(notes, [
    `waiting for the lock of ${dir}: held by pid ${process.ppid} on host ${hostname()} since 2026-12-07T10:00:00.000Z`,
  ]);
  rmSync(join(dir, LOCK_FILE)); // the holder ends
  const release = await waiting;
  assert.equal(JSON.parse(readFileSync(join(dir, LOCK_FILE), 'utf8')).pid, process.pid);
  release();
  assert.ok(!existsSync(join(dir, LOCK_FILE)));
});

test('a lock held on another host is never taken over, even with a PID that does not exist here', async () => {
  const dir = mkdtempSync(join(tmp, 'e-'));
  writeFileSync(
    join(dir, LOCK_FILE),
    JSON.stringify({ pid: deadPid(), host: `${hostname()}-elsewhere`, since: '2026-12-07T10:00:00.000Z' }),
  );
  await assert.rejects(acquireRunLock(dir), /E_LOCKED|in use by/);
});
