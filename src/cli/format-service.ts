/** How the service commands print an audit and its events (mia runs, mia status, mia logs, mia submit). */
import type { AuditEventView, AuditView } from '../service/api-schemas.js';

/** One line: id, status, stage, progress, name, created. */
export function auditLine(a: AuditView): string {
  const progress = a.progress.total > 0 ? ` ${a.progress.done}/${a.progress.total}` : '';
  const stage = a.stage !== null && a.status === 'running' ? ` (${a.stage}${progress})` : '';
  return `${a.id}  ${a.status}${stage}  ${a.name}${a.experiment !== null ? ` [${a.experiment}]` : ''}  ${a.createdAt}`;
}

/** The line of an event for a terminal: log lines as they are, the others tagged. */
export function eventLine(e: AuditEventView): string {
  if (e.kind === 'log') return String(e.data);
  if (e.kind === 'stage') return `-- stage ${String(e.data)}`;
  if (e.kind === 'progress') {
    const p = e.data as { done: number; total: number };
    return `-- progress ${p.done}/${p.total}`;
  }
  const s = e.data as { status: string; error?: string };
  return `-- ${s.status}${s.error !== undefined ? `: ${s.error}` : ''}`;
}
