// One audit per run directory, with two real processes: while `mia audit` runs, a second `mia audit`
// on the same log directory (and `mia report` into it) stops with one line naming the holder; with
// --wait-lock it says it waits and runs once the first has ended (here: by Ctrl-C, which releases the
// lock). A lock left by a killed process is taken over with a note.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { smallAuditConfig } from './run-mia.js';

const BIN = fileURLToPath(new URL('../../bin/mia.js', import.meta.url));
const tmp = mkdtempSync(join(tmpdir(), 'mia-cli-lock-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

function config(dir: string, epochs: number): string {
  return smallAuditConfig(dir, epochs);
}

interface Running {
  child: ChildProcess;
  out: () => string;
  err: () => string;
  /** Resolves once stdout matches. */
  printed: (re: RegExp) => Promise<void>;
  done: Promise<number | null>;
}

function start(args: string[]): Running {
  const child = spawn(process.execPath, [BIN, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NO_COLOR: '1' },
  });
  let out = '';
  let err = '';
  const waiters: { re: RegExp; resolve: () => void }[] = [];
  child.stdout!.setEncoding('utf8');
  child.stderr!.setEncoding('utf8');
  child.stdout!.on('data', (c: string) => {
    out += c;
    for (const w of waiters.splice(0)) (w.re.test(out) ? w.resolve : () => waiters.push(w))();
  });
  child.stderr!.on('data', (c: string) => {
    err += c;
  });
  const done = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  return {
    child,
    out: () => out,
    err: () => err,
    printed: (re) =>
      new Promise<void>((resolve, reject) => {
        if (re.test(out)) return resolve();
        waiters.push({ re, resolve });
        void done.then(() => reject(new Error(`exited before printing ${re}:\n${out}\n${err}`)));
      }),
    done,
  };
}

test('a second mia audit on a locked run directory stops with one line; --wait-lock waits; Ctrl-C releases', async () => {
  const dir = join(tmp, 'run');
  const file = join(tmp, 'slow.yaml');
  writeFileSync(file, config(dir, 20000));
  const first = start(['audit', file]);
  await first.printed(/\] target .*epoch 1\//);
  const pid = first.child.pid!;

  const second = start(['audit', file]);
  assert.equal(await second.done, 2, second.err());
  const lines = second.err().trim().split('\n');
  assert.equal(lines.length, 1, second.err());
  assert.match(
    lines[0]!,
    new RegExp(
      `^error \\[E_LOCKED\\] ${dir}: the run directory is in use by pid ${pid} on host ${hostname()} ` +
        `since \\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z \\(mia audit ${file}\\)`,
    ),
  );

  const report = start(['report', dir]);
  assert.equal(await report.done, 2, report.err());
  assert.match(report.err(), new RegExp(`^error \\[E_LOCKED\\] ${dir}: .*pid ${pid} `));

  const waiter = start(['audit', file, '--wait-lock', '--set', 'target.epochs=3']);
  await waiter.printed(new RegExp(`waiting for the lock of ${dir}: held by pid ${pid} on host`));
  first.child.kill('SIGINT');
  assert.equal(await first.done, 130, first.err());
  assert.equal(await waiter.done, 0, waiter.err());
  assert.match(waiter.out(), /Audit of synthetic/);
  assert.ok(!existsSync(join(dir, 'run.lock')), 'the lock is released when the audit ends');
});

test('a lock left by a killed mia audit is stale: the next run takes it over with a note', () => {
  const dir = join(tmp, 'stale');
  const file = join(tmp, 'quick.yaml');
  writeFileSync(file, config(dir, 2));
  const gone = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], {
    encoding: 'utf8',
  });
  const pid = Number(gone.stdout);
  rmSync(dir, { recursive: true, force: true });
  spawnSync('mkdir', ['-p', dir]);
  writeFileSync(
    join(dir, 'run.lock'),
    JSON.stringify({
      pid,
      host: hostname(),
      since: '2026-12-07T09:00:00.000Z',
      command: `mia audit ${file}`,
    }),
  );
  const r = spawnSync(process.execPath, [BIN, 'audit', file], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.match(
    r.stdout,
    new RegExp(
      `taking over the stale lock of ${dir}: pid ${pid} on host ${hostname()} since 2026-12-07T09:00:00.000Z`,
    ),
  );
  assert.ok(!existsSync(join(dir, 'run.lock')));
});
