/**
 * The report's "The riskiest records" section, read from the run's records.csv (audit/records.ts; the
 * columns are described in docs/run-dir.md): the top records by risk rank with their index, label,
 * membership, how many attacks flag them at each FPR target, and the attack that ranks them highest
 * with its score; and how many members are flagged at all.
 */
import { MiaError } from '../errors.js';
import { readFileOrThrow } from '../io/atomic.js';
import { parseCsv } from '../io/csv.js';
import { fprLabel } from './fpr.js';
import { escapeXml as esc } from './text.js';

/** One of the top records. */
export interface TopRecord {
  index: number;
  label: number;
  member: boolean;
  riskRank: number;
  /** FPR key → attacks that flag it there. */
  flagged: Record<string, number>;
  /** The attack with the best (lowest) rank for it, its score and that rank. */
  attack: string;
  score: number;
  rank: number;
}

/** What the section shows. */
export interface RecordsSummary {
  top: TopRecord[];
  /** FPR keys, ascending. */
  fprs: string[];
  /** FPR key → members flagged by at least one attack there. */
  flaggedMembers: Record<string, number>;
  members: number;
  samples: number;
}

/** Reads records.csv at `path`; E_CSV (from parseCsv) or E_VALUE naming the column when malformed. */
export function readRecords(path: string, top = 20): RecordsSummary {
  const csv = parseCsv(new TextDecoder().decode(readFileOrThrow(path)), path);
  const col = (name: string) => {
    const i = csv.header.indexOf(name);
    if (i < 0) throw new MiaError('E_MISSING_FIELD', `no column '${name}'`, { where: path });
    return i;
  };
  const [ci, cl, cm, cr] = ['index', 'label', 'member', 'risk_rank'].map(col) as [
    number,
    number,
    number,
    number,
  ];
  const fprCols = csv.header.flatMap((h, i) =>
    h.startsWith('flagged_at_') ? [[h.slice(11), i] as const] : [],
  );
  const attacks = csv.header.flatMap((h, i) =>
    h.endsWith('_score') && csv.header[i + 1] === `${h.slice(0, -6)}_rank`
      ? [[h.slice(0, -6), i] as const]
      : [],
  );
  const num = (row: string[], i: number, r: number) => {
    const v = Number(row[i]);
    if (row[i] === '' || !Number.isFinite(v)) {
      throw new MiaError('E_VALUE', `column '${csv.header[i]}' is not a number`, {
        where: `${path}:${csv.lineOf(r)}`,
        found: row[i] ?? '',
      });
    }
    return v;
  };
  const flaggedMembers: Record<string, number> = {};
  for (const [f] of fprCols) flaggedMembers[f] = 0;
  let members = 0;
  const all: TopRecord[] = csv.rows.map((row, r) => {
    const member = row[cm] === '1';
    if (member) members++;
    const flagged: Record<string, number> = {};
    for (const [f, i] of fprCols) {
      flagged[f] = num(row, i, r);
      if (member && flagged[f]! > 0) flaggedMembers[f]! += 1;
    }
    let best: { attack: string; score: number; rank: number } = {
      attack: '',
      score: Number.NaN,
      rank: Infinity,
    };
    for (const [a, i] of attacks) {
      if (row[i] === '') continue;
      const rank = num(row, i + 1, r);
      if (rank < best.rank) best = { attack: a, score: num(row, i, r), rank };
    }
    return {
      index: num(row, ci, r),
      label: num(row, cl, r),
      member,
      riskRank: num(row, cr, r),
      flagged,
      ...best,
    };
  });
  all.sort((a, b) => a.riskRank - b.riskRank);
  return {
    top: all.slice(0, top),
    fprs: fprCols.map(([f]) => f).sort((a, b) => Number(a) - Number(b)),
    flaggedMembers,
    members,
    samples: all.length,
  };
}

/** The section's body: a sentence on the flagged members and the table of the top records. */
export function recordsHtml(s: RecordsSummary, classNames: readonly string[] | undefined): string {
  const low = s.fprs[0];
  const topMembers = s.top.filter((r) => r.member).length;
  const lines = [
    `<p>${esc(
      `${
        low === undefined
          ? ''
          : `${s.flaggedMembers[low]} of the ${s.members} members are flagged by at least one attack at ${fprLabel(low)} FPR` +
            `${
              s.fprs.length > 1
                ? `, ${s.fprs
                    .slice(1)
                    .map((f) => `${s.flaggedMembers[f]} at ${fprLabel(f)}`)
                    .join(', ')}`
                : ''
            }. `
      }` + `${topMembers} of the ${s.top.length} records ranked most at risk are members.`,
    )}</p>`,
    '<p class="note">Ranked by how many attacks flag the record at the lowest FPR target (score at or above the attack’s threshold there), then at the next, then by its best rank over the attacks. Index = the audit sample (its column in keep.npy); every sample is in records.csv.</p>',
  ];
  const head = [
    'risk rank',
    'index',
    'label',
    'member',
    ...s.fprs.map((f) => `attacks flagging at ${fprLabel(f)} FPR`),
    'highest-ranking attack',
    'its score (rank)',
  ];
  const body = s.top.map((r) => {
    const cells = [
      String(r.riskRank),
      String(r.index),
      classNames?.[r.label] !== undefined ? `${r.label} (${classNames[r.label]})` : String(r.label),
      r.member ? 'yes' : 'no',
      ...s.fprs.map((f) => String(r.flagged[f] ?? 0)),
      r.attack === '' ? '–' : r.attack,
      Number.isNaN(r.score) ? '–' : `${r.score.toPrecision(4)} (${r.rank})`,
    ];
    return `<tr>${cells.map((c) => `<td>${esc(c)}</td>`).join('')}</tr>`;
  });
  lines.push(
    `<div class="scroll"><table><thead><tr>${head.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead><tbody>${body.join('')}</tbody></table></div>`,
  );
  return lines.join('\n');
}
