/**
 * `mia evaluate --scores scores.csv --truth truth.csv [--json out.json]`: scores membership predictions
 * against the truth, as a scoring server would (seed 004's workflow). scores.csv has columns `id,score`
 * (higher = member), truth.csv `id,member` (1/0 or true/false, any case); other columns are ignored;
 * rows come in any order and are joined on id (ids compared after trimming surrounding spaces).
 */
import { basename } from 'node:path';
import { type AttackResult, DEFAULT_FPR_TARGETS, resultForSlice } from '../audit/run-attacks.js';
import { MiaError } from '../errors.js';
import { readFileOrThrow, writeJsonAtomic } from '../io/atomic.js';
import { type ParsedCsv, parseCsv } from '../io/csv.js';
import { type CliCommand, parseCommandArgs } from './command.js';

const USAGE = `usage: mia evaluate --scores scores.csv --truth truth.csv [--json out.json]

Scores membership predictions against the truth: AUC, advantage, PPV, TPR at 0.1%, 1%, 5% and 10% FPR
(with 95% Clopper-Pearson intervals) and the epsilon lower bound.

  --scores FILE   CSV with columns id,score (higher = more likely a member)
  --truth FILE    CSV with columns id,member (1/0 or true/false)
  --json FILE     also write the metrics as JSON (the fields of a \`mia attack\` result)

Rows may come in any order; they are joined on id. An id present in one file only, a repeated id, or a
value that is not a number / not 1,0,true,false is an error naming file:line and the id.`;

/** The joined inputs of `mia evaluate`: scores and truth aligned by id, in truth.csv's row order. */
export interface EvaluationInput {
  ids: string[];
  scores: Float64Array;
  isMember: Uint8Array;
}

const NUMBER_RE = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$|^[+-]?Infinity$/;

/**
 * Parses and joins the two CSV texts (see the module header). `scoresName` / `truthName` name the files
 * in errors. Throws MiaError E_CSV (`where` = `file:line`) for: a missing id/score/member column, an
 * empty id, a repeated id (naming both lines), a score that is not a decimal number or ±Infinity, a
 * member value other than 1/0/true/false, an id of one file absent from the other; and E_EMPTY for no
 * rows.
 */
export function joinScoresAndTruth(
  scoresText: string,
  truthText: string,
  scoresName: string,
  truthName: string,
): EvaluationInput {
  const sc = parseCsv(scoresText, scoresName);
  const tr = parseCsv(truthText, truthName);
  const sId = column(sc, 'id', scoresName);
  const sScore = column(sc, 'score', scoresName);
  const tId = column(tr, 'id', truthName);
  const tMember = column(tr, 'member', truthName);
  if (tr.rows.length === 0) throw new MiaError('E_EMPTY', 'no rows', { where: truthName });
  if (sc.rows.length === 0) throw new MiaError('E_EMPTY', 'no rows', { where: scoresName });
  const n = tr.rows.length;
  // Row k of scores.csv for each truth row: the identity when both files list the same ids in the same
  // order (no hashing at all), otherwise through a Map of the score ids.
  const match = new Int32Array(n);
  let sameOrder = sc.rows.length === n;
  for (let r = 0; sameOrder && r < n; r++) sameOrder = sc.rows[r]![sId]!.trim() === tr.rows[r]![tId]!.trim();
  if (sameOrder) {
    for (let r = 0; r < n; r++) match[r] = r;
  } else {
    const scoreRow = indexIds(sc, sId, scoresName);
    for (let r = 0; r < n; r++) {
      const id = tr.rows[r]![tId]!.trim();
      const k = scoreRow.get(id);
      if (k === undefined) {
        if (id === '') throw new MiaError('E_CSV', 'empty id', { where: `${truthName}:${tr.lineOf(r)}` });
        throw new MiaError('E_CSV', `id '${id}' has no score in ${scoresName}`, {
          where: `${truthName}:${tr.lineOf(r)}`,
        });
      }
      match[r] = k;
    }
  }
  // Each score row is claimed by at most one truth row (ids unique on both sides) and by at least one.
  const claimedBy = new Int32Array(sc.rows.length).fill(-1);
  const ids: string[] = new Array(n);
  const scores = new Float64Array(n);
  const isMember = new Uint8Array(n);
  for (let r = 0; r < n; r++) {
    const row = tr.rows[r]!;
    const id = row[tId]!.trim();
    if (id === '') throw new MiaError('E_CSV', 'empty id', { where: `${truthName}:${tr.lineOf(r)}` });
    const k = match[r]!;
    const prev = claimedBy[k]!;
    if (prev >= 0) {
      throw new MiaError('E_CSV', `id '${id}' appears twice (also on line ${tr.lineOf(prev)})`, {
        where: `${truthName}:${tr.lineOf(r)}`,
      });
    }
    claimedBy[k] = r;
    const m = row[tMember]!.trim().toLowerCase();
    if (m === '1' || m === 'true') isMember[r] = 1;
    else if (m !== '0' && m !== 'false') {
      throw new MiaError('E_CSV', `member of id '${id}' must be 1, 0, true or false`, {
        where: `${truthName}:${tr.lineOf(r)}`,
        found: JSON.stringify(row[tMember]),
      });
    }
    const text = sc.rows[k]![sScore]!.trim();
    if (!NUMBER_RE.test(text)) {
      throw new MiaError('E_CSV', `score of id '${id}' is not a number`, {
        where: `${scoresName}:${sc.lineOf(k)}`,
        found: JSON.stringify(sc.rows[k]![sScore]),
      });
    }
    scores[r] = Number(text);
    ids[r] = id;
  }
  for (let k = 0; k < sc.rows.length; k++) {
    if (claimedBy[k] === -1) {
      const id = sc.rows[k]![sId]!.trim();
      throw new MiaError('E_CSV', `id '${id}' has no row in ${truthName}`, {
        where: `${scoresName}:${sc.lineOf(k)}`,
      });
    }
  }
  return { ids, scores, isMember };
}

/** The metrics of `mia evaluate`: a `mia attack` result (attack "evaluate", signal "score", entire dataset). */
export function evaluateScores(input: EvaluationInput): AttackResult {
  const all = new Uint8Array(input.scores.length).fill(1);
  const r = resultForSlice(
    { attack: 'evaluate', signal: 'score', scores: input.scores },
    { feature: 'entire_dataset' },
    all,
    input.isMember,
    DEFAULT_FPR_TARGETS,
  );
  if (r === undefined) {
    const nm = input.isMember.reduce((a, b) => a + b, 0);
    throw new MiaError('E_EMPTY', 'the truth needs both members and non-members', {
      where: 'member column',
      found: `${nm} members, ${input.isMember.length - nm} non-members`,
    });
  }
  return r;
}

export const evaluateCommand: CliCommand = {
  name: 'evaluate',
  summary: 'score membership predictions (id,score CSV) against the truth (id,member CSV)',
  usage: USAGE,
  async run(argv) {
    const { values } = parseCommandArgs('evaluate', argv, {
      scores: { type: 'string' },
      truth: { type: 'string' },
      json: { type: 'string' },
    });
    for (const flag of ['scores', 'truth'] as const) {
      if (values[flag] === undefined) {
        throw new MiaError('E_USAGE', `--${flag} is required; see \`mia evaluate --help\``, {
          where: 'mia evaluate',
        });
      }
    }
    const scoresPath = values.scores!;
    const truthPath = values.truth!;
    const input = joinScoresAndTruth(readText(scoresPath), readText(truthPath), scoresPath, truthPath);
    const r = evaluateScores(input);
    console.log(formatEvaluation(r, `${basename(scoresPath)} vs ${basename(truthPath)}`));
    if (values.json !== undefined) {
      writeJsonAtomic(values.json, { scores: scoresPath, truth: truthPath, ...r });
      console.log(`wrote ${values.json}`);
    }
    return 0;
  },
};

/** The text `mia evaluate` prints for one result. */
export function formatEvaluation(r: AttackResult, title: string): string {
  const pct = (x: number) => `${(x * 100).toFixed(2)}%`;
  const lines = [
    `${title}: ${r.nMembers + r.nNonMembers} samples (${r.nMembers} members, ${r.nNonMembers} non-members)`,
    `  AUC          ${r.auc.toFixed(4)}`,
    `  advantage    ${r.advantage.toFixed(4)}`,
    `  PPV          ${r.ppv.toFixed(4)}`,
  ];
  let flagged = false;
  for (const [k, e] of Object.entries(r.tprAtFpr)) {
    const label = `TPR@${pct(Number(k)).replace(/\.?0+%$/, '%')} FPR`;
    lines.push(
      `  ${label.padEnd(15)}${pct(e.tpr).padStart(7)}  [${pct(e.low)}, ${pct(e.high)}]${e.lowSupport ? ' *' : ''}`,
    );
    if (e.lowSupport) flagged = true;
  }
  lines.push(`  eps LB       ${r.epsilonLowerBound.toFixed(3)} (95% confidence, delta 1e-5)`);
  if (flagged)
    lines.push('  * fewer than 10 non-member false positives at that point: the TPR is not reliable');
  return lines.join('\n');
}

function readText(path: string): string {
  const bytes = readFileOrThrow(path);
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new MiaError('E_CSV', 'file is not valid UTF-8', { where: path });
  }
}

function column(csv: ParsedCsv, name: string, file: string): number {
  const k = csv.header.findIndex((h) => h.trim().toLowerCase() === name);
  if (k < 0) {
    throw new MiaError('E_CSV', `no '${name}' column`, {
      where: file,
      expected: name === 'member' ? 'header id,member' : `header id,${name === 'id' ? '…' : name}`,
      found: `header ${csv.header.join(',')}`,
    });
  }
  return k;
}

function indexIds(csv: ParsedCsv, col: number, file: string): Map<string, number> {
  const map = new Map<string, number>();
  for (let r = 0; r < csv.rows.length; r++) {
    const id = csv.rows[r]![col]!.trim();
    if (id === '') throw new MiaError('E_CSV', 'empty id', { where: `${file}:${csv.lineOf(r)}` });
    const prev = map.get(id);
    if (prev !== undefined) {
      throw new MiaError('E_CSV', `id '${id}' appears twice (also on line ${csv.lineOf(prev)})`, {
        where: `${file}:${csv.lineOf(r)}`,
      });
    }
    map.set(id, r);
  }
  return map;
}
