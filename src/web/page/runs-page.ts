/**
 * The runs page: every audit in a table (name, experiment, status, stage, progress, headline AUC and
 * TPR at 1% FPR with their intervals, started, duration), filtered by status and experiment, kept
 * current by the server's all-runs event stream (GET /api/v1/events).
 */
import type { AuditRow, RunsEvent } from '../../service/api-schemas.js';
import { follow } from './api.js';
import { h, labelled, replace } from './dom.js';
import { aucText, between, duration, tprText, when } from './format.js';

const STATUSES = ['queued', 'running', 'succeeded', 'failed', 'cancelled'];

export function runsPage(root: HTMLElement, signal: AbortSignal): void {
  const rows = new Map<string, AuditRow>();
  const status = h('select', { id: 'filter-status' }, h('option', { value: '' }, 'any'));
  for (const s of STATUSES) status.append(h('option', { value: s }, s));
  const experiment = h('select', { id: 'filter-experiment' }, h('option', { value: '' }, 'any'));
  const body = h('tbody');
  const count = h('p', { class: 'note', role: 'status', 'aria-live': 'polite' }, 'Connecting…');
  const table = h(
    'table',
    { class: 'runs', id: 'runs-table' },
    h('caption', { class: 'visually-hidden' }, 'Audits, newest first'),
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        ...[
          'Name',
          'Experiment',
          'Status',
          'Stage',
          'Progress',
          'AUC [95% CI]',
          'TPR at 1% FPR [95% CI]',
          'Started',
          'Duration',
        ].map((t) => h('th', { scope: 'col' }, t)),
      ),
    ),
    body,
  );
  replace(
    root,
    h('h1', {}, 'Runs'),
    h('div', { class: 'filters' }, labelled('Status', status), labelled('Experiment', experiment)),
    count,
    h('div', { class: 'table-wrap' }, table),
  );

  const render = () => {
    const exps = [
      ...new Set([...rows.values()].flatMap((r) => (r.experiment === null ? [] : [r.experiment]))),
    ].sort();
    const chosen = experiment.value;
    replace(experiment, h('option', { value: '' }, 'any'), ...exps.map((e) => h('option', { value: e }, e)));
    experiment.value = exps.includes(chosen) ? chosen : '';
    const shown = [...rows.values()]
      .filter(
        (r) =>
          (status.value === '' || r.status === status.value) &&
          (experiment.value === '' || r.experiment === experiment.value),
      )
      .sort((a, b) => b.createdAt.localeCompare(a.createdAt) || a.id.localeCompare(b.id));
    replace(body, ...shown.map(rowOf));
    count.textContent = `${shown.length} of ${rows.size} audits`;
  };
  status.addEventListener('change', render);
  experiment.addEventListener('change', render);

  void follow(
    '/api/v1/events',
    (_kind, data) => {
      const e = data as RunsEvent;
      if (e.kind === 'audit') rows.set(e.audit.id, e.audit);
      else rows.delete(e.id);
      render();
    },
    signal,
  ).catch((e: Error) => {
    count.textContent = `The runs cannot be followed: ${e.message}`;
  });
  render();
}

function rowOf(r: AuditRow): HTMLTableRowElement {
  const p = r.progress;
  const bar =
    p.total > 0
      ? h('progress', {
          max: p.total,
          value: p.done,
          'aria-label': `${r.name}: step ${p.done} of ${p.total}`,
        })
      : null;
  const hl = r.headline;
  return h(
    'tr',
    { 'data-id': r.id, 'data-status': r.status },
    h('td', {}, h('a', { href: `#/run/${r.id}` }, r.name)),
    h(
      'td',
      {},
      r.experiment === null
        ? '–'
        : h('a', { href: `#/compare/${encodeURIComponent(r.experiment)}` }, r.experiment),
    ),
    h('td', {}, h('span', { class: `status status-${r.status}` }, r.status)),
    h('td', {}, r.stage ?? '–'),
    h('td', {}, bar, p.total > 0 ? ` ${p.done}/${p.total}` : '–'),
    h('td', { class: 'num' }, hl === null ? '–' : aucText(hl.auc, hl.aucInterval)),
    h('td', { class: 'num' }, hl?.tprAt1 == null ? '–' : tprText(hl.tprAt1)),
    h('td', {}, when(r.startedAt)),
    h('td', { class: 'num' }, r.startedAt === null ? '–' : duration(between(r.startedAt, r.finishedAt))),
  );
}
