/**
 * Two columns of a CSV file, `id` and one value column, read for a join on id (`mia evaluate`'s
 * scores.csv and truth.csv, src/signals/predictions.ts): each field is a range into one text, so that a
 * million rows cost the garbage collector nothing; ids are compared and hashed in place.
 */
import { MiaError } from '../errors.js';
import { type ParsedCsv, parseCsv } from './csv.js';

/**
 * The two columns `id` and `value` of a CSV file as ranges into one text (spaces around a field
 * excluded), with each row's 1-based line: no string or array per row, so a million rows cost the
 * garbage collector nothing.
 */
export interface Columns {
  file: string;
  rows: number;
  text: string;
  idStart: Int32Array;
  idEnd: Int32Array;
  valStart: Int32Array;
  valEnd: Int32Array;
  line: Int32Array;
}

/**
 * Reads columns `id` and `valueName` (header names compared trimmed, case-insensitively). Plain files
 * (no double quote, no lone CR, every row as wide as the header, distinct header names) are scanned
 * directly; anything else goes through parseCsv, which accepts all of RFC 4180 and reports malformed
 * CSV with its line.
 */
export function readColumns(text: string, file: string, valueName: string): Columns {
  return scanPlainCsv(text, file, valueName) ?? columnsFromParsed(parseCsv(text, file), file, valueName);
}

function scanPlainCsv(text: string, file: string, valueName: string): Columns | undefined {
  if (text.indexOf('"') !== -1) return undefined;
  const len = text.length;
  let pos = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let lineNo = 0;
  let nextCr = text.indexOf('\r', pos);
  let cap = 1024;
  let idStart = new Int32Array(cap);
  let idEnd = new Int32Array(cap);
  let valStart = new Int32Array(cap);
  let valEnd = new Int32Array(cap);
  let line = new Int32Array(cap);
  let rows = 0;
  let ncols = -1;
  let idCol = -1;
  let valCol = -1;
  while (pos < len) {
    lineNo++;
    let nl = text.indexOf('\n', pos);
    if (nl === -1) nl = len;
    let e = nl;
    if (nextCr !== -1 && nextCr < e) {
      if (nextCr !== e - 1) return undefined; // a CR that does not end the line
      e--;
      nextCr = text.indexOf('\r', nl);
    }
    const s = pos;
    pos = nl + 1;
    if (e === s) continue; // blank line
    if (ncols === -1) {
      const names = text.slice(s, e).split(',');
      const seen = new Set<string>();
      for (const h of names) {
        if (h !== '' && seen.has(h)) return undefined; // parseCsv reports it
        seen.add(h);
      }
      ncols = names.length;
      idCol = column(names, 'id', file);
      valCol = column(names, valueName, file);
      continue;
    }
    if (rows === cap) {
      cap *= 2;
      idStart = grow(idStart, cap);
      idEnd = grow(idEnd, cap);
      valStart = grow(valStart, cap);
      valEnd = grow(valEnd, cap);
      line = grow(line, cap);
    }
    let col = 0;
    let fs = s;
    for (let i = s; i <= e; i++) {
      if (i === e || text.charCodeAt(i) === 44) {
        if (col === idCol || col === valCol) {
          let a = fs;
          let b = i;
          while (a < b && text.charCodeAt(a) <= 32) a++;
          while (b > a && text.charCodeAt(b - 1) <= 32) b--;
          if (col === idCol) {
            idStart[rows] = a;
            idEnd[rows] = b;
          } else {
            valStart[rows] = a;
            valEnd[rows] = b;
          }
        }
        col++;
        fs = i + 1;
      }
    }
    if (col !== ncols) return undefined; // a ragged row: parseCsv reports it
    line[rows] = lineNo;
    rows++;
  }
  if (ncols === -1) return undefined; // no header: parseCsv reports it
  return { file, rows, text, idStart, idEnd, valStart, valEnd, line };
}

function grow(a: Int32Array, cap: number): Int32Array<ArrayBuffer> {
  const b = new Int32Array(cap);
  b.set(a);
  return b;
}

/** Columns from parseCsv's rows (quoted files): the two fields of each row laid end to end in one text. */
function columnsFromParsed(csv: ParsedCsv, file: string, valueName: string): Columns {
  const idCol = column(csv.header, 'id', file);
  const valCol = column(csv.header, valueName, file);
  const n = csv.rows.length;
  const out: Columns = {
    file,
    rows: n,
    text: '',
    idStart: new Int32Array(n),
    idEnd: new Int32Array(n),
    valStart: new Int32Array(n),
    valEnd: new Int32Array(n),
    line: new Int32Array(n),
  };
  const parts: string[] = [];
  let off = 0;
  for (let r = 0; r < n; r++) {
    const id = csv.rows[r]![idCol]!.trim();
    const val = csv.rows[r]![valCol]!.trim();
    out.idStart[r] = off;
    out.idEnd[r] = off + id.length;
    out.valStart[r] = off + id.length;
    out.valEnd[r] = off + id.length + val.length;
    off += id.length + val.length;
    parts.push(id, val);
    out.line[r] = csv.lineOf(r);
  }
  out.text = parts.join('');
  return out;
}

export function idText(c: Columns, r: number): string {
  return c.text.slice(c.idStart[r]!, c.idEnd[r]!);
}

export function valueText(c: Columns, r: number): string {
  return c.text.slice(c.valStart[r]!, c.valEnd[r]!);
}

export function sameId(a: Columns, ra: number, b: Columns, rb: number): boolean {
  const as = a.idStart[ra]!;
  const bs = b.idStart[rb]!;
  const len = a.idEnd[ra]! - as;
  if (b.idEnd[rb]! - bs !== len) return false;
  for (let i = 0; i < len; i++) if (a.text.charCodeAt(as + i) !== b.text.charCodeAt(bs + i)) return false;
  return true;
}

/** FNV-1a over the id's UTF-16 code units. */
function hashId(c: Columns, r: number): number {
  let h = 0x811c9dc5;
  const e = c.idEnd[r]!;
  for (let i = c.idStart[r]!; i < e; i++) h = Math.imul(h ^ c.text.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

function column(header: readonly string[], name: string, file: string): number {
  const k = header.findIndex((h) => h.trim().toLowerCase() === name);
  if (k < 0) {
    throw new MiaError('E_CSV', `no '${name}' column`, {
      where: file,
      expected: name === 'id' ? 'an id column' : `header id,${name}`,
      found: `header ${header.join(',')}`,
    });
  }
  return k;
}

/**
 * An open-addressing hash table of the rows of `c` by id; returns a lookup of another file's row.
 * Throws E_CSV naming both lines for a repeated id, and the line of an empty id.
 */
export function indexIds(c: Columns): (other: Columns, r: number) => number {
  const n = c.rows;
  let size = 16;
  while (size < 2 * n) size *= 2;
  const mask = size - 1;
  const table = new Int32Array(size).fill(-1);
  for (let r = 0; r < n; r++) {
    if (c.idEnd[r] === c.idStart[r])
      throw new MiaError('E_CSV', 'empty id', { where: `${c.file}:${c.line[r]}` });
    let h = hashId(c, r) & mask;
    for (;;) {
      const k = table[h]!;
      if (k === -1) {
        table[h] = r;
        break;
      }
      if (sameId(c, k, c, r)) {
        throw new MiaError('E_CSV', `id '${idText(c, r)}' appears twice (also on line ${c.line[k]})`, {
          where: `${c.file}:${c.line[r]}`,
        });
      }
      h = (h + 1) & mask;
    }
  }
  return (other, r) => {
    let h = hashId(other, r) & mask;
    for (;;) {
      const k = table[h]!;
      if (k === -1 || sameId(c, k, other, r)) return k;
      h = (h + 1) & mask;
    }
  };
}
