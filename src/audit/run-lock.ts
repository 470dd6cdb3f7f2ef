/**
 * One writer per run directory: `run.lock` holds the holder's PID, host, start time and command
 * (run-format/lock.ts). `mia audit` (both modes, and `mia demo`) and `mia report` writing into the run
 * directory take it; a second process stops with one line naming the holder, or waits (`--wait-lock`).
 * A lock whose process is gone (same host, dead PID) is stale: it is taken over with a note. The lock
 * is released when the work ends, on an error, and on exit (the Ctrl-C / SIGTERM handler exits through
 * process.exit, which runs the exit hook); a lock left by kill -9 is stale on the next run.
 *
 * Taking the lock is re-entrant within a process (the CLI takes it around the audit and the report,
 * runAudit takes it again): the inner release is a no-op.
 */
import { closeSync, linkSync, openSync, readFileSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { MiaError } from '../errors.js';
import { processAlive, tempPathFor } from '../io/atomic.js';
import { type LockFileInput, LockFile as LockSchema } from './run-format/lock.js';

/** The lock file's name inside the run directory. */
export const LOCK_FILE = 'run.lock';

/** Who holds a run directory's lock. */
export type LockHolder = LockFileInput;

export interface AcquireOptions {
  /** Wait until the holder releases it instead of failing (`--wait-lock`). */
  wait?: boolean;
  /** What the lock is taken for, recorded in the file ("mia audit c.yaml"). */
  command?: string;
  /** Notes for the user: a stale lock taken over, waiting for a holder. */
  note?: (line: string) => void;
  /** Poll interval while waiting, in ms (default 250). */
  pollMs?: number;
}

/** Releases the lock (idempotent). */
export type ReleaseLock = () => void;

const held = new Map<string, number>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const path of held.keys()) removeIfOurs(path);
    held.clear();
  });
}

/** The holder recorded in `path`, or undefined when it is missing; 'unreadable' for a half-written or damaged file. */
export function readLockHolder(path: string): LockHolder | 'unreadable' | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    if ((e as { code?: string }).code === 'ENOENT') return undefined;
    return 'unreadable';
  }
  try {
    const parsed = LockSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : 'unreadable';
  } catch {
    return 'unreadable';
  }
}

/** "pid 1234 on host h since 2026-12-07T10:00:00Z (mia audit c.yaml)". */
export function describeHolder(h: LockHolder): string {
  return `pid ${h.pid} on host ${h.host} since ${h.since}${h.command !== undefined ? ` (${h.command})` : ''}`;
}

function removeIfOurs(path: string): void {
  const h = readLockHolder(path);
  if (h !== undefined && h !== 'unreadable' && h.pid === process.pid && h.host === hostname()) {
    try {
      unlinkSync(path);
    } catch {
      // already gone
    }
  }
}

/** Creates the lock file exclusively; false when it exists. */
function tryCreate(path: string, me: LockHolder): boolean {
  let fd: number;
  try {
    fd = openSync(path, 'wx');
  } catch (e) {
    if ((e as { code?: string }).code === 'EEXIST') return false;
    throw new MiaError('E_IO', `cannot create the run lock: ${(e as Error).message}`, { where: path });
  }
  try {
    writeSync(fd, `${JSON.stringify(me)}\n`);
  } finally {
    closeSync(fd);
  }
  return true;
}

/**
 * Moves a stale lock out of the way; true when the file moved was the stale one seen (a lock created
 * meanwhile by a live process is put back).
 */
function removeStale(path: string, stale: LockHolder): boolean {
  const aside = tempPathFor(path);
  try {
    renameSync(path, aside);
  } catch {
    return false; // someone else moved it first
  }
  const moved = readLockHolder(aside);
  if (
    moved !== 'unreadable' &&
    moved !== undefined &&
    (moved.pid !== stale.pid || moved.host !== stale.host)
  ) {
    try {
      linkSync(aside, path); // put the live lock back unless yet another one appeared
    } catch {
      // a newer lock is in place; ours was a live one that lost the race
    }
    unlinkSync(aside);
    return false;
  }
  unlinkSync(aside);
  return true;
}

/** Age in ms at which a lock file that cannot be parsed (its writer died between create and write) is stale. */
const UNREADABLE_STALE_MS = 10_000;

/**
 * Takes the lock of run directory `root` (which must exist). Resolves to its release. Throws E_LOCKED
 * naming the holder when another live process holds it and `wait` is not set; with `wait`, notes once
 * that it waits and polls until the holder is gone.
 */
export async function acquireRunLock(root: string, options: AcquireOptions = {}): Promise<ReleaseLock> {
  const path = join(root, LOCK_FILE);
  const count = held.get(path);
  if (count !== undefined) {
    held.set(path, count + 1);
    return once(() => release(path));
  }
  const me: LockHolder = {
    pid: process.pid,
    host: hostname(),
    since: new Date().toISOString(),
    ...(options.command !== undefined ? { command: options.command } : {}),
  };
  let waiting = false;
  let firstUnreadable: number | undefined;
  for (;;) {
    if (tryCreate(path, me)) break;
    const h = readLockHolder(path);
    if (h === undefined) continue; // released meanwhile
    if (h === 'unreadable') {
      firstUnreadable ??= Date.now();
      if (Date.now() - firstUnreadable >= UNREADABLE_STALE_MS) {
        options.note?.(`${path}: an unreadable lock file; taking the lock over`);
        try {
          unlinkSync(path);
        } catch {
          // gone meanwhile
        }
        continue;
      }
    } else if (h.host === hostname() && h.pid !== process.pid && !processAlive(h.pid)) {
      if (removeStale(path, h)) {
        options.note?.(`taking over the stale lock of ${root}: ${describeHolder(h)} is no longer running`);
      }
      continue;
    } else if (h.host === hostname() && h.pid === process.pid) {
      // our own lock left by an earlier acquire whose release was lost: take it again
      unlinkSync(path);
      continue;
    } else if (options.wait !== true) {
      throw new MiaError('E_LOCKED', `the run directory is in use by ${describeHolder(h)}`, {
        where: root,
        expected: 'one run per run directory: wait for it, pass --wait-lock, or use another --log-dir',
      });
    } else if (!waiting) {
      waiting = true;
      options.note?.(`waiting for the lock of ${root}: held by ${describeHolder(h)}`);
    }
    await new Promise((r) => setTimeout(r, options.pollMs ?? 250));
  }
  installExitHook();
  held.set(path, 1);
  return once(() => release(path));
}

function release(path: string): void {
  const count = held.get(path);
  if (count === undefined) return;
  if (count > 1) {
    held.set(path, count - 1);
    return;
  }
  held.delete(path);
  removeIfOurs(path);
}

function once(fn: () => void): ReleaseLock {
  let done = false;
  return () => {
    if (done) return;
    done = true;
    fn();
  };
}

/** Runs `work` holding the lock of `root`; the lock is released when it settles. */
export async function withRunLock<T>(
  root: string,
  options: AcquireOptions,
  work: () => Promise<T>,
): Promise<T> {
  const releaseLock = await acquireRunLock(root, options);
  try {
    return await work();
  } finally {
    releaseLock();
  }
}
