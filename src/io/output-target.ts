/**
 * Where a write to an output path goes. An atomic write (src/io/atomic.ts) writes a temp file and
 * renames it over the path, which is right for a regular file and wrong for everything else: renaming
 * over a device, a FIFO or a symlink would replace the node itself (`--json /dev/full` would turn the
 * device into a regular file and report success). {@link resolveOutputTarget} tells the cases apart:
 *
 * - `-`, `/dev/stdout`, `/dev/fd/1` and `/proc/self/fd/1` are standard output: the bytes go to fd 1;
 * - a symlink is followed (hop by hop, relative links resolved against their own folder) and its final
 *   target is written instead, so the link stays a link; a dangling link creates its target;
 * - a regular file, or nothing, at the (followed) path is written atomically;
 * - anything else that exists (character or block device, FIFO, socket) is written through: opened for
 *   writing and written in place, so a device's error (ENOSPC of /dev/full) surfaces and a FIFO's
 *   reader gets the bytes;
 * - a directory is an error (E_IO, EISDIR).
 */
import { lstatSync, readlinkSync, type statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { MiaError } from '../errors.js';

/** What {@link resolveOutputTarget} decided for a path. */
export type OutputTarget =
  /** Standard output (fd 1). */
  | { kind: 'stdout' }
  /** A regular file or a missing one, at `path` (a symlink already followed): temp file + rename. */
  | { kind: 'atomic'; path: string }
  /** A device, FIFO or socket at `path`: opened and written in place. */
  | { kind: 'through'; path: string };

/** The spellings of standard output as an output path. */
const STDOUT_PATHS: readonly string[] = ['-', '/dev/stdout', '/dev/fd/1', '/proc/self/fd/1'];

/** Symlink hops followed before giving up (Linux's own limit is 40). */
const MAX_LINKS = 40;

/** True when `path` names standard output: `-`, `/dev/stdout`, `/dev/fd/1` or `/proc/self/fd/1`. */
export function isStdoutPath(path: string): boolean {
  return STDOUT_PATHS.includes(path);
}

/** How messages name an output path: "standard output" for {@link isStdoutPath}, else the path itself. */
export function outputName(path: string): string {
  return isStdoutPath(path) ? 'standard output' : path;
}

/**
 * Where bytes for `path` go (see the module header). Throws MiaError E_IO at file `path` for a
 * directory, a symlink loop (ELOOP) or a path that cannot be examined (EACCES on a parent, …).
 */
export function resolveOutputTarget(path: string): OutputTarget {
  if (isStdoutPath(path)) return { kind: 'stdout' };
  let current = path;
  for (let hop = 0; hop <= MAX_LINKS; hop++) {
    const st = lstatOrUndefined(current, path);
    if (st === undefined || st.isFile()) return { kind: 'atomic', path: current };
    if (st.isSymbolicLink()) {
      current = resolve(dirname(current), readlinkSync(current));
      continue;
    }
    if (st.isDirectory()) {
      throw new MiaError('E_IO', 'cannot write file: EISDIR (is a directory)', { where: { file: path } });
    }
    return { kind: 'through', path: current };
  }
  throw new MiaError('E_IO', `cannot write file: ELOOP (more than ${MAX_LINKS} symbolic links)`, {
    where: { file: path },
  });
}

/** lstat of `p`, or undefined when nothing is there (ENOENT; ENOTDIR is left to the write to report). */
function lstatOrUndefined(p: string, original: string): ReturnType<typeof statSync> | undefined {
  try {
    return lstatSync(p);
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    throw new MiaError('E_IO', `cannot write file: ${code ?? String(e)}`, { where: { file: original } });
  }
}
