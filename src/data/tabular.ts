/**
 * Tabular datasets in CSV (Purchase-100 / Texas-100 style): a header row, one label column and numeric
 * feature columns (one-hot columns are just numeric). The label column is the one named by the caller,
 * else the column "label" when present, else the last column. Label values are the classes: they are
 * sorted (numerically when every value is a number, else as strings) and numbered 0..k-1, and
 * `classNames` keeps the original values — so labels 0..9 stay 0..9 and Purchase-100's 1..100 become 0..99.
 */
import { existsSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { MiaError } from '../errors.js';
import { readFileOrThrow } from '../io/atomic.js';
import { type ParsedCsv, parseCsv } from '../io/csv.js';
import { checkDataset, type Dataset } from './dataset.js';

/** The CSV's training part and, when the path was a folder with train.csv and test.csv, its test part. */
export interface CsvDatasetResult {
  train: Dataset;
  test: Dataset | undefined;
}

const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const NOT_FINITE = /^[+-]?(nan|inf|infinity)$/i;

/**
 * A CSV field as a number: decimal notation only (surrounding spaces allowed). "nan", "inf", "Infinity"
 * (any case, signed) throw E_NOT_FINITE and anything else that is not a number E_CSV, both with `where`.
 */
export function parseNumberField(field: string, where: string, column: string): number {
  const s = field.trim();
  if (DECIMAL.test(s)) {
    const v = Number(s);
    if (Number.isFinite(v)) return v;
  }
  if (NOT_FINITE.test(s) || DECIMAL.test(s)) {
    throw new MiaError('E_NOT_FINITE', `column '${column}' holds a non-finite number`, {
      where,
      found: field,
    });
  }
  throw new MiaError('E_CSV', `column '${column}' must hold numbers`, {
    where,
    expected: 'a decimal number',
    found: s === '' ? 'an empty field' : JSON.stringify(field),
  });
}

function readCsv(path: string): ParsedCsv {
  const bytes = readFileOrThrow(path);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new MiaError('E_CSV', 'file is not valid UTF-8', { where: path });
  }
  return parseCsv(text, path);
}

function labelIndex(csv: ParsedCsv, path: string, labelColumn: string | undefined): number {
  if (labelColumn !== undefined) {
    const i = csv.header.indexOf(labelColumn);
    if (i < 0) {
      throw new MiaError('E_MISSING_FIELD', `no label column '${labelColumn}'`, {
        where: `${path}:1`,
        expected: `a column named '${labelColumn}'`,
        found: csv.header.join(', '),
      });
    }
    return i;
  }
  const i = csv.header.indexOf('label');
  return i >= 0 ? i : csv.header.length - 1;
}

/**
 * Reads a tabular dataset. `path` is a .csv file (train only; the caller splits it) or a folder holding
 * train.csv and test.csv, which must have the same header. Throws E_CSV (with `file:line`) for a header
 * without features, a header that differs between the two files, or a field that is not a number;
 * E_NOT_FINITE for nan/inf; E_MISSING_FIELD for a named label column that is absent; E_EMPTY for a file
 * without rows; the errors of parseCsv and readFileOrThrow.
 */
export function loadCsvDataset(path: string, labelColumn?: string): CsvDatasetResult {
  const isDir = existsSync(path) && statSync(path).isDirectory();
  const files = isDir ? [join(path, 'train.csv'), join(path, 'test.csv')] : [path];
  const parsed = files.map((f) => ({ path: f, csv: readCsv(f) }));
  const first = parsed[0]!;
  const header = first.csv.header;
  if (header.length < 2) {
    throw new MiaError('E_CSV', 'a tabular CSV needs a label column and at least one feature column', {
      where: `${first.path}:1`,
      found: `${header.length} column(s)`,
    });
  }
  for (const p of parsed) {
    if (p.csv.header.length !== header.length || p.csv.header.some((h, i) => h !== header[i])) {
      throw new MiaError('E_CSV', `header differs from ${first.path}'s`, {
        where: `${p.path}:1`,
        expected: header.join(','),
        found: p.csv.header.join(','),
      });
    }
    if (p.csv.rows.length === 0)
      throw new MiaError('E_EMPTY', 'the CSV has a header but no rows', { where: p.path });
  }
  const li = labelIndex(first.csv, first.path, labelColumn);
  const labelName = header[li]!;

  // classes: the sorted distinct label values over all files
  const values = new Set<string>();
  for (const p of parsed) for (const row of p.csv.rows) values.add(row[li]!.trim());
  const distinct = [...values];
  const numeric = distinct.every((v) => DECIMAL.test(v));
  if (numeric) distinct.sort((a, b) => Number(a) - Number(b));
  else distinct.sort();
  const classOf = new Map(distinct.map((v, i) => [v, i] as const));

  const d = header.length - 1;
  const name = basename(path);
  const make = (p: (typeof parsed)[number], split: 'train' | 'test'): Dataset => {
    const n = p.csv.rows.length;
    const x = new Float32Array(n * d);
    const y = new Int32Array(n);
    for (let r = 0; r < n; r++) {
      const row = p.csv.rows[r]!;
      let j = 0;
      for (let c = 0; c < row.length; c++) {
        if (c === li) continue;
        x[r * d + j++] = parseNumberField(row[c]!, `${p.path}:${p.csv.lineOf(r)}`, header[c]!);
      }
      y[r] = classOf.get(row[li]!.trim())!;
    }
    const ds: Dataset = {
      name,
      source: `${p.path} (CSV, label column '${labelName}')`,
      x,
      y,
      n,
      shape: [d],
      numClasses: distinct.length,
      classNames: [...distinct],
      split,
    };
    return checkDataset(ds);
  };
  return { train: make(first, 'train'), test: parsed[1] === undefined ? undefined : make(parsed[1], 'test') };
}
