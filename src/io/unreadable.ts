/**
 * Why a file could not be read, in one line: for the progress line `<file>: unreadable (<why>); …` a
 * rerun prints before computing the file again (audit/), a damaged cached model (models/cache.ts) and
 * the report's list of unreadable run-directory files (report/run-dir.ts).
 */
import { sep } from 'node:path';
import { type ErrorLocation, formatLocation, isMiaError, type MiaError } from '../errors.js';
import { describeFsError } from './atomic.js';

export interface UnreadableOptions {
  /** The file or folder read: a MiaError located inside it is said relative to it. */
  path?: string;
  /**
   * `message` (default): the MiaError's message (`not a valid zip archive: …`), prefixed with the file
   * relative to a folder `path` when the error names one (`weights.npz: …`), or the fs error's code in
   * words. `full`: `[E_CODE] at <where>: message (expected …, found …)`, where relative to `path`
   * (`at 2:1` for a JSON syntax error in the file `path`, nothing for the file itself).
   */
  detail?: 'message' | 'full';
}

/** One line saying why reading failed with `e` (see UnreadableOptions). */
export function unreadableReason(e: unknown, options: UnreadableOptions = {}): string {
  const { path, detail = 'message' } = options;
  if (!isMiaError(e)) {
    if (detail === 'message' && e !== null && typeof e === 'object' && 'code' in e) return describeFsError(e);
    return e instanceof Error ? e.message : String(e);
  }
  if (detail === 'message') {
    const inside = path === undefined ? undefined : insideFolder(e, path);
    return `${inside !== undefined ? `${inside}: ` : ''}${e.message}`;
  }
  const rest = path === undefined ? (e.where ?? '') : withinFile(e, path);
  const ef: string[] = [];
  if (e.expected !== undefined) ef.push(`expected ${e.expected}`);
  if (e.found !== undefined) ef.push(`found ${e.found}`);
  const line = `[${e.code}]${rest === '' ? '' : ` at ${rest}`}: ${e.message}${ef.length > 0 ? ` (${ef.join(', ')})` : ''}`;
  return line.replace(/\s*\n\s*/g, ' ');
}

/** Where `e` is relative to the folder `dir` (`weights.npz`, `weights.npz:w`); undefined outside it. */
function insideFolder(e: MiaError, dir: string): string | undefined {
  const prefix = dir + sep;
  const loc = e.location;
  if (loc !== undefined) {
    if (loc.file === undefined || !loc.file.startsWith(prefix)) return undefined;
    return formatLocation({ ...loc, file: loc.file.slice(prefix.length) });
  }
  // a `where` given as a string (its producer does not give the parts): cut as text
  const where = e.where ?? '';
  return where.startsWith(prefix) ? where.slice(prefix.length) : undefined;
}

/** Where `e` is inside the file `file`: `2:1`, `logits_train`, '' for the file itself, else all of it. */
function withinFile(e: MiaError, file: string): string {
  const loc = e.location;
  if (loc !== undefined) {
    if (loc.file !== file) return e.where ?? '';
    const { file: _, ...inner }: ErrorLocation = loc;
    return formatLocation(inner);
  }
  // a `where` given as a string (report/run-dir.ts's `file:key`, zod's `file:a.b[0]`): cut as text
  const where = e.where ?? '';
  return where.startsWith(file) ? where.slice(file.length).replace(/^:/, '') : where;
}
