/**
 * The comparison of an experiment's runs: pick runs → their ROC curves overlaid (linear and log-log, the
 * report's own chart drawn by the server), the metrics side by side with intervals, and "A leaks more
 * than B" only where the difference exceeds the noise (the case-study rule; the server decides).
 */
import type { ComparedRun, ExperimentComparison } from '../../service/api-schemas.js';
import { json } from './api.js';
import { h, replace } from './dom.js';
import { aucText, f3, tprText } from './format.js';

const url = (exp: string, runs?: string[]) =>
  `/api/v1/experiments/${encodeURIComponent(exp)}/compare${runs === undefined ? '' : `?runs=${runs.join(',')}`}`;

export function comparePage(root: HTMLElement, signal: AbortSignal, experiment: string): void {
  const picks = h('fieldset', { id: 'compare-picks' }, h('legend', {}, 'Runs to compare'));
  const go = h('button', { id: 'compare-go', type: 'button', class: 'primary' }, 'Compare');
  const out = h('div', { id: 'compare-output', 'aria-live': 'polite' });
  replace(root, h('h1', {}, `Compare runs of experiment ${experiment}`), picks, go, out);
  const boxes: HTMLInputElement[] = [];

  const show = (c: ExperimentComparison) => {
    const fprs = [...new Set(c.runs.flatMap((r) => r.metrics?.tprAtFpr.map((t) => t.fpr) ?? []))].sort(
      (a, b) => Number(a) - Number(b),
    );
    const chart = h('figure', { id: 'compare-roc', class: 'chart' });
    if (c.rocSvg !== null) {
      // our own SVG writer's output (no scripts; the page's policy would block any)
      chart.innerHTML = c.rocSvg;
      chart.append(
        h(
          'figcaption',
          { class: 'note' },
          'ROC of each run’s strongest attack: linear axes left, log-log right.',
        ),
      );
    } else chart.append(h('p', { class: 'note' }, 'No run has scores to draw.'));
    const table = h(
      'table',
      { id: 'compare-table', class: 'runs' },
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          ...[
            'Run',
            'Status',
            'Attack',
            'AUC [95% CI]',
            'Advantage',
            ...fprs.map((f) => `TPR at ${Number(f) * 100}% FPR [95% CI]`),
            'ε lower bound',
          ].map((t) => h('th', { scope: 'col' }, t)),
        ),
      ),
      h('tbody', {}, ...c.runs.map((r) => rowOf(r, fprs))),
    );
    replace(
      out,
      h('h2', {}, 'Which leaks more'),
      h(
        'ul',
        { id: 'compare-verdicts' },
        ...c.verdicts.map((v) => h('li', { class: 'verdict' }, v.sentence)),
        ...c.equal.map((v) => h('li', { class: 'equal' }, v.sentence)),
      ),
      c.verdicts.length + c.equal.length === 0
        ? h('p', { class: 'note' }, 'Pick two runs with results to compare them.')
        : null,
      h(
        'p',
        { class: 'note' },
        'A run leaks more than another only where the AUC difference exceeds two standard errors of the noise (and 0.005); otherwise they leak about equally.',
      ),
      h('h2', {}, 'ROC curves'),
      chart,
      h('h2', {}, 'Metrics'),
      h('div', { class: 'table-wrap' }, table),
    );
  };
  const load = async (runs?: string[]) => {
    out.setAttribute('aria-busy', 'true');
    try {
      show(await json<ExperimentComparison>(url(experiment, runs), { signal }));
    } catch (e) {
      if (!signal.aborted) replace(out, h('p', { class: 'error' }, (e as Error).message));
    } finally {
      out.removeAttribute('aria-busy');
    }
  };
  go.addEventListener('click', () => void load(boxes.filter((b) => b.checked).map((b) => b.value)));

  void (async () => {
    try {
      const all = await json<ExperimentComparison>(url(experiment), { signal });
      for (const r of all.runs) {
        const box = h('input', {
          type: 'checkbox',
          value: r.id,
          checked: r.metrics !== null,
          id: `pick-${r.id}`,
        });
        boxes.push(box);
        picks.append(h('label', { class: 'pick' }, box, ` ${r.name} (${r.status})`));
      }
      show(all);
    } catch (e) {
      if (!signal.aborted) replace(out, h('p', { class: 'error' }, (e as Error).message));
    }
  })();
}

function rowOf(r: ComparedRun, fprs: string[]): HTMLTableRowElement {
  const m = r.metrics;
  const cells: (string | Node)[] =
    m === null
      ? ['–', '–', '–', ...fprs.map(() => '–'), '–']
      : [
          m.model === null ? m.attack : `${m.model} · ${m.attack}`,
          aucText(m.auc, m.aucInterval),
          f3(m.advantage),
          ...fprs.map((f) => {
            const t = m.tprAtFpr.find((x) => x.fpr === f);
            return t === undefined ? '–' : tprText(t);
          }),
          m.epsilonLowerBound === null ? '∞' : f3(m.epsilonLowerBound),
        ];
  return h(
    'tr',
    { 'data-id': r.id },
    h('th', { scope: 'row' }, h('a', { href: `#/run/${r.id}` }, r.name)),
    h('td', {}, r.status),
    ...cells.map((c) => h('td', { class: 'num' }, c)),
  );
}
