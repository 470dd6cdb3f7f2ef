/**
 * Membership predictions joined with the truth, as a scoring server reads them (seed 004's workflow):
 * scores.csv has columns `id,score` (higher = member; `mia score` writes it), truth.csv `id,member`
 * (1/0 or true/false, any case); other columns are ignored; rows come in any order and are joined on id
 * (ids compared after trimming surrounding spaces). `mia evaluate` scores the joined predictions
 * (src/audit/evaluate-scores.ts).
 */
import { MiaError } from '../errors.js';
import { readFileOrThrow, writeFileAtomic } from '../io/atomic.js';
import { formatCsv } from '../io/csv.js';
import { type Columns, idText, indexIds, readColumns, sameId, valueText } from '../io/csv-columns.js';

/** Predictions joined with the truth: scores and truth aligned by id, in truth.csv's row order. */
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
export function checkBothClasses(isMember: Uint8Array, truthName: string): void {
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

/**
 * Reads scores.csv and truth.csv (UTF-8) and joins them (joinScoresAndTruth), naming the files by the
 * paths given. Throws E_IO for a file that cannot be read, E_CSV for one that is not valid UTF-8.
 */
export function readPredictions(scoresPath: string, truthPath: string): EvaluationInput {
  return joinScoresAndTruth(readText(scoresPath), readText(truthPath), scoresPath, truthPath);
}

function readText(path: string): string {
  const bytes = readFileOrThrow(path);
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new MiaError('E_CSV', 'file is not valid UTF-8', { where: path });
  }
}

/** Writes `mia score`'s scores.csv: a header `id,score`, then one row per sample in order. */
export function writeScoresCsv(path: string, ids: readonly string[], scores: Float64Array): void {
  const rows = ids.map((id, i) => [id, scores[i]!] as (string | number)[]);
  writeFileAtomic(path, formatCsv(['id', 'score'], rows));
}
