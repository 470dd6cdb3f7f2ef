/** The report's summary: the worst-case leakage in words and numbers, and how the targets compare. */
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
}

const tpr1 = (r: ReportResult) => r.tprAtFpr['0.01'];

/** Slices with fewer members or non-members than this are too noisy to be named as the worst case. */
export const MIN_SLICE = 30;

/**
 * The verdict's rule of thumb, on the entire dataset: "high" when some attack reaches AUC ≥ 0.70 or
 * finds ≥ 10% of members at 1% FPR; "moderate" when AUC ≥ 0.60 or the lower 95% bound of TPR at 1% FPR
 * exceeds 2%; "low" when AUC ≥ 0.52 or that lower bound exceeds 1% (better than guessing); else
 * "none measured".
 */
export function leakageLevel(entire: readonly ReportResult[]): LeakageLevel {
  const auc = Math.max(0, ...entire.map((r) => r.auc));
  const tpr = Math.max(0, ...entire.map((r) => tpr1(r)?.tpr ?? 0));
  const low = Math.max(0, ...entire.map((r) => tpr1(r)?.low ?? 0));
  if (auc >= 0.7 || tpr >= 0.1) return 'high';
  if (auc >= 0.6 || low > 0.02) return 'moderate';
  if (auc >= 0.52 || low > 0.01) return 'low';
  return 'none measured';
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
  const level = leakageLevel(entire);
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
  const byTpr = best(entire, (r) => tpr1(r)?.tpr ?? -1);
  const t = byTpr === undefined ? undefined : tpr1(byTpr);
  if (byTpr !== undefined && t !== undefined) {
    const times = t.tpr / 0.01;
    sentences.push(
      `At a 1% false-positive rate — wrongly accusing 1 non-member in 100 — ${who(byTpr, targets)} identifies ${pct(t.tpr)} of the training members (95% CI ${pct(t.low)}–${pct(t.high)}), ${times >= 1.05 ? `${times.toFixed(1)} times` : 'no more than'} what guessing would find${t.lowSupport ? '; this rests on fewer than 10 false positives, so it is a rough estimate' : ''}.`,
    );
    keyNumbers.push({
      label: 'TPR at 1% FPR',
      value: pct(t.tpr),
      detail: `${who(byTpr, targets)} (CI ${pct(t.low)}–${pct(t.high)})`,
    });
  }
  const byLow = best(entire, (r) => r.tprAtFpr['0.001']?.tpr ?? -1);
  const t0 = byLow?.tprAtFpr['0.001'];
  if (byLow !== undefined && t0 !== undefined) {
    keyNumbers.push({
      label: 'TPR at 0.1% FPR',
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
  return { level, headline: HEADLINES[level], sentences, keyNumbers, comparisons: compareTargets(targets) };
}

/** "In experiment X, A leaks more than B: …" for each experiment with two or more targets, and across experiments. */
function compareTargets(targets: readonly Target[]): string[] {
  const out: string[] = [];
  const top = (t: Target) => entireResults(t)[0];
  const tprOf = (t: Target) => Math.max(0, ...entireResults(t).map((r) => tpr1(r)?.tpr ?? 0));
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
        `${where}, ${name(a)} leaks more than ${name(b)}: best AUC ${top(a)!.auc.toFixed(3)} vs ${top(b)!.auc.toFixed(3)} (${da >= 0 ? '+' : ''}${da.toFixed(3)}), TPR at 1% FPR ${pct(tprOf(a))} vs ${pct(tprOf(b))}.`,
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
        `Across all experiments the leakiest target is ${first.label} (AUC ${top(first)!.auc.toFixed(3)}, TPR at 1% FPR ${pct(tprOf(first))}) and the least leaky is ${last.label} (AUC ${top(last)!.auc.toFixed(3)}, ${pct(tprOf(last))}).`,
      );
    }
  }
  return out;
}
