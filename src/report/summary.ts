/** The report's summary: the worst-case leakage in words and numbers, and how the targets compare. */
import { fprKeysOf, fprLabel, headlineFpr } from './fpr.js';
import type { ReportResult } from './run-dir.js';
import { entireResults, experimentsOf, sliceName, type Target, targetsOf } from './targets.js';

/** A fraction as a percentage: 1 decimal, 2 below 1%. */
export function pct(x: number): string {
  return `${(x * 100).toFixed(x < 0.01 && x > 0 ? 2 : 1)}%`;
}

export type LeakageLevel = 'none measured' | 'low' | 'moderate' | 'high';

export interface KeyNumber {
  label: string;
  value: string;
  detail: string;
}

export interface Summary {
  level: LeakageLevel;
  /** One sentence verdict. */
  headline: string;
  /** The worst case and the numbers behind the verdict, in sentences. */
  sentences: string[];
  keyNumbers: KeyNumber[];
  /** Per experiment (or across all targets), which target leaks more and by how much. */
  comparisons: string[];
  /** The FPR key the TPR numbers and the verdict read ("0.01", else the lowest computed; see fpr.ts). */
  fpr: string | undefined;
  /** The verdict's rule of thumb in words, for that FPR ({@link verdictRule}). */
  rule: string;
}

/** Slices with fewer members or non-members than this are too noisy to be named as the worst case. */
export const MIN_SLICE = 30;

/**
 * The verdict's rule of thumb, on the entire dataset, reading TPR at the FPR `fpr` (default: 1% when
 * the results have it, else the lowest FPR target they have — {@link headlineFpr}): "high" when some
 * attack reaches AUC ≥ 0.70 or a TPR ≥ 10 × fpr (10% at 1% FPR); "moderate" when AUC ≥ 0.60 or the
 * lower 95% bound of that TPR exceeds 2 × fpr (2%); "low" when AUC ≥ 0.52 or that lower bound exceeds
 * fpr (1%: better than guessing); else "none measured". Results without a TPR at `fpr` are judged by
 * AUC alone — a TPR that was not computed never counts as 0.
 */
export function leakageLevel(
  entire: readonly ReportResult[],
  fpr: string | undefined = headlineFpr(entire),
): LeakageLevel {
  const f = fpr === undefined ? Number.NaN : Number(fpr);
  const at = entire.flatMap((r) =>
    fpr === undefined || r.tprAtFpr[fpr] === undefined ? [] : [r.tprAtFpr[fpr]!],
  );
  const auc = Math.max(0, ...entire.map((r) => r.auc));
  const tpr = Math.max(0, ...at.map((e) => e.tpr));
  const low = Math.max(0, ...at.map((e) => e.low));
  const some = at.length > 0;
  if (auc >= 0.7 || (some && tpr >= 10 * f)) return 'high';
  if (auc >= 0.6 || (some && low > 2 * f)) return 'moderate';
  if (auc >= 0.52 || (some && low > f)) return 'low';
  return 'none measured';
}

const pctOf = (f: number) => `${Number((f * 100).toPrecision(3))}%`;

/** The verdict rule of {@link leakageLevel} in words, with the thresholds of FPR key `fpr`. */
export function verdictRule(fpr: string | undefined): string {
  const tail = 'TPR at a low FPR is the number to trust most (Carlini et al. 2022).';
  if (fpr === undefined) {
    return `Verdict rule of thumb (entire dataset): high = AUC ≥ 0.70; moderate = AUC ≥ 0.60; low = AUC ≥ 0.52 (no TPR at a fixed FPR was computed). ${tail}`;
  }
  const f = Number(fpr);
  const at = fprLabel(fpr);
  const note =
    fpr === '0.01'
      ? ''
      : ` 1% FPR was not among the run's FPR targets, so the rule reads TPR at ${at} FPR, with thresholds scaled to it (10×, 2× and 1× the FPR, as 10%, 2% and 1% are at 1% FPR).`;
  return `Verdict rule of thumb (entire dataset): high = AUC ≥ 0.70 or TPR ≥ ${pctOf(10 * f)} at ${at} FPR; moderate = AUC ≥ 0.60 or the 95% lower bound of TPR at ${at} FPR above ${pctOf(2 * f)}; low = AUC ≥ 0.52 or that bound above ${pctOf(f)}.${note} ${tail}`;
}

/** "wrongly accusing 1 non-member in 100" for FPR 0.01; "wrongly accusing 3% of non-members" otherwise. */
function accusing(f: number): string {
  const inv = 1 / f;
  return Math.abs(inv - Math.round(inv)) < 1e-9
    ? `wrongly accusing 1 non-member in ${Math.round(inv)}`
    : `wrongly accusing ${pctOf(f)} of non-members`;
}

const HEADLINES: Record<LeakageLevel, string> = {
  high: 'The audited model leaks membership substantially: attacks tell its training samples apart from unseen ones far better than chance.',
  moderate: 'The audited model leaks membership measurably: attacks do clearly better than chance.',
  low: 'The audited model leaks a little: attacks do slightly, but measurably, better than chance.',
  'none measured': 'No attack did measurably better than random guessing on the entire dataset.',
};

function best<T>(xs: readonly T[], key: (x: T) => number): T | undefined {
  let out: T | undefined;
  for (const x of xs) if (out === undefined || key(x) > key(out)) out = x;
  return out;
}

function who(r: ReportResult, targets: readonly Target[]): string {
  if (targets.length <= 1) return r.attack;
  const t = targets.find((x) => x.results.includes(r));
  return `${r.attack} against ${t?.label ?? r.model ?? 'target'}`;
}

/**
 * The summary of `results` (see {@link Summary}); the verdict follows {@link leakageLevel}. The most
 * exposed slice is named only among slices with at least {@link MIN_SLICE} members and non-members, and
 * only when it beats the entire dataset's highest AUC.
 */
export function summarizeResults(results: readonly ReportResult[]): Summary {
  const targets = targetsOf(results);
  const entire = results.filter((r) => r.slice.feature === 'entire_dataset');
  const fpr = headlineFpr(entire);
  const level = leakageLevel(entire, fpr);
  const tprAt = (r: ReportResult) => (fpr === undefined ? undefined : r.tprAtFpr[fpr]);
  const sentences: string[] = [];
  const keyNumbers: KeyNumber[] = [];
  const worstEntire = best(entire, (r) => r.auc);
  if (worstEntire !== undefined) {
    sentences.push(
      `On the entire dataset the strongest attack is ${who(worstEntire, targets)}, with AUC ${worstEntire.auc.toFixed(3)} (0.5 is a coin flip, 1 is perfect) and attacker advantage ${worstEntire.advantage.toFixed(3)} (the largest gap between the share of members and of non-members it flags).`,
    );
    keyNumbers.push({
      label: 'Highest AUC',
      value: worstEntire.auc.toFixed(3),
      detail: who(worstEntire, targets),
    });
  }
  const byTpr = best(entire, (r) => tprAt(r)?.tpr ?? -1);
  const t = byTpr === undefined ? undefined : tprAt(byTpr);
  if (fpr !== undefined && byTpr !== undefined && t !== undefined) {
    const f = Number(fpr);
    const times = t.tpr / f;
    const missing1 = fpr === '0.01' ? '' : " (1% FPR was not among the run's FPR targets)";
    sentences.push(
      `At a ${fprLabel(fpr)} false-positive rate — ${accusing(f)}${missing1} — ${who(byTpr, targets)} identifies ${pct(t.tpr)} of the training members (95% CI ${pct(t.low)}–${pct(t.high)}), ${times >= 1.05 ? `${times.toFixed(1)} times` : 'no more than'} what guessing would find${t.lowSupport ? '; this rests on fewer than 10 false positives, so it is a rough estimate' : ''}.`,
    );
    keyNumbers.push({
      label: `TPR at ${fprLabel(fpr)} FPR`,
      value: pct(t.tpr),
      detail: `${who(byTpr, targets)} (CI ${pct(t.low)}–${pct(t.high)})`,
    });
  } else if (entire.length > 0) {
    sentences.push('TPR at a fixed false-positive rate was not computed for this run.');
    keyNumbers.push({
      label: 'TPR at 1% FPR',
      value: 'not computed',
      detail: 'no FPR targets in results.json',
    });
  }
  // The lowest FPR computed below the headline one (0.1% with the default targets).
  const lower = fpr === undefined ? undefined : fprKeysOf(entire).find((k) => Number(k) < Number(fpr));
  const byLow = lower === undefined ? undefined : best(entire, (r) => r.tprAtFpr[lower]?.tpr ?? -1);
  const t0 = lower === undefined ? undefined : byLow?.tprAtFpr[lower];
  if (lower !== undefined && byLow !== undefined && t0 !== undefined) {
    keyNumbers.push({
      label: `TPR at ${fprLabel(lower)} FPR`,
      value: pct(t0.tpr),
      detail: who(byLow, targets) + (t0.lowSupport ? ' (low support)' : ''),
    });
  }
  const byEps = best(entire, (r) => r.epsilonLowerBound);
  if (byEps !== undefined && byEps.epsilonLowerBound < 0.005) {
    sentences.push(
      'No attack proves a positive ε lower bound at 95% confidence: too few samples sit at thresholds that separate members from non-members with certainty.',
    );
  } else if (byEps !== undefined) {
    sentences.push(
      `With 95% confidence the training is not (ε, δ = 10⁻⁵)-differentially private for any ε below ${byEps.epsilonLowerBound.toFixed(2)} (from ${who(byEps, targets)}).`,
    );
    keyNumbers.push({
      label: 'ε lower bound',
      value: byEps.epsilonLowerBound.toFixed(2),
      detail: `95% confidence, ${who(byEps, targets)}`,
    });
  }
  const slices = results.filter(
    (r) => r.slice.feature !== 'entire_dataset' && r.nMembers >= MIN_SLICE && r.nNonMembers >= MIN_SLICE,
  );
  const worstSlice = best(slices, (r) => r.auc);
  if (worstSlice !== undefined && worstEntire !== undefined && worstSlice.auc > worstEntire.auc) {
    sentences.push(
      `The most exposed slice is ${sliceName(worstSlice)} (${worstSlice.nMembers} members, ${worstSlice.nNonMembers} non-members), where ${who(worstSlice, targets)} reaches AUC ${worstSlice.auc.toFixed(3)}.`,
    );
    keyNumbers.push({
      label: 'Most exposed slice',
      value: worstSlice.auc.toFixed(3),
      detail: `${sliceName(worstSlice)}, ${who(worstSlice, targets)}`,
    });
  }
  if (results.length === 0)
    sentences.push('The run has no results (every slice lacked members or non-members).');
  return {
    level,
    headline: HEADLINES[level],
    sentences,
    keyNumbers,
    comparisons: compareTargets(targets, fpr),
    fpr,
    rule: verdictRule(fpr),
  };
}

/** "In experiment X, A leaks more than B: …" for each experiment with two or more targets, and across experiments. */
function compareTargets(targets: readonly Target[], fpr: string | undefined): string[] {
  const out: string[] = [];
  const top = (t: Target) => entireResults(t)[0];
  const tprOf = (t: Target) => {
    const v = entireResults(t).flatMap((r) =>
      fpr === undefined || r.tprAtFpr[fpr] === undefined ? [] : [r.tprAtFpr[fpr]!.tpr],
    );
    return v.length === 0 ? 'not computed' : pct(Math.max(...v));
  };
  const at = `TPR at ${fpr === undefined ? '1%' : fprLabel(fpr)} FPR`;
  const experiments = experimentsOf(targets);
  for (const exp of experiments) {
    const group = targets.filter((t) => t.experiment === exp && top(t) !== undefined);
    if (group.length < 2) continue;
    const ranked = [...group].sort((a, b) => top(b)!.auc - top(a)!.auc);
    const where = exp === undefined ? 'Among the targets' : `In experiment ${exp}`;
    const name = (t: Target) => t.model ?? t.label;
    if (ranked.length === 2) {
      const [a, b] = ranked as [Target, Target];
      const da = top(a)!.auc - top(b)!.auc;
      out.push(
        `${where}, ${name(a)} leaks more than ${name(b)}: best AUC ${top(a)!.auc.toFixed(3)} vs ${top(b)!.auc.toFixed(3)} (${da >= 0 ? '+' : ''}${da.toFixed(3)}), ${at} ${tprOf(a)} vs ${tprOf(b)}.`,
      );
    } else {
      out.push(
        `${where}, by best AUC: ${ranked.map((t) => `${name(t)} (${top(t)!.auc.toFixed(3)})`).join(' > ')}.`,
      );
    }
  }
  if (experiments.length > 1) {
    const all = targets.filter((t) => top(t) !== undefined).sort((a, b) => top(b)!.auc - top(a)!.auc);
    const first = all[0];
    const last = all[all.length - 1];
    if (first !== undefined && last !== undefined && first !== last) {
      out.push(
        `Across all experiments the leakiest target is ${first.label} (AUC ${top(first)!.auc.toFixed(3)}, ${at} ${tprOf(first)}) and the least leaky is ${last.label} (AUC ${top(last)!.auc.toFixed(3)}, ${tprOf(last)}).`,
      );
    }
  }
  return out;
}
