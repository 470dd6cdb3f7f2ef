import { isMiaError } from '../errors.js';
import { describeFsError } from '../io/atomic.js';

/**
 * Why a run-directory file could not be read, in a few words: the MiaError's message (`not a valid zip
 * archive: …`, `invalid JSON: …`) or the fs error's code; for the progress line `<file>: unreadable
 * (<why>); …` that a rerun prints before computing the file again.
 */
export function unreadableReason(e: unknown): string {
  if (isMiaError(e)) return e.message;
  if (e !== null && typeof e === 'object' && 'code' in e) return describeFsError(e);
  return e instanceof Error ? e.message : String(e);
}
