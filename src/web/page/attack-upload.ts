/**
 * The submit page's attack-only run (POST /api/v1/attacks, `mia attack --input` on the server): pick a
 * .npz / .csv / .json of one model's outputs (TF Privacy's keys), optionally the attacks, slices and
 * seed, upload it as the request body, and read the answer as a table — per attack on the entire
 * dataset, its AUC and TPR at 1% FPR with their 95% intervals — with the full results as a download. A
 * refused upload shows the server's one-line error (where, code, message) in place. Admin tokens only.
 */
import type { AttackResponse } from '../../service/api-schemas.js';
import { ApiFailure, json, saveBlob } from './api.js';
import { h, labelled, replace } from './dom.js';
import { aucText, errorText, tprText } from './format.js';

type Result = AttackResponse['results'][number];

/** The query of the upload: the file's name (its extension tells the format) and the optional fields. */
export function attackQuery(file: string, attacks: string, slices: string, seed: string): string {
  const q = new URLSearchParams({ file });
  const list = (s: string) =>
    s
      .split(',')
      .map((x) => x.trim())
      .filter((x) => x !== '')
      .join(',');
  if (list(attacks) !== '') q.set('attacks', list(attacks));
  if (list(slices) !== '') q.set('slices', list(slices));
  if (seed.trim() !== '') q.set('seed', seed.trim());
  return q.toString();
}

function resultRow(r: Result): HTMLTableRowElement {
  const t = r.tprAtFpr['0.01'];
  return h(
    'tr',
    { 'data-attack': r.attack },
    h('th', { scope: 'row' }, r.attack),
    h('td', {}, r.signal),
    h('td', { class: 'num' }, `${r.nMembers} / ${r.nNonMembers}`),
    h('td', { class: 'num' }, aucText(r.auc, r.aucInterval ?? null)),
    h('td', { class: 'num' }, t === undefined ? '–' : tprText(t)),
  );
}

function resultsView(a: AttackResponse): HTMLElement[] {
  const entire = a.results.filter((r) => r.slice.feature === 'entire_dataset');
  const rest = a.results.length - entire.length;
  const table = h(
    'table',
    { id: 'attack-table', class: 'runs' },
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        ...['Attack', 'Signal', 'Members / non-members', 'AUC [95%]', 'TPR at 1% FPR [95%]'].map((c) =>
          h('th', { scope: 'col' }, c),
        ),
      ),
    ),
    h('tbody', {}, ...entire.map(resultRow)),
  );
  const download = h(
    'button',
    {
      type: 'button',
      id: 'attack-download',
      class: 'link',
      onClick: () =>
        saveBlob(
          new Blob([`${JSON.stringify(a, null, 2)}\n`], { type: 'application/json' }),
          `${a.input.file.replace(/\.[^.]*$/, '')}-results.json`,
        ),
    },
    'Download all results (JSON)',
  );
  return [
    h(
      'p',
      { id: 'attack-input', class: 'ok' },
      `${a.input.file}: ${a.input.members} members, ${a.input.nonMembers} non-members, ${a.input.classes} classes.`,
    ),
    ...a.input.notes.map((n) => h('p', { class: 'note' }, n)),
    h('div', { class: 'table-wrap' }, table),
    h(
      'p',
      { class: 'note' },
      rest === 0 ? '' : `The entire dataset; ${rest} results on slices are in the JSON. `,
      download,
    ),
  ];
}

/** The upload section (its own status and results), for the submit page of an admin token. */
export function attackUpload(signal: AbortSignal): HTMLElement {
  const file = h('input', { id: 'attack-file', type: 'file', accept: '.npz,.csv,.json' });
  const attacks = h('input', { id: 'attack-attacks', placeholder: 'mia attack’s defaults' });
  const slices = h('input', { id: 'attack-slices', placeholder: 'all' });
  const seed = h('input', { id: 'attack-seed', inputmode: 'numeric', placeholder: '0' });
  const run = h('button', { id: 'attack-run', type: 'button', class: 'primary' }, 'Run the attacks');
  const out = h('div', { id: 'attack-result', role: 'status', 'aria-live': 'polite' });
  run.addEventListener('click', async () => {
    const picked = file.files?.[0];
    if (picked === undefined) {
      replace(out, h('p', { class: 'error' }, 'Pick a .npz, .csv or .json file of model outputs first.'));
      return;
    }
    run.disabled = true;
    replace(out, h('p', { class: 'note' }, `Running the attacks on ${picked.name}…`));
    try {
      const q = attackQuery(picked.name, attacks.value, slices.value, seed.value);
      const a = await json<AttackResponse>(`/api/v1/attacks?${q}`, {
        method: 'POST',
        headers: { 'content-type': 'application/octet-stream' },
        body: picked,
        signal,
      });
      if (!signal.aborted) replace(out, ...resultsView(a));
    } catch (e) {
      if (signal.aborted) return;
      replace(
        out,
        h(
          'p',
          { class: 'error attack-error' },
          e instanceof ApiFailure ? errorText(e.body, picked.name) : String(e),
        ),
      );
    } finally {
      run.disabled = false;
    }
  });
  return h(
    'section',
    { class: 'attack-upload', 'aria-labelledby': 'attack-upload-title' },
    h('h2', { id: 'attack-upload-title' }, 'Attack-only run: upload model outputs'),
    h(
      'p',
      { class: 'note' },
      'One model’s outputs as `mia attack --input` reads them: a .npz, .csv or .json with logits_train, ' +
        'labels_train, logits_test, labels_test (docs/service.md). The attacks run now; nothing is queued.',
    ),
    labelled('Outputs file', file),
    h(
      'div',
      { class: 'filters' },
      labelled('Attacks, comma-separated', attacks),
      labelled('Slices, comma-separated', slices),
      labelled('Seed', seed),
    ),
    run,
    out,
  );
}
