import { extname } from 'node:path';
import { type ErrorLocation, isMiaError, MiaError } from '../errors.js';
import { readFileOrThrow } from '../io/atomic.js';
import { parseCsv } from '../io/csv.js';
import { parseJsonText } from '../io/json.js';
import { type NpyArray, toFloat64, toInt32 } from '../io/npy.js';
import { parseNpz, readNpz } from '../io/npz.js';
import { type AttackInput, attackInputFromArrays, type RawArray } from './attack-input.js';
import { LOSS_ROUNDING } from './model-outputs.js';

/**
 * Reads an attack input (TF Privacy's AttackInputData) from a file, by extension:
 * - `.npz` — arrays named logits_train, logits_test, probs_train, probs_test, loss_train, loss_test,
 *   labels_train, labels_test (np.savez / np.savez_compressed);
 * - `.json` — an object with the same keys, each a list (1-d) or a list of lists (2-d);
 * - `.csv` — one row per sample with a column `split` (`train` = member, `test` = non-member), a
 *   column `label`, optionally `loss`, and either `logits_0 … logits_{c−1}` or `probs_0 … probs_{c−1}`.
 */
export function loadAttackInput(path: string): AttackInput {
  switch (formatOf(path)) {
    case '.npz':
      return attackInputFromArrays(npzArrays(readNpz(path), path), path);
    case '.json':
      return attackInputFromArrays(jsonArrays(textOf(readFileOrThrow(path)), path), path);
    default:
      return attackInputFromArrays(csvArrays(textOf(readFileOrThrow(path)), path), path);
  }
}

/**
 * The attack input in `bytes`, a file called `name` (an upload: its name tells the format and every
 * error names it, as {@link loadAttackInput}'s name the path). The same formats, checks and errors.
 */
export function attackInputFromBytes(bytes: Uint8Array, name: string): AttackInput {
  switch (formatOf(name)) {
    case '.npz':
      return attackInputFromArrays(npzArrays(parseNpz(bytes, name), name), name);
    case '.json':
      return attackInputFromArrays(jsonArrays(textOf(bytes), name), name);
    default:
      return attackInputFromArrays(csvArrays(textOf(bytes), name), name);
  }
}

const textOf = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

/** The format of a file by its extension, or E_USAGE. */
function formatOf(path: string): '.npz' | '.json' | '.csv' {
  const ext = extname(path).toLowerCase();
  if (ext === '.npz' || ext === '.json' || ext === '.csv') return ext;
  throw new MiaError('E_USAGE', `cannot tell the format of '${path}'`, {
    where: path,
    expected: 'a .npz, .json or .csv file',
  });
}

function npzArrays(entries: Map<string, NpyArray>, path: string): Map<string, RawArray> {
  const out = new Map<string, RawArray>();
  for (const [key, arr] of entries) {
    const where = { file: path, key };
    let data: RawArray['data'];
    if (key.startsWith('labels')) data = npzLabels(arr, where);
    else if (arr.data instanceof Float32Array || arr.data instanceof Float64Array) data = arr.data;
    else data = toFloat64(arr, where);
    out.set(key, { data, shape: arr.shape });
  }
  return out;
}

/**
 * Labels are class indices: an integer dtype (TF Privacy requires one too). A bool array is refused (it
 * is a membership mask or a binary flag saved by mistake, and would read as classes 0/1); float arrays
 * are accepted when every value is an integer (labels saved as 3.0), as JSON and CSV labels are.
 */
function npzLabels(arr: NpyArray, where: ErrorLocation): Int32Array {
  if (arr.dtype === 'bool') {
    throw new MiaError('E_NPY_DTYPE', 'labels must be integer class indices, not a bool array', {
      where,
      expected: 'an integer dtype (int64, int32, uint8, …)',
      found: 'dtype bool',
    });
  }
  if (arr.data instanceof Float32Array || arr.data instanceof Float64Array) {
    const d = arr.data;
    for (let i = 0; i < d.length; i++) {
      if (!Number.isInteger(d[i]!)) {
        throw new MiaError('E_NPY_DTYPE', `labels must be integer class indices; entry ${i} is ${d[i]}`, {
          where,
          expected: 'an integer dtype (or floats with integer values)',
          found: `dtype ${arr.dtype}`,
        });
      }
    }
  }
  return toInt32(arr, where);
}

function jsonArrays(text: string, path: string): Map<string, RawArray> {
  const value = parseJsonOrNonFinite(text, path);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new MiaError('E_JSON', 'expected a JSON object whose keys are TF Privacy array names', {
      where: path,
    });
  }
  const out = new Map<string, RawArray>();
  for (const [key, v] of Object.entries(value)) {
    const where = `${path}:${key}`;
    if (!Array.isArray(v)) throw new MiaError('E_JSON', 'expected an array', { where });
    if (v.length > 0 && Array.isArray(v[0])) {
      const rows = v as unknown[];
      const c = (rows[0] as unknown[]).length;
      const data = new Float64Array(rows.length * c);
      rows.forEach((row, i) => {
        if (!Array.isArray(row) || row.length !== c) {
          throw new MiaError(
            'E_SHAPE_MISMATCH',
            `row ${i} has ${Array.isArray(row) ? row.length : 'no'} entries`,
            {
              where,
              expected: `${c} entries per row`,
            },
          );
        }
        row.forEach((x, k) => {
          data[i * c + k] = jsonNumber(x, `${where}[${i}][${k}]`);
        });
      });
      out.set(key, { data, shape: [rows.length, c] });
    } else {
      const data = new Float64Array(v.length);
      v.forEach((x, i) => {
        data[i] = jsonNumber(x, `${where}[${i}]`);
      });
      out.set(key, { data, shape: [v.length] });
    }
  }
  return out;
}

/**
 * parseJsonText, except that a bare NaN, Infinity or -Infinity (what Python's json.dump writes for
 * non-finite floats) is reported as such, with the key it appears under, rather than as a syntax error.
 */
function parseJsonOrNonFinite(text: string, path: string): unknown {
  try {
    return parseJsonText(text, path);
  } catch (e) {
    const where = isMiaError(e) ? e.location : undefined;
    if (where?.line === undefined || where.column === undefined) throw e;
    const { line, column } = where;
    let offset = text.charCodeAt(0) === 0xfeff ? 1 : 0;
    for (let l = 1; l < line; l++) offset = text.indexOf('\n', offset) + 1;
    offset += column - 1;
    if (text[offset - 1] === '-') offset--;
    const token = /^-?(?:NaN|Infinity)/.exec(text.slice(offset, offset + 9))?.[0];
    if (token === undefined) throw e;
    let key: string | undefined;
    const keyRe = /"((?:[^"\\]|\\.)*)"\s*:/g;
    const before = text.slice(0, offset);
    for (let m = keyRe.exec(before); m !== null; m = keyRe.exec(before)) key = m[1];
    throw new MiaError(
      'E_NOT_FINITE',
      `${key !== undefined ? `${key} holds ` : ''}${token} (Python's json writes it for a non-finite float), ` +
        'which is not JSON and not allowed: the values must be finite numbers',
      { where },
    );
  }
}

function jsonNumber(x: unknown, where: string): number {
  if (typeof x === 'number') return x;
  // JSON has no NaN/Infinity; accept the strings Python's json module would need, so they are then
  // rejected by validation with a precise message rather than here as "not a number".
  if (x === 'NaN' || x === 'Infinity' || x === '-Infinity') return Number(x);
  throw new MiaError('E_JSON', `expected a number, found ${JSON.stringify(x)}`, { where });
}

/** A decimal number as a CSV cell holds it: optional sign, digits with an optional point, optional exponent. */
const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

function csvArrays(text: string, path: string): Map<string, RawArray> {
  const { header, rows, lineOf } = parseCsv(text, path);
  const col = (name: string) => header.indexOf(name);
  const split = col('split');
  const label = col('label') >= 0 ? col('label') : col('labels');
  if (split < 0 || label < 0) {
    throw new MiaError('E_CSV', `missing column '${split < 0 ? 'split' : 'label'}'`, {
      where: { file: path, line: 1 },
      expected: 'columns split, label, [loss], logits_0..logits_{c-1} or probs_0..probs_{c-1}',
    });
  }
  const loss = col('loss');
  // logits_<k> and probs_<k> columns; both kinds are read when both are there (attackInputFromArrays
  // then refuses them when they disagree beyond rounding, and notes that the logits are used)
  const kinds = (['logits', 'probs'] as const).filter((k) => header.some((h) => h.startsWith(`${k}_`)));
  if (kinds.length === 0) {
    throw new MiaError('E_CSV', 'no logits_0… or probs_0… columns', { where: { file: path, line: 1 } });
  }
  const columns = kinds.map((kind) => ({ kind, cols: classColumns(header, kind, path) }));
  const c = columns[0]!.cols.length;
  if (c === 0) {
    throw new MiaError('E_CSV', 'no logits_0… or probs_0… columns', { where: { file: path, line: 1 } });
  }
  for (const { kind, cols } of columns) {
    if (cols.length !== c) {
      throw new MiaError(
        'E_CSV',
        `there are ${c} ${columns[0]!.kind} columns but ${cols.length} ${kind} columns; both need one per class`,
        { where: { file: path, line: 1 } },
      );
    }
  }
  const kind = columns.map((k) => k.kind).join(' and ');
  const parts = { train: [] as number[], test: [] as number[] };
  rows.forEach((row, r) => {
    const s = row[split]!.trim().toLowerCase();
    if (s !== 'train' && s !== 'test') {
      throw new MiaError(
        'E_CSV',
        `split must be 'train' (member) or 'test' (non-member), found '${row[split]}'`,
        {
          where: { file: path, line: lineOf(r) },
        },
      );
    }
    parts[s].push(r);
  });
  // a decimal number, exactly (no 0x10, no '1e', no surrounding spaces, no empty cell); NaN and
  // ±Infinity are named at their line and column here, not later by array index
  const num = (r: number, ci: number): number => {
    const raw = rows[r]![ci]!;
    const where = { file: path, line: lineOf(r), column: ci + 1 };
    if (/^(?:[+-]?(?:nan|inf|infinity))$/i.test(raw)) {
      throw new MiaError('E_NOT_FINITE', `column '${header[ci]}' is ${raw}, not a finite number`, { where });
    }
    if (!DECIMAL.test(raw)) {
      throw new MiaError('E_CSV', `column '${header[ci]}' is not a decimal number: '${raw}'`, {
        where,
        expected: 'digits with an optional sign, point and exponent (e.g. -1.5e-3)',
      });
    }
    return Number(raw);
  };
  const csvLabel = (r: number): number => {
    const v = num(r, label);
    if (!(Number.isInteger(v) && v >= 0 && v < c)) {
      throw new MiaError(
        'E_LABEL_RANGE',
        `column '${header[label]}' must be a class index, found '${rows[r]![label]!.trim()}'`,
        {
          where: { file: path, line: lineOf(r) },
          expected: `an integer in [0, ${c}) (${c} ${kind} columns)`,
        },
      );
    }
    return v;
  };
  const out = new Map<string, RawArray>();
  for (const sfx of ['train', 'test'] as const) {
    const idx = parts[sfx];
    const n = idx.length;
    const labels = new Float64Array(n);
    const ms = columns.map(() => new Float64Array(n * c));
    const l = new Float64Array(n);
    idx.forEach((r, i) => {
      labels[i] = csvLabel(r);
      columns.forEach(({ cols }, j) => {
        for (let k = 0; k < c; k++) ms[j]![i * c + k] = num(r, cols[k]!);
      });
      if (loss >= 0) {
        l[i] = num(r, loss);
        if (l[i]! < -LOSS_ROUNDING) {
          throw new MiaError('E_VALUE', `loss ${l[i]} is negative; a cross-entropy loss is ≥ 0`, {
            where: { file: path, line: lineOf(r) },
            expected: `losses ≥ 0 (down to −${LOSS_ROUNDING.toExponential()} is taken as rounding)`,
          });
        }
      }
    });
    out.set(`labels_${sfx}`, { data: labels, shape: [n] });
    columns.forEach(({ kind: k }, j) => {
      out.set(`${k}_${sfx}`, { data: ms[j]!, shape: [n, c] });
    });
    if (loss >= 0) out.set(`loss_${sfx}`, { data: l, shape: [n] });
  }
  return out;
}

/**
 * The header indices of `kind`_0 … `kind`_{c−1}, in class order. Every `kind`_<k> column must be one of
 * them: a skipped index (logits_0, logits_1, logits_3) is E_CSV at line 1 naming the missing column.
 */
function classColumns(header: string[], kind: 'logits' | 'probs', path: string): number[] {
  const cols: number[] = [];
  for (let k = 0; header.indexOf(`${kind}_${k}`) >= 0; k++) cols.push(header.indexOf(`${kind}_${k}`));
  const numbered = header.flatMap((h) => {
    const m = new RegExp(`^${kind}_(\\d+)$`).exec(h);
    return m !== null ? [Number(m[1])] : [];
  });
  const highest = Math.max(-1, ...numbered);
  if (highest >= cols.length) {
    throw new MiaError(
      'E_CSV',
      `column '${kind}_${cols.length}' is missing (there is a ${kind}_${highest})`,
      {
        where: { file: path, line: 1 },
        expected: `columns ${kind}_0 … ${kind}_${highest} without a gap`,
      },
    );
  }
  return cols;
}
