import type { AttackResult } from '../audit/run-attacks.js';
import { formatCsv } from '../io/csv.js';
import { compareSlices, isSmallSlice, MIN_SLICE_SIZE } from '../metrics/slice-noise.js';
import { sliceLabel } from '../metrics/slicing.js';
import { byAucThenTpr, fprKeysOf, fprLabel, headlineFpr } from '../report/fpr.js';

/** Slices large enough to rank (metrics/slice-noise.ts MIN_SLICE_SIZE members and non-members). */
const rankable = (r: AttackResult) => !isSmallSlice(r);

const pct = (x: number) => `${(x * 100).toFixed(x < 0.01 && x > 0 ? 2 : 1)}%`;

/**
 * The summary `mia attack` prints: every attack on the entire dataset, then the `top` other slices of
 * at least MIN_SLICE_SIZE members and non-members, highest AUC first (then TPR at 1% FPR), each with its
 * AUC interval; smaller slices are counted, not ranked. Each TPR at an FPR target comes with its
 * Clopper–Pearson 95% interval (`7.6% [6.1%, 9.4%]`, the parts aligned down the column); a `*` marks a
 * TPR whose ROC point rests on fewer than 10 non-member false positives.
 */
export function formatResultsTable(results: readonly AttackResult[], top: number): string {
  const leakiest = byAucThenTpr;
  const entire = results.filter((r) => r.slice.feature === 'entire_dataset').sort(leakiest);
  const others = results.filter((r) => r.slice.feature !== 'entire_dataset');
  const slices = others.filter(rankable).sort(leakiest);
  const tiny = others.length - slices.length;
  const blocks: string[] = [];
  if (entire.length > 0) blocks.push(`Entire dataset\n${formatTable(entire, entire.length)}`);
  if (slices.length > 0)
    blocks.push(
      `Slices, highest AUC first (a higher AUC than the entire dataset's may be noise: see the worst case below)\n${formatTable(slices, top)}`,
    );
  if (tiny > 0) {
    blocks.push(
      `(${tiny} results on slices with fewer than ${MIN_SLICE_SIZE} members or non-members are too small to compare and not ranked here; they are in --json/--csv)`,
    );
  }
  const text = blocks.join('\n\n');
  return text.includes('*')
    ? `${text}\n* fewer than 10 non-member false positives at that point: the TPR is not reliable`
    : text;
}

function formatTable(sorted: readonly AttackResult[], top: number): string {
  const shown = sorted.slice(0, top);
  const fprKeys = fprKeysOf(sorted);
  const head = ['attack', 'slice', 'members', 'non-members', 'AUC', 'AUC 95% CI', 'advantage'];
  for (const k of fprKeys) head.push(`TPR@${pct(Number(k))} [95% CI]`);
  // each TPR cell is "point [low, high]", its parts padded to the column's widest so they line up
  const tprParts = fprKeys.map((k) =>
    shown.map((r) => {
      const e = r.tprAtFpr[k];
      return e === undefined
        ? { point: '–', low: '', high: '' }
        : { point: `${pct(e.tpr)}${e.lowSupport ? '*' : ''}`, low: pct(e.low), high: pct(e.high) };
    }),
  );
  const tprCells = tprParts.map((parts) => {
    const wp = Math.max(...parts.map((p) => p.point.length));
    const wl = Math.max(...parts.map((p) => p.low.length));
    const wh = Math.max(...parts.map((p) => p.high.length));
    return parts.map((p) =>
      p.low === ''
        ? p.point.padStart(wp)
        : `${p.point.padStart(wp)} [${p.low.padStart(wl)}, ${p.high.padStart(wh)}]`,
    );
  });
  const rows = shown.map((r, j) => [
    r.attack,
    sliceLabel(r.slice),
    String(r.nMembers),
    String(r.nNonMembers),
    r.auc.toFixed(3),
    `${r.aucInterval.low.toFixed(3)}–${r.aucInterval.high.toFixed(3)}`,
    r.advantage.toFixed(3),
    ...tprCells.map((cells) => cells[j]!),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i < 2 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  const out = [line(head), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)];
  if (sorted.length > shown.length) {
    out.push(`… ${sorted.length - shown.length} more slices (--top N to show more, --json for all)`);
  }
  return out.join('\n');
}

const ci = (r: AttackResult) =>
  `95% CI ${r.aucInterval.low.toFixed(3)}–${r.aucInterval.high.toFixed(3)}${r.aucInterval.low <= 0.5 ? ', not distinguishable from chance' : ''}`;

/**
 * The worst case in a sentence or two, for the end of the output: a slice only when it beats the
 * entire dataset's AUC beyond the noise after correcting for every slice × attack compared
 * (metrics/slice-noise.ts compareSlices); otherwise the strongest attack on the entire dataset. Then
 * the entire dataset's best TPR at 1% FPR (or the lowest FPR computed) with its interval.
 */
export function worstCaseSentence(results: readonly AttackResult[]): string {
  if (results.length === 0) return 'No results (every slice lacked members or non-members).';
  const entire = results.filter((r) => r.slice.feature === 'entire_dataset');
  const sliced = compareSlices(results);
  const ex = sliced.exposed;
  let s: string;
  if (ex !== undefined) {
    const w = ex.slice;
    s = `Worst case: ${w.attack} on ${sliceLabel(w.slice)} (${w.nMembers} members, ${w.nNonMembers} non-members) reaches AUC ${w.auc.toFixed(3)} (${ci(w)}) against ${ex.entire.auc.toFixed(3)} on the entire dataset — beyond the noise after correcting for ${sliced.compared} slice × attack comparisons.`;
  } else if (entire.length > 0) {
    const top = entire.reduce((a, b) => (b.auc > a.auc ? b : a));
    const slices = results.length > entire.length;
    s = `Worst case: ${top.attack} on the entire dataset, AUC ${top.auc.toFixed(3)} (${ci(top)})${slices ? `; no slice beats it beyond the noise (${sliced.compared} slice × attack comparisons, Bonferroni-corrected; slices under ${MIN_SLICE_SIZE} members or non-members are not compared)` : ''}.`;
  } else {
    const top = results.reduce((a, b) => (b.auc > a.auc ? b : a));
    s = `Highest AUC: ${top.attack} on ${sliceLabel(top.slice)}, ${top.auc.toFixed(3)} (${ci(top)}); without an entire-dataset result no slice is named as the worst case.`;
  }
  // TPR at 1% FPR, or at the lowest FPR target computed when 1% is not among them.
  const fpr = headlineFpr(entire);
  const byTpr =
    fpr === undefined
      ? undefined
      : entire
          .filter((r) => r.tprAtFpr[fpr] !== undefined)
          .reduce<AttackResult | undefined>(
            (a, b) => (a === undefined || b.tprAtFpr[fpr]!.tpr > a.tprAtFpr[fpr]!.tpr ? b : a),
            undefined,
          );
  if (fpr !== undefined && byTpr !== undefined) {
    const e = byTpr.tprAtFpr[fpr]!;
    const rough = e.lowSupport ? ', on fewer than 10 non-member false positives: rough' : '';
    s += ` On the entire dataset, ${byTpr.attack} identifies ${pct(e.tpr)} of members at ${fprLabel(fpr)} FPR (95% CI ${pct(e.low)}–${pct(e.high)}${rough}).`;
  }
  return s;
}

/** Results as CSV: one row per attack × slice. */
export function resultsToCsv(results: readonly AttackResult[]): string {
  const fprKeys = fprKeysOf(results);
  const header = [
    'attack',
    'signal',
    'slice_feature',
    'slice_value',
    'n_members',
    'n_non_members',
    'auc',
    'auc_low',
    'auc_high',
    'advantage',
    'ppv_max_over_thresholds',
  ];
  for (const k of fprKeys)
    header.push(
      `tpr_at_fpr_${k}`,
      `tpr_at_fpr_${k}_low`,
      `tpr_at_fpr_${k}_high`,
      `tpr_at_fpr_${k}_low_support`,
      `tpr_at_fpr_${k}_threshold`,
      `tpr_at_fpr_${k}_realised_fpr`,
      `tpr_at_fpr_${k}_precision`,
    );
  header.push('epsilon_lower_bound');
  const rows = results.map((r) => {
    const row: (string | number | boolean)[] = [
      r.attack,
      r.signal,
      r.slice.feature,
      'value' in r.slice ? r.slice.value : '',
      r.nMembers,
      r.nNonMembers,
      r.auc,
      r.aucInterval.low,
      r.aucInterval.high,
      r.advantage,
      r.ppvMaxOverThresholds,
    ];
    for (const k of fprKeys) {
      const e = r.tprAtFpr[k];
      if (e === undefined) row.push('', '', '', '', '', '', '');
      else
        row.push(
          e.tpr,
          e.low,
          e.high,
          e.lowSupport,
          e.threshold,
          e.fpr,
          Number.isNaN(e.precision) ? '' : e.precision,
        );
    }
    row.push(r.epsilonLowerBound);
    return row;
  });
  return formatCsv(header, rows);
}
