/** The report's summary: the worst-case leakage in words and numbers, and how the targets compare. */
import { clopperPearsonLower, normalQuantileBounds } from '../metrics/intervals.js';
import { compareSlices, MIN_SLICE_SIZE } from '../metrics/slice-noise.js';
import { dpAuditRows, dpAuditSentences } from './dp-audit.js';
import { type DpContext, headlineDpClaim } from './dp-headline.js';
import { fprKeysOf, fprLabel } from './fpr.js';
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

/** Slices with fewer members or non-members than this are too noisy to be compared or named (metrics/slice-noise.ts). */
export const MIN_SLICE = MIN_SLICE_SIZE;

/** The lowest FPR key at which the entire dataset holds ≥ 10 non-member false positives (⌊f·n₀⌋ ≥ 10). */
export function resolvableFpr(entire: readonly ReportResult[]): string | undefined {
  if (entire.length === 0) return undefined;
  const n0 = Math.min(...entire.map((r) => r.nNonMembers));
  return fprKeysOf(entire).find((k) => Math.floor(Number(k) * n0 + 1e-9) >= 10);
}

/** The verdict and the number that decided it (see {@link leakageLevel}). */
export interface Verdict {
  level: LeakageLevel;
  decidedBy: string;
}

/**
 * The verdict on the entire dataset from intervals, Bonferroni-corrected over the A attacks (each bound
 * at one-sided error 0.025 / A): L_AUC = AUC − z·SE (DeLong), L_TPR = the Clopper–Pearson lower bound of
 * TPR at `fpr` (the lowest resolvable FPR). "high" when L_AUC ≥ 0.70 or L_TPR ≥ 10·fpr; "moderate" when
 * L_AUC ≥ 0.60 or L_TPR > 2·fpr; "low" when L_AUC > 0.5 or L_TPR > fpr; else "none measured".
 */
export function leakageVerdict(
  entire: readonly ReportResult[],
  fpr: string | undefined = resolvableFpr(entire),
): Verdict {
  const a = Math.max(1, entire.length);
  const alpha = 0.025 / a;
  const zb = normalQuantileBounds(alpha);
  const z = 0.5 * (zb.below + zb.above);
  const f = fpr === undefined ? Number.NaN : Number(fpr);
  let bestAuc: { r: ReportResult; low: number } | undefined;
  let bestTpr: { r: ReportResult; low: number } | undefined;
  for (const r of entire) {
    const low = r.auc - z * r.aucInterval.se;
    if (bestAuc === undefined || low > bestAuc.low) bestAuc = { r, low };
    const e = fpr === undefined ? undefined : r.tprAtFpr[fpr];
    if (e !== undefined) {
      const t = clopperPearsonLower(e.truePositives, r.nMembers, alpha);
      if (bestTpr === undefined || t > bestTpr.low) bestTpr = { r, low: t };
    }
  }
  const corr = a > 1 ? `, corrected for ${a} attacks` : '';
  const aucText = (x: { r: ReportResult; low: number }) =>
    `the lower 95% bound of ${x.r.attack}'s AUC is ${x.low.toFixed(3)}${corr}`;
  const tprText = (x: { r: ReportResult; low: number }) =>
    `the lower 95% bound of ${x.r.attack}'s TPR at ${fprLabel(fpr!)} FPR is ${pct(x.low)}${corr}`;
  const rules: [LeakageLevel, number, number][] = [
    ['high', 0.7, 10],
    ['moderate', 0.6, 2],
    ['low', 0.5, 1],
  ];
  for (const [level, aucMin, times] of rules) {
    const strict = level === 'low';
    if (bestTpr !== undefined && (strict ? bestTpr.low > times * f : bestTpr.low >= times * f)) {
      return { level, decidedBy: `${tprText(bestTpr)}, above ${pctOf(times * f)}` };
    }
    if (bestAuc !== undefined && (strict ? bestAuc.low > aucMin : bestAuc.low >= aucMin)) {
      return {
        level,
        decidedBy: `${aucText(bestAuc)}, ${strict ? 'above' : 'at least'} ${aucMin.toFixed(2)}`,
      };
    }
  }
  const parts = [bestAuc && aucText(bestAuc), bestTpr && tprText(bestTpr)].filter((x) => x !== undefined);
  return {
    level: 'none measured',
    decidedBy: parts.length === 0 ? 'no results' : `${parts.join('; ')}: neither beats chance`,
  };
}

/** The verdict's level (see {@link leakageVerdict}). */
export function leakageLevel(entire: readonly ReportResult[], fpr?: string): LeakageLevel {
  return leakageVerdict(entire, fpr ?? resolvableFpr(entire)).level;
}

const pctOf = (f: number) => `${Number((f * 100).toPrecision(3))}%`;

/** The verdict rule of {@link leakageVerdict} in words, at FPR key `fpr` (the lowest resolvable one). */
export function verdictRule(fpr: string | undefined): string {
  const tail = 'TPR at a low FPR is the number to trust most (Carlini et al. 2022).';
  const bounds =
    'Lower 95% bounds, Bonferroni-corrected over the attacks: of the AUC (DeLong) and, where the audit can resolve it (≥ 10 non-member false positives), of the TPR at the lowest such FPR (Clopper–Pearson).';
  if (fpr === undefined) {
    return `Verdict rule (entire dataset): ${bounds} No FPR target is resolvable, so AUC decides: high = bound ≥ 0.70; moderate = ≥ 0.60; low = above 0.5. ${tail}`;
  }
  const f = Number(fpr);
  const at = fprLabel(fpr);
  return `Verdict rule (entire dataset): ${bounds} high = AUC bound ≥ 0.70 or TPR bound at ${at} FPR ≥ ${pctOf(10 * f)}; moderate = AUC bound ≥ 0.60 or TPR bound ≥ ${pctOf(2 * f)}; low = AUC bound above 0.5 or TPR bound above ${pctOf(f)}. ${tail}`;
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

const sameTarget = (a: ReportResult, b: ReportResult) => a.model === b.model && a.experiment === b.experiment;

/**
 * The slice named as "most exposed" (metrics/slice-noise.ts compareSlices, per target): among slices
 * with ≥ {@link MIN_SLICE} members and non-members, the one whose AUC beats the same attack's
 * entire-dataset AUC by the most standard errors, and only beyond the one-sided Bonferroni critical
 * value over every slice × attack compared. Undefined when no slice beats the whole beyond the noise.
 */
export function mostExposedSlice(
  results: readonly ReportResult[],
): { slice: ReportResult; entire: ReportResult; compared: number } | undefined {
  const c = compareSlices(results, sameTarget);
  return c.exposed === undefined ? undefined : { ...c.exposed, compared: c.compared };
}

/**
 * The summary of `results` (see {@link Summary}); the verdict follows {@link leakageVerdict}, TPR is
 * headlined at the lowest resolvable FPR (never a figure on fewer than 10 false positives alone), the
 * ε lower bound only from `dp`'s claim (random membership), the most exposed slice per
 * {@link mostExposedSlice}.
 */
export function summarizeResults(results: readonly ReportResult[], dp: DpContext = {}): Summary {
  const targets = targetsOf(results);
  const entire = results.filter((r) => r.slice.feature === 'entire_dataset');
  const resolvable = resolvableFpr(entire);
  const fpr = resolvable ?? fprKeysOf(entire)[0];
  const verdict = leakageVerdict(entire, resolvable);
  const level = verdict.level;
  const tprAt = (r: ReportResult) => (fpr === undefined ? undefined : r.tprAtFpr[fpr]);
  const sentences: string[] = [];
  const keyNumbers: KeyNumber[] = [];
  const worstEntire = best(entire, (r) => r.auc);
  if (worstEntire !== undefined) {
    const ai = worstEntire.aucInterval;
    const chance =
      ai.low <= 0.5 ? '; the interval includes 0.5, so it is not distinguishable from chance' : '';
    sentences.push(
      `On the entire dataset the strongest attack is ${who(worstEntire, targets)}, with AUC ${worstEntire.auc.toFixed(3)} (95% CI ${ai.low.toFixed(3)}–${ai.high.toFixed(3)}, ${ai.method}; 0.5 is a coin flip, 1 is perfect${chance}) and attacker advantage ${worstEntire.advantage.toFixed(3)} (the largest gap between the share of members and of non-members it flags).`,
    );
    keyNumbers.push({
      label: 'Highest AUC',
      value: worstEntire.auc.toFixed(3),
      detail: `${who(worstEntire, targets)} (CI ${ai.low.toFixed(3)}–${ai.high.toFixed(3)})`,
    });
  }
  const byTpr = best(entire, (r) => tprAt(r)?.tpr ?? -1);
  const t = byTpr === undefined ? undefined : tprAt(byTpr);
  if (fpr !== undefined && byTpr !== undefined && t !== undefined) {
    const f = Number(fpr);
    const times = t.tpr / f;
    const why =
      resolvable === undefined
        ? ' (no FPR target has 10 non-member false positives in this audit, so this is the lowest computed)'
        : fpr === '0.01'
          ? ''
          : ' (the lowest FPR this audit resolves: at least 10 non-member false positives)';
    const rough = t.lowSupport
      ? '; this rests on fewer than 10 false positives, so it is a rough estimate'
      : '';
    sentences.push(
      `At a ${fprLabel(fpr)} false-positive rate${why} — ${accusing(f)} — ${who(byTpr, targets)} identifies ${pct(t.tpr)} of the training members (95% CI ${pct(t.low)}–${pct(t.high)}), ${times >= 1.05 && t.low > f ? `${times.toFixed(1)} times (at least ${(t.low / f).toFixed(1)} times at the interval's lower end)` : 'not measurably more than'} what guessing would find${rough}.`,
    );
    keyNumbers.push({
      label: `TPR at ${fprLabel(fpr)} FPR`,
      value: pct(t.tpr),
      detail: `${who(byTpr, targets)} (CI ${pct(t.low)}–${pct(t.high)})${t.lowSupport ? ' — fewer than 10 false positives: rough' : ''}`,
    });
  } else if (entire.length > 0) {
    sentences.push('TPR at a fixed false-positive rate was not computed for this run.');
    keyNumbers.push({
      label: 'TPR at 1% FPR',
      value: 'not computed',
      detail: 'no FPR targets in results.json',
    });
  }
  sentences.push(`Verdict ${level}: ${verdict.decidedBy}.`);
  const claim = headlineDpClaim(dp.dpClaims);
  if (claim === undefined) {
    sentences.push(
      `No differential-privacy claim: ${dp.membership?.detail ?? 'the inputs do not record whether membership was drawn at random, which an ε lower bound needs'}.`,
    );
  } else if (claim.epsilon < 0.005) {
    sentences.push(
      `No attack proves a positive ε lower bound at ${Math.round(claim.confidence * 100)}% confidence (corrected for ${claim.attacksCorrected} attack${claim.attacksCorrected === 1 ? '' : 's'} and every threshold and ratio they offer).`,
    );
  } else {
    const at = claim.at;
    const point =
      at === undefined
        ? ''
        : ` It comes from the threshold score ≥ ${at.threshold.toPrecision(4)}, where ${pct(at.tpr)} of members and ${pct(at.fpr)} of non-members are flagged, and is driven by ${at.ratio === 'fpr' ? 'how few non-members are flagged' : 'how few members are missed'}.`;
    sentences.push(
      `Because each audit sample's membership was drawn at random, the audit can bound privacy: with ${Math.round(claim.confidence * 100)}% confidence (${claim.method === 'one-run' ? `corrected for the ${claim.thresholdsCorrected} numbers of guesses tried` : `corrected for ${claim.attacksCorrected} attack${claim.attacksCorrected === 1 ? '' : 's'} and every threshold and ratio they offer`}) the training is not (ε, δ = ${claim.delta})-differentially private for any ε below ${claim.epsilon.toFixed(2)} (${claim.method === 'one-run' ? 'Steinke et al. one-run bound' : 'best threshold test'}, ${claim.attack}).${point}`,
    );
    keyNumbers.push({
      label: 'ε lower bound',
      value: claim.epsilon.toFixed(2),
      detail: `${Math.round(claim.confidence * 100)}% joint confidence, ${claim.attack}`,
    });
  }
  sentences.push(...dpAuditSentences(dpAuditRows(dp)));
  const sliced = compareSlices(results, sameTarget);
  const exposed = sliced.exposed;
  if (exposed !== undefined) {
    const w = exposed.slice;
    sentences.push(
      `The most exposed slice is ${sliceName(w)} (${w.nMembers} members, ${w.nNonMembers} non-members), where ${who(w, targets)} reaches AUC ${w.auc.toFixed(3)} (CI ${w.aucInterval.low.toFixed(3)}–${w.aucInterval.high.toFixed(3)}) against ${exposed.entire.auc.toFixed(3)} on the entire dataset — beyond the noise after correcting for ${sliced.compared} slice × attack comparisons.`,
    );
    keyNumbers.push({
      label: 'Most exposed slice',
      value: w.auc.toFixed(3),
      detail: `${sliceName(w)}, ${who(w, targets)} (CI ${w.aucInterval.low.toFixed(3)}–${w.aucInterval.high.toFixed(3)}; entire dataset ${exposed.entire.auc.toFixed(3)})`,
    });
  } else if (results.some((r) => r.slice.feature !== 'entire_dataset')) {
    sentences.push(
      `No slice leaks more than the entire dataset beyond the noise (${sliced.compared} slice × attack comparisons, Bonferroni-corrected; slices under ${MIN_SLICE} members or non-members are too small to compare and are shown greyed).`,
    );
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
    rule: verdictRule(resolvable),
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
