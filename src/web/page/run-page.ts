/**
 * One run's page: status and stage, the step bar and a bar per model being trained (epoch, samples/s,
 * ETA from the progress events), the live log, cancel; once finished, its report (report.html in a
 * sandboxed iframe: scripts run, but in an opaque origin that cannot reach this page or its token) and
 * its artifacts for download.
 */
import type { TrainingProgress } from '../../core/logger.js';
import type { AuditEventView, AuditView, FileList } from '../../service/api-schemas.js';
import { ApiFailure, call, follow, json, saveBlob } from './api.js';
import { h, replace } from './dom.js';
import { between, duration, when } from './format.js';

type Training = TrainingProgress;

const FINAL = new Set(['succeeded', 'failed', 'cancelled']);
const bytes = (n: number) =>
  n < 1024 ? `${n} B` : n < 1024 ** 2 ? `${(n / 1024).toFixed(1)} KiB` : `${(n / 1024 ** 2).toFixed(1)} MiB`;

export function runPage(root: HTMLElement, signal: AbortSignal, id: string, canWrite: boolean): void {
  const status = h('span', { id: 'run-status', class: 'status' });
  const stage = h('span', { id: 'run-stage' });
  const times = h('span', { class: 'note' });
  const error = h('p', { class: 'error', id: 'run-error', hidden: true });
  const steps = h('progress', { id: 'run-progress', max: 1, value: 0, 'aria-label': 'steps done' });
  const stepsText = h('span');
  const models = h('div', { id: 'run-models', class: 'models' });
  const log = h('pre', { id: 'run-log', class: 'log', tabindex: 0, 'aria-label': 'log', 'aria-live': 'off' });
  const cancel = h('button', { id: 'cancel-run', type: 'button', hidden: true }, 'Cancel');
  const output = h('section', { id: 'run-output' });
  const title = h('h1', {}, 'Run');
  replace(
    root,
    title,
    h(
      'p',
      { class: 'run-head' },
      'Status ',
      status,
      ' · stage ',
      stage,
      ' · ',
      times,
      ' ',
      canWrite ? cancel : null,
    ),
    error,
    h('div', { class: 'steps' }, h('span', { class: 'label' }, 'Steps '), steps, ' ', stepsText),
    h('h2', {}, 'Models'),
    models,
    h('h2', {}, 'Log'),
    log,
    output,
  );
  const bars = new Map<string, HTMLElement>();
  let audit: AuditView | undefined;
  let finished = false;

  const show = (a: AuditView) => {
    audit = a;
    title.textContent = `Run ${a.name}`;
    status.textContent = a.status;
    status.className = `status status-${a.status}`;
    stage.textContent = a.stage ?? '–';
    times.textContent = `submitted ${when(a.createdAt)}${a.startedAt === null ? '' : `, ran ${duration(between(a.startedAt, a.finishedAt))}`}`;
    cancel.hidden = a.status !== 'queued' && a.status !== 'running';
    error.hidden = a.error === null;
    error.textContent = a.error ?? '';
    if (a.progress.total > 0) {
      steps.max = a.progress.total;
      steps.value = a.progress.done;
      stepsText.textContent = `${a.progress.done} of ${a.progress.total}`;
    }
  };
  const training = (t: Training) => {
    const key = t.model ?? 'model';
    let row = bars.get(key);
    if (row === undefined) {
      row = h('div', { class: 'model-row' });
      bars.set(key, row);
      models.append(row);
    }
    const done = (t.epoch - 1 + t.seen / Math.max(1, t.samples)) / Math.max(1, t.epochs);
    replace(
      row,
      h('span', { class: 'label' }, key),
      h('progress', {
        max: 1000,
        value: Math.round(1000 * done),
        'aria-label': `${key}: epoch ${t.epoch} of ${t.epochs}`,
      }),
      h(
        'span',
        { class: 'note' },
        `epoch ${t.epoch}/${t.epochs} · ${Math.round(t.samplesPerSecond)} samples/s · ETA ${duration(t.etaSeconds)}`,
      ),
    );
  };
  const onEvent = (_kind: string, data: unknown) => {
    const e = data as AuditEventView;
    if (audit === undefined) return;
    if (e.kind === 'log') {
      log.append(`${String(e.data)}\n`);
      log.scrollTop = log.scrollHeight;
    } else if (e.kind === 'stage') show({ ...audit, stage: String(e.data) });
    else if (e.kind === 'progress') {
      const p = e.data as { done: number; total: number; training?: Training };
      show({ ...audit, progress: { done: p.done, total: p.total } });
      if (p.training !== undefined) training(p.training);
    } else if (e.kind === 'status') {
      const s = e.data as { status: AuditView['status']; error?: string };
      show({ ...audit, status: s.status, error: s.error ?? null });
      if (FINAL.has(s.status)) void finish();
    }
  };
  const finish = async () => {
    if (finished) return;
    finished = true;
    const a = await json<AuditView>(`/api/v1/audits/${id}`);
    show(a);
    await outputs(output, id, a);
  };
  cancel.addEventListener('click', async () => {
    cancel.disabled = true;
    try {
      show(await json<AuditView>(`/api/v1/audits/${id}/cancel`, { method: 'POST' }));
    } catch (e) {
      error.hidden = false;
      error.textContent = (e as Error).message;
    } finally {
      cancel.disabled = false;
    }
  });

  void (async () => {
    try {
      show(await json<AuditView>(`/api/v1/audits/${id}`));
      await follow(`/api/v1/audits/${id}/events`, onEvent, signal, () => finished);
      if (!signal.aborted) await finish();
    } catch (e) {
      error.hidden = false;
      error.textContent = e instanceof ApiFailure ? e.message : String(e);
    }
  })();
}

/** The report (when there is one) and the artifacts of a finished run. */
async function outputs(el: HTMLElement, id: string, a: AuditView): Promise<void> {
  const files = (await json<FileList>(`/api/v1/audits/${id}/files`)).files;
  const list = h(
    'ul',
    { id: 'run-files', class: 'files' },
    ...files.map((f) =>
      h(
        'li',
        {},
        h(
          'button',
          {
            type: 'button',
            class: 'link',
            onClick: async () => {
              const res = await call(
                `/api/v1/audits/${id}/files/${f.path.split('/').map(encodeURIComponent).join('/')}`,
              );
              saveBlob(await res.blob(), f.path.split('/').at(-1)!);
            },
          },
          f.path,
        ),
        h('span', { class: 'note' }, ` ${bytes(f.bytes)}`),
      ),
    ),
  );
  const parts: Node[] = [];
  if (files.some((f) => f.path === 'report/report.html')) {
    const html = await (await call(`/api/v1/audits/${id}/report`)).text();
    const frame = h('iframe', {
      id: 'run-report',
      title: `report of ${a.name}`,
      sandbox: 'allow-scripts',
      class: 'report',
    });
    frame.srcdoc = html;
    parts.push(h('h2', {}, 'Report'), frame);
  } else if (a.status === 'succeeded')
    parts.push(h('p', { class: 'note' }, 'This run wrote no report (report.enabled: false).'));
  replace(
    el,
    ...parts,
    h('h2', {}, 'Artifacts'),
    files.length === 0 ? h('p', { class: 'note' }, 'No files.') : list,
  );
}
