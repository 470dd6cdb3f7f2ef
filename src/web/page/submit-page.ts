/**
 * The submit page: a YAML editor seeded with the quickstart (and a picker of the shipped configs), the
 * server's validation shown inline at line:column as the person types (debounced), a form for the
 * common keys that writes into the YAML (comments kept: yaml's Document API), and submit.
 */
import { isMap, isScalar, parseDocument } from 'yaml';
import type { ShippedConfigs, ValidateResponse } from '../../service/api-schemas.js';
import { ApiFailure, json, post } from './api.js';
import { attackUpload } from './attack-upload.js';
import { h, labelled, replace } from './dom.js';
import { expectedFound, whereText } from './format.js';

/** The form's keys: label, path in the YAML, how a value is written. */
const KEYS: { id: string; label: string; path: string[]; kind: 'text' | 'int' | 'list' }[] = [
  { id: 'key-dataset', label: 'Dataset (data.dataset)', path: ['data', 'dataset'], kind: 'text' },
  {
    id: 'key-architecture',
    label: 'Architecture (target.architecture.name)',
    path: ['target', 'architecture', 'name'],
    kind: 'text',
  },
  { id: 'key-epochs', label: 'Epochs (target.epochs)', path: ['target', 'epochs'], kind: 'int' },
  {
    id: 'key-references',
    label: 'Reference models (audit.reference_models)',
    path: ['audit', 'reference_models'],
    kind: 'int',
  },
  {
    id: 'key-attacks',
    label: 'Attacks, comma-separated (audit.attacks)',
    path: ['audit', 'attacks'],
    kind: 'list',
  },
];

const DEBOUNCE_MS = 400;

/** The value at `path` of the YAML `text` as the form shows it ('' when absent or unreadable). */
function readKey(text: string, path: string[], kind: string): string {
  const doc = parseDocument(text);
  if (doc.errors.length > 0) return '';
  // `target.architecture: conv` (a name alone) reads as the name
  let v = doc.getIn(path, true);
  if (v === undefined && path.at(-1) === 'name') {
    const parent = doc.getIn(path.slice(0, -1), true);
    if (isScalar(parent)) v = parent;
  }
  const js = isScalar(v)
    ? v.value
    : v !== undefined && typeof (v as { toJSON?: unknown }).toJSON === 'function'
      ? (v as { toJSON(): unknown }).toJSON()
      : undefined;
  if (kind === 'list' && Array.isArray(js)) return js.join(', ');
  return js === undefined || js === null || typeof js === 'object' ? '' : String(js);
}

/** `text` with `path` set to the form's `value` (removed when empty); comments and order kept. */
export function writeKey(text: string, path: string[], kind: string, value: string): string {
  const doc = parseDocument(text);
  if (doc.errors.length > 0) return text;
  const v = value.trim();
  if (path.at(-1) === 'name') {
    const parent = doc.getIn(path.slice(0, -1), true);
    if (parent !== undefined && !isMap(parent)) doc.setIn(path.slice(0, -1), doc.createNode({ name: v }));
  }
  if (v === '') doc.deleteIn(path);
  else if (kind === 'int' && /^\d+$/.test(v)) doc.setIn(path, Number(v));
  else if (kind === 'list')
    doc.setIn(
      path,
      doc.createNode(
        v
          .split(',')
          .map((s) => s.trim())
          .filter((s) => s !== ''),
      ),
    );
  else doc.setIn(path, v);
  return doc.toString();
}

/** The offset of 1-based `line`:`column` in `text`. */
const offsetOf = (text: string, line: number, column: number) => {
  const lines = text.split('\n').slice(0, line - 1);
  return lines.reduce((n, l) => n + l.length + 1, 0) + Math.max(0, column - 1);
};

export function submitPage(root: HTMLElement, signal: AbortSignal, canWrite: boolean): void {
  const picker = h('select', { id: 'config-picker' });
  const editor = h('textarea', {
    id: 'config-editor',
    rows: 28,
    spellcheck: 'false',
    'aria-describedby': 'config-errors',
    autocomplete: 'off',
  });
  const errors = h('div', { id: 'config-errors', role: 'status', 'aria-live': 'polite' });
  const file = h('input', { id: 'config-file', value: 'config.yaml' });
  const name = h('input', { id: 'audit-name', placeholder: 'from the file name' });
  const experiment = h('input', { id: 'audit-experiment', placeholder: 'none' });
  const result = h('p', { id: 'submit-result', role: 'status', 'aria-live': 'polite' });
  const inputs = KEYS.map((k) => ({
    ...k,
    input: h('input', { id: k.id, inputmode: k.kind === 'int' ? 'numeric' : 'text' }),
  }));
  const submit = h('button', { id: 'submit-audit', type: 'button', class: 'primary' }, 'Submit audit');

  const syncForm = () => {
    for (const k of inputs)
      if (document.activeElement !== k.input) k.input.value = readKey(editor.value, k.path, k.kind);
  };
  let timer: ReturnType<typeof setTimeout> | undefined;
  let asked = 0;
  const validate = async () => {
    const mine = ++asked;
    try {
      const v = await post<ValidateResponse>('/api/v1/configs/validate', {
        config: editor.value,
        file: file.value || 'config.yaml',
      });
      if (mine !== asked || signal.aborted) return;
      replace(
        errors,
        ...(v.valid ? [h('p', { class: 'ok' }, 'The config is valid.')] : v.errors.map(errorLine)),
      );
    } catch (e) {
      if (mine === asked) replace(errors, h('p', { class: 'error' }, (e as Error).message));
    }
  };
  const errorLine = (e: ValidateResponse['errors'][number]) => {
    const w = e.where;
    const at = whereText(w, file.value);
    const go =
      w?.line !== undefined
        ? h(
            'button',
            {
              type: 'button',
              class: 'link',
              onClick: () => {
                const o = offsetOf(editor.value, w.line!, w.column ?? 1);
                editor.focus();
                editor.setSelectionRange(o, o);
              },
            },
            'go to',
          )
        : null;
    return h(
      'p',
      { class: 'error config-error' },
      h('code', { class: 'where' }, at),
      ` ${e.code}: ${e.message}${expectedFound(e)} `,
      go,
    );
  };
  const changed = () => {
    syncForm();
    clearTimeout(timer);
    timer = setTimeout(() => void validate(), DEBOUNCE_MS);
  };
  editor.addEventListener('input', changed);
  file.addEventListener('input', changed);
  for (const k of inputs) {
    k.input.addEventListener('change', () => {
      editor.value = writeKey(editor.value, k.path, k.kind, k.input.value);
      changed();
    });
  }
  picker.addEventListener('change', () => {
    const c = shipped.find((x) => x.name === picker.value);
    if (c === undefined) return;
    editor.value = c.text;
    file.value = c.name;
    changed();
  });
  submit.addEventListener('click', async () => {
    submit.disabled = true;
    result.textContent = 'Submitting…';
    try {
      const body = {
        config: editor.value,
        file: file.value || 'config.yaml',
        ...(name.value.trim() !== '' ? { name: name.value.trim() } : {}),
        ...(experiment.value.trim() !== '' ? { experiment: experiment.value.trim() } : {}),
      };
      const r = await post<{ id: string }>('/api/v1/audits', body);
      location.hash = `#/run/${r.id}`;
    } catch (e) {
      result.textContent = e instanceof ApiFailure ? `Not submitted: ${e.message}` : String(e);
      if (e instanceof ApiFailure) replace(errors, errorLine(e.body));
    } finally {
      submit.disabled = false;
    }
  });

  let shipped: ShippedConfigs['configs'] = [];
  replace(
    root,
    h('h1', {}, 'Submit an audit'),
    h(
      'div',
      { class: 'submit-grid' },
      h(
        'section',
        { class: 'editor' },
        h(
          'div',
          { class: 'filters' },
          labelled('Start from a shipped config', picker),
          labelled('File name (errors name it)', file),
        ),
        h('label', { for: 'config-editor', class: 'label' }, 'Config (YAML, configs/README.md)'),
        editor,
        errors,
      ),
      h(
        'section',
        { class: 'common-keys', 'aria-labelledby': 'common-keys-title' },
        h('h2', { id: 'common-keys-title' }, 'Common keys'),
        h('p', { class: 'note' }, 'A change here is written into the YAML; everything else is edited there.'),
        ...inputs.map((k) => labelled(k.label, k.input)),
        h('h2', {}, 'The run'),
        labelled('Name', name),
        labelled('Experiment (runs of one experiment are compared)', experiment),
        canWrite
          ? submit
          : h('p', { class: 'note' }, 'This token is read-only: it can check a config but not submit it.'),
        result,
      ),
    ),
    canWrite ? attackUpload(signal) : null,
  );
  void json<ShippedConfigs>('/api/v1/configs').then((c) => {
    shipped = c.configs;
    replace(picker, ...shipped.map((x) => h('option', { value: x.name }, x.name)));
    const first = shipped[0];
    if (first !== undefined && editor.value === '') {
      editor.value = first.text;
      file.value = first.name;
      changed();
    }
  });
}
