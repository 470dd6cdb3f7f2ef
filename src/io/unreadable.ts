/**
 * Why a file could not be read, in one line: for the progress line `<file>: unreadable (<why>); …` a
 * rerun prints before computing the file again (audit/), a damaged cached model (models/cache.ts) and
 * the report's list of unreadable run-directory files (report/run-dir.ts).
 */
import { sep } from 'node:path';
import { isMiaError } from '../errors.js';
import { describeFsError } from './atomic.js';

export interface UnreadableOptions {
  /** The file or folder read: a MiaError located inside it is said relative to it. */
  path?: string;
  /**
   * `message` (default): the MiaError's message (`not a valid zip archive: …`), prefixed with the file
   * relative to a folder `path` when the error names one (`weights.npz: …`), or the fs error's code in
   * words. `full`: `[E_CODE] at <where>: message (expected …, found …)`, where relative to `path`.
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
  const where = e.where ?? '';
  if (detail === 'message') {
    const inside = path !== undefined && where.startsWith(path + sep);
    return `${inside ? `${where.slice(path.length + sep.length)}: ` : ''}${e.message}`;
  }
  const rest =
    path !== undefined && where.startsWith(path) ? where.slice(path.length).replace(/^:/, '') : where;
  const ef: string[] = [];
  if (e.expected !== undefined) ef.push(`expected ${e.expected}`);
  if (e.found !== undefined) ef.push(`found ${e.found}`);
  const line = `[${e.code}]${rest === '' ? '' : ` at ${rest}`}: ${e.message}${ef.length > 0 ? ` (${ef.join(', ')})` : ''}`;
  return line.replace(/\s*\n\s*/g, ' ');
}
