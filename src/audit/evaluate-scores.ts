/**
 * The work of `mia evaluate`: joins a scores CSV (`id,score`, higher = member) with a truth CSV
 * (`id,member`, 1/0 or true/false, any case) on id (ids compared after trimming surrounding spaces;
 * other columns ignored; rows in any order), and scores the predictions against the truth as a
 * scoring server would (seed 004's workflow).
 */

import { MiaError } from '../errors.js';
import { type ParsedCsv, parseCsv } from '../io/csv.js';
import { type AttackResult, DEFAULT_FPR_TARGETS, resultForSlice } from './run-attacks.js';

export interface EvaluationInput {
  scores: Float64Array;
  isMember: Uint8Array;
}

/** A decimal number, or ±inf / ±infinity in any case (Python's csv writes float('inf') as "inf"). */
const NUMBER_RE = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const INFINITY_RE = /^([+-]?)inf(?:inity)?$/i;
const NAN_RE = /^[+-]?nan$/i;

/** The score `text` as a number: decimal or ±inf(inity); undefined for anything else (NaN included). */
function parseScore(text: string): number | undefined {
  if (NUMBER_RE.test(text)) return Number(text);
  const inf = INFINITY_RE.exec(text);
  if (inf !== null) return inf[1] === '-' ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
  return undefined;
}

/**
 * Parses and joins the two CSV texts (see the module header). `scoresName` / `truthName` name the files
 * in errors. Throws MiaError E_CSV (`where` = `file:line`) for: a missing id/score/member column, an
 * empty id, a repeated id (naming both lines), a score that is not a decimal number or ±inf /
 * ±infinity (any case; NaN is refused by name), a member value other than 1/0/true/false, an id of one
 * file absent from the other; every error of parseCsv (src/io/csv.ts) for malformed CSV; and E_EMPTY
 * for no rows, or a truth without members or without non-members (naming the truth file).
 */
export function joinScoresAndTruth(
  scoresText: string,
  truthText: string,
  scoresName: string,
  truthName: string,
): EvaluationInput {
  const sc = readColumns(scoresText, scoresName, 'score');
  const tr = readColumns(truthText, truthName, 'member');
  if (tr.rows === 0) throw new MiaError('E_EMPTY', 'no rows', { where: truthName });
  if (sc.rows === 0) throw new MiaError('E_EMPTY', 'no rows', { where: scoresName });
  const n = tr.rows;
  // Row k of scores.csv for each truth row: the identity when both files list the same ids in the same
  // order (no hashing at all), otherwise through a hash table of the score ids.
  const match = new Int32Array(n);
  let sameOrder = sc.rows === n;
  for (let r = 0; sameOrder && r < n; r++) sameOrder = sameId(sc, r, tr, r);
  if (sameOrder) {
    for (let r = 0; r < n; r++) match[r] = r;
  } else {
    const lookup = indexIds(sc);
    for (let r = 0; r < n; r++) {
      if (tr.idEnd[r] === tr.idStart[r])
        throw new MiaError('E_CSV', 'empty id', { where: `${truthName}:${tr.line[r]}` });
      const k = lookup(tr, r);
      if (k === -1) {
        throw new MiaError('E_CSV', `id '${idText(tr, r)}' has no score in ${scoresName}`, {
          where: `${truthName}:${tr.line[r]}`,
        });
      }
      match[r] = k;
    }
  }
  // Each score row is claimed by at most one truth row (ids unique on both sides) and by at least one.
  const claimedBy = new Int32Array(sc.rows).fill(-1);
  const scores = new Float64Array(n);
  const isMember = new Uint8Array(n);
  for (let r = 0; r < n; r++) {
    if (tr.idEnd[r] === tr.idStart[r])
      throw new MiaError('E_CSV', 'empty id', { where: `${truthName}:${tr.line[r]}` });
    const k = match[r]!;
    const prev = claimedBy[k]!;
    if (prev >= 0) {
      throw new MiaError('E_CSV', `id '${idText(tr, r)}' appears twice (also on line ${tr.line[prev]})`, {
        where: `${truthName}:${tr.line[r]}`,
      });
    }
    claimedBy[k] = r;
    const member = memberValue(tr, r);
    if (member === -1) {
      throw new MiaError('E_CSV', `member of id '${idText(tr, r)}' must be 1, 0, true or false`, {
        where: `${truthName}:${tr.line[r]}`,
        found: JSON.stringify(valueText(tr, r)),
      });
    }
    isMember[r] = member;
    const text = valueText(sc, k);
    const score = parseScore(text);
    if (score === undefined) {
      const nan = NAN_RE.test(text);
      throw new MiaError(
        'E_CSV',
        nan
          ? `score of id '${idText(tr, r)}' is NaN; every score must be a number (inf and -inf are allowed)`
          : `score of id '${idText(tr, r)}' is not a number`,
        {
          where: `${scoresName}:${sc.line[k]}`,
          expected: 'a decimal number, inf or -inf',
          found: JSON.stringify(text),
        },
      );
    }
    scores[r] = score;
  }
  for (let k = 0; k < sc.rows; k++) {
    if (claimedBy[k] === -1) {
      throw new MiaError('E_CSV', `id '${idText(sc, k)}' has no row in ${truthName}`, {
        where: `${scoresName}:${sc.line[k]}`,
      });
    }
  }
  checkBothClasses(isMember, truthName);
  return { scores, isMember };
}

/** The metrics need at least one member and one non-member; E_EMPTY naming the truth otherwise. */
function checkBothClasses(isMember: Uint8Array, truthName: string): void {
  let nm = 0;
  for (let i = 0; i < isMember.length; i++) nm += isMember[i]!;
  if (nm === 0 || nm === isMember.length) {
    throw new MiaError(
      'E_EMPTY',
      `the member column has no ${nm === 0 ? 'member (1/true)' : 'non-member (0/false)'}; ` +
        'the truth needs both members and non-members',
      { where: truthName, found: `${nm} members, ${isMember.length - nm} non-members` },
    );
  }
}

/**
 * The two columns `id` and `value` of a CSV file as ranges into one text (spaces around a field
 * excluded), with each row's 1-based line: no string or array per row, so a million rows cost the
 * garbage collector nothing.
 */
interface Columns {
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
function readColumns(text: string, file: string, valueName: string): Columns {
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

function idText(c: Columns, r: number): string {
  return c.text.slice(c.idStart[r]!, c.idEnd[r]!);
}

function valueText(c: Columns, r: number): string {
  return c.text.slice(c.valStart[r]!, c.valEnd[r]!);
}

/** 1 for 1/true, 0 for 0/false (any case), −1 otherwise. */
function memberValue(c: Columns, r: number): number {
  const a = c.valStart[r]!;
  const b = c.valEnd[r]!;
  if (b - a === 1) {
    const ch = c.text.charCodeAt(a);
    return ch === 49 ? 1 : ch === 48 ? 0 : -1;
  }
  const v = c.text.slice(a, b).toLowerCase();
  return v === 'true' ? 1 : v === 'false' ? 0 : -1;
}

function sameId(a: Columns, ra: number, b: Columns, rb: number): boolean {
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

/**
 * The metrics of `mia evaluate`: a `mia attack` result (attack "evaluate", signal "score", entire
 * dataset). E_EMPTY naming `truthName` when the truth lacks members or non-members.
 */
export function evaluateScores(input: EvaluationInput, truthName = 'the truth'): AttackResult {
  checkBothClasses(input.isMember, truthName);
  const all = new Uint8Array(input.scores.length).fill(1);
  const r = resultForSlice(
    { attack: 'evaluate', signal: 'score', scores: input.scores },
    { feature: 'entire_dataset' },
    all,
    input.isMember,
    DEFAULT_FPR_TARGETS,
  );
  if (r === undefined) throw new Error('unreachable: both classes were checked');
  return r;
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
function indexIds(c: Columns): (other: Columns, r: number) => number {
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
