/**
 * The riskiest records: records.csv in the run directory, one row per audit sample of the first
 * experiment's target on the run's primary exposure, ranked by how exposed it is.
 *
 * Columns: `index` (the audit sample: its column in keep.npy and position in scores.npz), `label`,
 * `member` (1 = in the target's training half), `risk_rank` (1 = most exposed; see below), one
 * `flagged_at_<fpr>` per FPR target (how many attacks flag the sample at that FPR: score ≥ the
 * attack's threshold there on the entire dataset, results.json's tprAtFpr[fpr].threshold), then per attack
 * `<attack>_score` (empty when the attack did not score it) and `<attack>_rank` (1 + the number of
 * samples the attack scored strictly higher; tied samples share a rank; empty when not scored).
 *
 * risk_rank orders by the flag counts from the lowest FPR target up (more attacks agreeing at a lower
 * FPR first), then by the best (lowest) rank over the attacks, then by index.
 */

import type { AttackScores } from '../attacks/registry.js';
import { formatCsv } from '../io/csv.js';
import type { AuditResult } from './attack-stage.js';

/** One sample of records.csv, as the report reads it back. */
export interface RecordRow {
  index: number;
  label: number;
  member: boolean;
  riskRank: number;
  /** FPR key ("0.01") → attacks that flag the sample at that FPR. */
  flagged: Record<string, number>;
  /** Attack → its score (NaN = not scored). */
  scores: Record<string, number>;
}

/** Rank of every score: 1 + #{j : s[j] > s[i]} over the scored samples; 0 for NaN (not scored). */
export function descendingRanks(s: Float64Array): Int32Array {
  const order = [...s.keys()].filter((i) => !Number.isNaN(s[i]!)).sort((a, b) => s[b]! - s[a]!);
  const rank = new Int32Array(s.length);
  order.forEach((i, k) => {
    const prev = order[k - 1];
    rank[i] = prev !== undefined && s[prev] === s[i] ? rank[prev]! : k + 1;
  });
  return rank;
}

/**
 * The rows of records.csv (see the file header) from one experiment's scores, the target's keep row,
 * the labels and that experiment's entire-dataset results (for the thresholds), in risk order.
 */
export function buildRecords(
  scores: readonly AttackScores[],
  isMember: Uint8Array,
  labels: Int32Array,
  results: readonly AuditResult[],
  fprTargets: readonly number[],
): RecordRow[] {
  const n = isMember.length;
  const fprs = [...fprTargets].sort((a, b) => a - b).map(String);
  const ranks = scores.map((s) => descendingRanks(s.scores));
  const rows: RecordRow[] = [];
  const best = new Float64Array(n).fill(Number.POSITIVE_INFINITY);
  for (let i = 0; i < n; i++) {
    const row: RecordRow = {
      index: i,
      label: labels[i]!,
      member: isMember[i] === 1,
      riskRank: 0,
      flagged: {},
      scores: {},
    };
    for (const f of fprs) row.flagged[f] = 0;
    scores.forEach((s, a) => {
      const v = s.scores[i]!;
      const scored = !Number.isNaN(v) && (s.evaluated === undefined || s.evaluated[i] === 1);
      row.scores[s.attack] = scored ? v : Number.NaN;
      if (!scored) return;
      best[i] = Math.min(best[i]!, ranks[a]![i]!);
      const r = results.find((x) => x.attack === s.attack && x.slice.feature === 'entire_dataset');
      for (const f of fprs) {
        const t = r?.tprAtFpr[f]?.threshold;
        if (t !== undefined && Number.isFinite(t) && v >= t) row.flagged[f]! += 1;
      }
    });
    rows.push(row);
  }
  const order = [...rows].sort((x, y) => {
    for (const f of fprs) if (x.flagged[f] !== y.flagged[f]) return y.flagged[f]! - x.flagged[f]!;
    return best[x.index]! - best[y.index]! || x.index - y.index;
  });
  order.forEach((r, k) => {
    r.riskRank = k + 1;
  });
  return order;
}

/** records.csv's text: the rows of {@link buildRecords} in risk order, the header of the file header. */
export function recordsCsv(
  rows: readonly RecordRow[],
  attacks: readonly string[],
  fprTargets: readonly number[],
): string {
  const fprs = [...fprTargets].sort((a, b) => a - b).map(String);
  const header = [
    'index',
    'label',
    'member',
    'risk_rank',
    ...fprs.map((f) => `flagged_at_${f}`),
    ...attacks.flatMap((a) => [`${a}_score`, `${a}_rank`]),
  ];
  const ranks = new Map(
    attacks.map((a) => {
      const s = new Float64Array(rows.length);
      for (const r of rows) s[r.index] = r.scores[a] ?? Number.NaN;
      return [a, descendingRanks(s)] as const;
    }),
  );
  const body = rows.map((r): (string | number)[] => [
    r.index,
    r.label,
    r.member ? 1 : 0,
    r.riskRank,
    ...fprs.map((f) => r.flagged[f] ?? 0),
    ...attacks.flatMap((a): (string | number)[] => {
      const v = r.scores[a] ?? Number.NaN;
      return Number.isNaN(v) ? ['', ''] : [v, ranks.get(a)![r.index]!];
    }),
  ]);
  return formatCsv(header, body);
}
