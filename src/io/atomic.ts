/**
 * Whole-file reads and atomic writes.
 *
 * Atomic write protocol (every file mia-audit finishes goes through {@link withAtomicFile}):
 *   1. `mkdir -p` the parent directory;
 *   2. write everything to a temp file in the SAME directory named `${name}.tmp-<pid>-<16 hex digits>`
 *      (opened with O_EXCL, so two writers never share a temp);
 *   3. fsync the temp file, close it, rename it over `name` (atomic on POSIX within one file system),
 *      then fsync the directory (best effort);
 *   4. on any failure the temp file is removed and the old `name`, if any, is left untouched.
 * A reader therefore sees either the old complete file or the new complete file, never a partial one.
 * A process killed between 2 and 3 leaves a temp file behind: stages that scan directories for finished
 * files (checkpoint resume, caches) must skip names for which {@link isTempFile} is true.
 *
 * Only regular files (or missing ones) are replaced so (src/io/output-target.ts): a symlink's target is
 * written atomically and the link stays; a device, FIFO or socket is written in place (its errors
 * surface: /dev/full gives ENOSPC); `-` and `/dev/stdout` write to standard output, which, once closed
 * by its reader (EPIPE), is no longer written to and the write returns as if it had succeeded.
 */
import { randomBytes } from 'node:crypto';
import {
  closeSync,
  fstatSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readSync,
  renameSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { basename, dirname } from 'node:path';
import { MiaError } from '../errors.js';
import { outputName, resolveOutputTarget } from './output-target.js';

/** Matches the temp names made by {@link withAtomicFile}: `<name>.tmp-<pid>-<16 lowercase hex>`. */
const TEMP_RE = /\.tmp-\d+-[0-9a-f]{16}$/;

/** Largest chunk handed to one readSync/writeSync call (those calls are limited to < 2 GiB). */
const IO_CHUNK = 1 << 30;

/**
 * True when `name` (a base name or a path) is a temp file left by an atomic write in progress or by
 * a killed process, i.e. it matches `*.tmp-<pid>-<16 hex digits>`. Such files are never finished
 * outputs and may be deleted once their writer is gone.
 */
export function isTempFile(name: string): boolean {
  return TEMP_RE.test(basename(name));
}

/**
 * True when a process with id `pid` is running (signal 0 is delivered, or it exists but belongs to
 * another user: EPERM). False for anything but a positive integer, so the pid parsed out of a temp
 * name (see {@link isTempFile}) can be passed as is. Used to tell a killed writer's temp files from
 * those of a writer still at work.
 */
export function processAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as { code?: string }).code === 'EPERM';
  }
}

/** The temp path an atomic write of `path` uses: `${path}.tmp-<pid>-<16 hex>` (random per call). */
export function tempPathFor(path: string): string {
  return `${path}.tmp-${process.pid}-${randomBytes(8).toString('hex')}`;
}

/**
 * `ENOENT (no such file or directory)` style text for a node fs error: its code and a few words, never
 * the path or a stack (the caller puts the path in `where`). Non-fs errors give their message.
 */
export function describeFsError(e: unknown): string {
  if (e !== null && typeof e === 'object' && 'code' in e && typeof e.code === 'string') {
    const text: Record<string, string> = {
      ENOENT: 'no such file or directory',
      EACCES: 'permission denied',
      EPERM: 'operation not permitted',
      EISDIR: 'is a directory',
      ENOTDIR: 'a parent is not a directory',
      EEXIST: 'file exists',
      ENOSPC: 'no space left on device',
      EROFS: 'read-only file system',
      EMFILE: 'too many open files',
      EXDEV: 'rename across file systems',
      EPIPE: 'the reader has closed the pipe',
      ENXIO: 'no reader or device',
      ELOOP: 'too many symbolic links',
      EFBIG: 'file too large',
    };
    const words = text[e.code];
    return words !== undefined ? `${e.code} (${words})` : e.code;
  }
  return e instanceof Error ? e.message : String(e);
}

/**
 * Writes all of `data` to `fd` at the current position, in chunks below the 2 GiB syscall limit. A
 * non-blocking fd (a pipe on standard output) that is full (EAGAIN) is retried after a millisecond.
 */
export function writeAllSync(fd: number, data: Uint8Array): void {
  let off = 0;
  while (off < data.length) {
    const end = Math.min(data.length, off + IO_CHUNK);
    try {
      off += writeSync(fd, data, off, end - off);
    } catch (e) {
      if ((e as { code?: string }).code !== 'EAGAIN') throw e;
      Atomics.wait(PAUSE, 0, 0, 1);
    }
  }
}

/** What {@link writeAllSync} waits on for its 1 ms pause. */
const PAUSE = new Int32Array(new SharedArrayBuffer(4));

/** Set once standard output was found closed (EPIPE): later writes to it are dropped. */
let stdoutClosed = false;

/**
 * Reads exactly `length` bytes at file `position` into a new Uint8Array (byteOffset 0, so typed-array
 * views of it are aligned). Returns fewer bytes only when the file ends first.
 */
export function readAtSync(fd: number, position: number, length: number): Uint8Array {
  const out = new Uint8Array(length);
  let got = 0;
  while (got < length) {
    const n = readSync(fd, out, got, Math.min(IO_CHUNK, length - got), position + got);
    if (n === 0) return out.subarray(0, got);
    got += n;
  }
  return out;
}

/**
 * Runs `write(fd)` against a fresh temp file beside `path`, then fsyncs and renames it over `path`
 * (the protocol in this file's header). `write` writes with node:fs calls on `fd` (or
 * {@link writeAllSync}). If `write` throws, the temp file is removed, `path` is untouched and the
 * error is rethrown as is. File-system failures become MiaError E_IO located at `path` (`where` = `path`).
 */
export function withAtomicFile(path: string, write: (fd: number) => void): void {
  const target = resolveOutputTarget(path);
  if (target.kind === 'stdout') writeStdout(path, write);
  else if (target.kind === 'through') writeThrough(target.path, path, write);
  else atomicFile(target.path, path, write);
}

/** The temp-file-then-rename write of a regular (or missing) file `file`; errors name `shown`. */
function atomicFile(path: string, shown: string, write: (fd: number) => void): void {
  const dir = dirname(path);
  try {
    mkdirSync(dir, { recursive: true });
  } catch (e) {
    throw new MiaError('E_IO', `cannot create directory ${dir}: ${describeFsError(e)}`, {
      where: { file: shown },
    });
  }
  const tmp = tempPathFor(path);
  let fd: number;
  try {
    fd = openSync(tmp, 'wx', 0o644);
  } catch (e) {
    throw new MiaError('E_IO', `cannot write file: ${describeFsError(e)}`, { where: { file: shown } });
  }
  let stage = 'write';
  try {
    try {
      write(fd);
      stage = 'fsync';
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    stage = 'rename';
    renameSync(tmp, path);
  } catch (e) {
    try {
      unlinkSync(tmp);
    } catch {
      // already gone
    }
    if (stage === 'write' && !isFsError(e)) throw e;
    throw new MiaError('E_IO', `cannot write file (${stage}): ${describeFsError(e)}`, {
      where: { file: shown },
    });
  }
  fsyncDir(dir);
}

/**
 * Writes `write`'s bytes to standard output (fd 1). A reader that has gone (EPIPE) ends the write
 * quietly, and every later one; other errors are E_IO naming `shown`.
 */
function writeStdout(shown: string, write: (fd: number) => void): void {
  if (stdoutClosed) return;
  try {
    write(1);
  } catch (e) {
    if ((e as { code?: string }).code === 'EPIPE') {
      stdoutClosed = true;
      return;
    }
    if (!isFsError(e)) throw e;
    throw new MiaError('E_IO', `cannot write ${outputName(shown)}: ${describeFsError(e)}`, {
      where: { file: shown },
    });
  }
}

/**
 * Writes `write`'s bytes in place into `path`, a device, FIFO or socket (opened for writing, which
 * for a FIFO waits for a reader). Errors, the device's own included, are E_IO naming `shown`.
 */
function writeThrough(path: string, shown: string, write: (fd: number) => void): void {
  let fd: number;
  try {
    fd = openSync(path, 'w');
  } catch (e) {
    throw new MiaError('E_IO', `cannot write file: ${describeFsError(e)}`, { where: { file: shown } });
  }
  try {
    write(fd);
  } catch (e) {
    if (!isFsError(e)) throw e;
    throw new MiaError('E_IO', `cannot write file: ${describeFsError(e)}`, { where: { file: shown } });
  } finally {
    closeSync(fd);
  }
}

function isFsError(e: unknown): boolean {
  return e instanceof Error && 'code' in e && 'syscall' in e;
}

/** fsync a directory so a rename in it is durable; silently skipped where the OS does not allow it. */
function fsyncDir(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch {
    // not supported on this platform / file system: the rename is still atomic, just not yet durable
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/**
 * Atomically replaces `path` with `data` (a string is written as UTF-8), creating parent directories.
 * Throws MiaError E_IO (at file `path`) on failure, leaving any old file intact and no temp file.
 */
export function writeFileAtomic(path: string, data: Uint8Array | string): void {
  const bytes = typeof data === 'string' ? new TextEncoder().encode(data) : data;
  withAtomicFile(path, (fd) => writeAllSync(fd, bytes));
}

/**
 * Atomically writes `JSON.stringify(value, null, 2)` plus a trailing newline to `path`.
 * Throws a TypeError for values JSON cannot represent (undefined at top level, BigInt, cycles).
 */
export function writeJsonAtomic(path: string, value: unknown): void {
  const text = JSON.stringify(value, null, 2);
  if (text === undefined) throw new TypeError(`writeJsonAtomic(${path}): value is not representable as JSON`);
  writeFileAtomic(path, `${text}\n`);
}

/**
 * The whole file at `path` as a fresh Uint8Array with byteOffset 0 (so aligned typed-array views of it
 * are possible), read in chunks so files above 2 GiB work. Throws MiaError E_IO at file `path`,
 * message `cannot read file: ENOENT (no such file or directory)` and the like — one line, no stack.
 */
export function readFileOrThrow(path: string): Uint8Array {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (e) {
    throw new MiaError('E_IO', `cannot read file: ${describeFsError(e)}`, { where: { file: path } });
  }
  try {
    const st = fstatSync(fd);
    if (st.isDirectory()) throw Object.assign(new Error('is a directory'), { code: 'EISDIR' });
    if (!st.isFile()) {
      // pipes, character devices: size unknown, read until EOF
      const chunks: Uint8Array[] = [];
      let total = 0;
      for (;;) {
        const buf = new Uint8Array(1 << 16);
        const n = readSync(fd, buf, 0, buf.length, null);
        if (n === 0) break;
        chunks.push(buf.subarray(0, n));
        total += n;
      }
      const out = new Uint8Array(total);
      let off = 0;
      for (const c of chunks) {
        out.set(c, off);
        off += c.length;
      }
      return out;
    }
    return readAtSync(fd, 0, st.size);
  } catch (e) {
    throw new MiaError('E_IO', `cannot read file: ${describeFsError(e)}`, { where: { file: path } });
  } finally {
    closeSync(fd);
  }
}
