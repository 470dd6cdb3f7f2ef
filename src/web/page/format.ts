/** How the web UI writes numbers, intervals and times. */
import type { ApiError } from '../../service/api-schemas.js';

export const f3 = (x: number): string => x.toFixed(3);
export const pct = (x: number): string => `${(100 * x).toFixed(1)}%`;

/** "12.0% [4.1–20.3]" of a TPR with its interval. */
export const tprText = (t: { tpr: number; low: number; high: number }): string =>
  `${pct(t.tpr)} [${(100 * t.low).toFixed(1)}–${(100 * t.high).toFixed(1)}]`;

/** "0.612 [0.551–0.673]" of an AUC with its interval (the AUC alone when it has none). */
export const aucText = (auc: number, i: { low: number; high: number } | null): string =>
  i === null ? f3(auc) : `${f3(auc)} [${f3(i.low)}–${f3(i.high)}]`;

/** "2 min 5 s", "850 ms" from seconds. */
export function duration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '–';
  if (seconds < 1) return `${Math.round(seconds * 1000)} ms`;
  if (seconds < 60) return `${seconds.toFixed(seconds < 10 ? 1 : 0)} s`;
  const m = Math.floor(seconds / 60);
  if (m < 60) return `${m} min ${Math.round(seconds - 60 * m)} s`;
  return `${Math.floor(m / 60)} h ${m % 60} min`;
}

/** A stored time as the reader's local date and time, to the second. */
export const when = (iso: string | null): string =>
  iso === null ? '–' : new Date(iso).toLocaleString(undefined, { hour12: false });

/** Seconds from `a` to `b` (now when b is null). */
export const between = (a: string | null, b: string | null): number =>
  a === null ? Number.NaN : ((b === null ? Date.now() : Date.parse(b)) - Date.parse(a)) / 1000;

/** Where an API error points: `file:line:column` (the file defaulting to `file`), or its path. */
export function whereText(w: ApiError['error']['where'], file: string): string {
  if (w?.line !== undefined)
    return `${w.file ?? file}:${w.line}${w.column === undefined ? '' : `:${w.column}`}`;
  return w?.path ?? w?.file ?? '';
}

/** " (expected …, found …)" of an API error, or ''. */
export function expectedFound(e: ApiError['error']): string {
  const more = [e.expected && `expected ${e.expected}`, e.found && `found ${e.found}`]
    .filter(Boolean)
    .join(', ');
  return more === '' ? '' : ` (${more})`;
}

/** An API error as one line: `where CODE: message (expected …, found …)`. */
export function errorText(e: ApiError['error'], file: string): string {
  const at = whereText(e.where, file);
  return `${at === '' ? '' : `${at} `}${e.code}: ${e.message}${expectedFound(e)}`;
}
