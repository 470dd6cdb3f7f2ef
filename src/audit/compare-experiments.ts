/**
 * What the experiments mode found, in words and one table: per experiment which model leaks more and
 * by how much (its strongest attack's AUC, attacker advantage and TPR at 1% FPR at the end of
 * training), how that lines up with the generalization gap, where the per-epoch AUC peaked; then
 * across experiments, how the same architecture fares with fewer classes and where the difference
 * between the compared models is largest. Pure functions over what the run directory holds
 * (experiments.json, results.json, history.json, privacy-by-epoch.json), so the audit prints it and
 * the report (`mia report`) writes the same sentences from the files.
 */
import type { PrivacyPoint } from './privacy-collection.js';
import type { AttackResult } from './run-attacks.js';
import type { ExperimentsFile } from './run-format/index.js';

/** experiments.json: what the experiments mode compared (written by experiments.ts; schema in run-format/). */
export type { ExperimentsFile };

/** The minimal training history read here (history.json's models). */
export interface HistoryLike {
  id: string;
  epochs: readonly { epoch: number; trainAccuracy: number; valAccuracy: number | null }[];
}

/** One model of one experiment at the end of training. */
export interface ModelStanding {
  experiment: string;
  model: string;
  /** The attack with the highest AUC on the entire dataset, and that AUC. */
  attack: string;
  auc: number;
  /** Standard error of that AUC: DeLong's (results.json aucInterval.se). */
  aucStandardError: number;
  /**
   * That attack's seed-to-seed standard deviation of the AUC (experiments.json attackSeedSpread; 0 for
   * a threshold attack or when not recorded).
   */
  seedStd: number;
  /** The best TPR at 1% FPR with its Clopper–Pearson interval, when computed. */
  tprAt1: { tpr: number; low: number; high: number } | undefined;
  /** Attacker advantage of that attack. */
  advantage: number;
  /** The highest TPR at 1% FPR over the attacks; NaN when the fpr_targets left out 1%. */
  tprAt1Fpr: number;
  /** Last epoch's training and validation accuracy (fractions), when recorded. */
  trainAccuracy: number | undefined;
  valAccuracy: number | undefined;
  /** trainAccuracy − valAccuracy, when both are known. */
  gap: number | undefined;
  /** The highest per-epoch AUC over the attacks run during training, when they ran. */
  peak: { auc: number; epoch: number; attack: string } | undefined;
  /** Per attacked epoch (ascending), the highest AUC over the attacks run during training. */
  byEpoch: { epoch: number; auc: number }[];
}

export interface ExperimentsComparison {
  /** Sentences: the dataset used, one paragraph per experiment, then the findings across experiments. */
  lines: string[];
  /** Every (experiment, model), in experiment order. */
  standings: ModelStanding[];
}

/** Differences of AUC below this count as "about equal" whatever the sample sizes. */
export const EQUAL_AUC = 0.005;

/**
 * The standard error of an AUC `auc` measured on `m` members and `n` non-members, by Hanley & McNeil
 * (1982, Radiology 143:29–36, eq. 2) with Q1 = A/(2−A), Q2 = 2A²/(1+A):
 * SE = √((A(1−A) + (m−1)(Q1−A²) + (n−1)(Q2−A²)) / (m·n)). NaN when m or n is 0.
 */
export function aucStandardError(auc: number, m: number, n: number): number {
  if (m < 1 || n < 1) return Number.NaN;
  const a = auc;
  const q1 = a / (2 - a);
  const q2 = (2 * a * a) / (1 + a);
  const v = (a * (1 - a) + (m - 1) * (q1 - a * a) + (n - 1) * (q2 - a * a)) / (m * n);
  return Math.sqrt(Math.max(0, v));
}

/**
 * Twice the noise of the AUC difference of two models: 2·√(SE_a² + SE_b² + s_a² + s_b²), with the
 * DeLong SEs (sampling noise, the two estimates treated as independent — a rough guide, as both
 * models are attacked on the same samples) and each attack's seed-to-seed standard deviation s.
 */
export function comparisonBand(a: AucStanding, b: AucStanding): number {
  return 2 * Math.hypot(a.aucStandardError, b.aucStandardError, a.seedStd, b.seedStd);
}

/** What the comparison rule needs of a model: its AUC, the AUC's standard error and seed spread. */
export type AucStanding = Pick<ModelStanding, 'auc' | 'aucStandardError' | 'seedStd'>;

/**
 * True when two models' AUCs differ by less than EQUAL_AUC or by less than {@link comparisonBand}: the
 * case-study rule for "leaks about equally" (the service's run comparison uses it too).
 */
export function aboutEqual(a: AucStanding, b: AucStanding): boolean {
  const d = Math.abs(a.auc - b.auc);
  return d < EQUAL_AUC || d < comparisonBand(a, b);
}

/**
 * A 95% interval on p_a − p_b from the two proportions' own 95% intervals by Newcombe's MOVER
 * (Newcombe 1998, method 10, here with Clopper–Pearson ends): [d − √((p_a−l_a)² + (u_b−p_b)²),
 * d + √((u_a−p_a)² + (p_b−l_b)²)].
 */
export function differenceInterval(
  a: { tpr: number; low: number; high: number },
  b: { tpr: number; low: number; high: number },
): [number, number] {
  const d = a.tpr - b.tpr;
  return [d - Math.hypot(a.tpr - a.low, b.high - b.tpr), d + Math.hypot(a.high - a.tpr, b.tpr - b.low)];
}

const f3 = (x: number) => x.toFixed(3);
/** A TPR in percent; "not computed" when the run's FPR targets left out 1% (NaN). */
const pct = (x: number) => (Number.isNaN(x) ? 'not computed' : `${(100 * x).toFixed(1)}%`);
const signed = (x: number) => `${x >= 0 ? '+' : '−'}${f3(Math.abs(x))}`;

/** The highest AUC over attacks at each epoch of `points`, by ascending epoch. */
function bestByEpoch(points: readonly PrivacyPoint[]): { epoch: number; auc: number }[] {
  const m = new Map<number, number>();
  for (const p of points) m.set(p.epoch, Math.max(m.get(p.epoch) ?? Number.NEGATIVE_INFINITY, p.auc));
  return [...m.entries()].sort((x, y) => x[0] - y[0]).map(([epoch, auc]) => ({ epoch, auc }));
}

/** The standing of model `id` in `experiment` (undefined when it has no entire-dataset result there). */
function standing(
  experiment: string,
  id: string,
  results: readonly (AttackResult & { experiment?: string; model?: string })[],
  history: readonly HistoryLike[],
  points: readonly PrivacyPoint[],
  spreads: ExperimentsFile['models'],
): ModelStanding | undefined {
  const entire = results.filter(
    (r) => r.experiment === experiment && r.model === id && r.slice.feature === 'entire_dataset',
  );
  if (entire.length === 0) return undefined;
  const best = entire.reduce((a, b) => (b.auc > a.auc ? b : a));
  const at1 = entire.flatMap((r) => (r.tprAtFpr['0.01'] !== undefined ? [r.tprAtFpr['0.01']] : []));
  const top1 = at1.length > 0 ? at1.reduce((x, y) => (y.tpr > x.tpr ? y : x)) : undefined;
  const tpr = top1?.tpr ?? Number.NaN;
  const spread = spreads.find((m) => m.id === id)?.attackSeedSpread?.find((x) => x.attack === best.attack);
  const h = history.find((m) => m.id === id);
  const last = h?.epochs[h.epochs.length - 1];
  const train = last?.trainAccuracy;
  const val = last?.valAccuracy ?? undefined;
  const mine = points.filter(
    (p) => p.model === id && (p.experiment === undefined || p.experiment === experiment),
  );
  const top = mine.length === 0 ? undefined : mine.reduce((a, b) => (b.auc > a.auc ? b : a));
  return {
    experiment,
    model: id,
    attack: best.attack,
    auc: best.auc,
    aucStandardError: best.aucInterval?.se ?? aucStandardError(best.auc, best.nMembers, best.nNonMembers),
    seedStd: spread?.aucStd ?? 0,
    tprAt1: top1 === undefined ? undefined : { tpr: top1.tpr, low: top1.low, high: top1.high },
    advantage: best.advantage,
    tprAt1Fpr: tpr,
    trainAccuracy: train,
    valAccuracy: val,
    gap: train !== undefined && val !== undefined ? train - val : undefined,
    peak: top === undefined ? undefined : { auc: top.auc, epoch: top.epoch, attack: top.attack },
    byEpoch: bestByEpoch(mine),
  };
}

/** " (difference +1.0 points, 95% CI −0.3 to +2.3)" of two models' TPR at 1% FPR, when both have one. */
function tprDifference(a: ModelStanding, b: ModelStanding): string {
  if (a.tprAt1 === undefined || b.tprAt1 === undefined) return '';
  const [lo, hi] = differenceInterval(a.tprAt1, b.tprAt1);
  const pts = (x: number) => `${x >= 0 ? '+' : '−'}${(100 * Math.abs(x)).toFixed(1)}`;
  const within = lo <= 0 && hi >= 0 ? ', within the noise' : '';
  return ` (difference ${pts(a.tprAt1.tpr - b.tprAt1.tpr)} points, 95% CI ${pts(lo)} to ${pts(hi)}${within})`;
}

/** "dense-7 leaks more than dense-4: …" for two models of one experiment (a first, leakier). */
function pairSentences(a: ModelStanding, b: ModelStanding): string[] {
  const d = a.auc - b.auc;
  const out: string[] = [];
  const numbers =
    `best AUC ${f3(a.auc)} ± ${f3(a.aucStandardError)} vs ${f3(b.auc)} ± ${f3(b.aucStandardError)} (${signed(d)}; ${a.attack} vs ${b.attack} attack), attacker advantage ` +
    `${f3(a.advantage)} vs ${f3(b.advantage)}, TPR at 1% FPR ${pct(a.tprAt1Fpr)} vs ${pct(b.tprAt1Fpr)}${tprDifference(a, b)}`;
  const equal = aboutEqual(a, b);
  const seeds = a.seedStd > 0 || b.seedStd > 0 ? ' and the attacks’ seed-to-seed spread' : '';
  const noise = `±${f3(comparisonBand(a, b))}, two standard errors of the sampling noise${seeds}`;
  if (equal) {
    out.push(
      `${a.model} and ${b.model} leak about equally: ${numbers}; the AUC difference is within the noise (${noise}).`,
    );
  } else {
    out.push(
      `${a.model} leaks more than ${b.model}: ${numbers}; the AUC difference exceeds the noise (${noise}).`,
    );
  }
  if (a.gap !== undefined && b.gap !== undefined) {
    const acc = (s: ModelStanding) =>
      `${pct(s.trainAccuracy!)} training vs ${pct(s.valAccuracy!)} validation accuracy (gap ${(100 * s.gap!).toFixed(1)} points)`;
    const follows = equal
      ? ''
      : a.gap > b.gap
        ? ' — the model that overfits more leaks more'
        : ' — here leakage does not follow the generalization gap';
    out.push(`At the last epoch ${a.model} has ${acc(a)}, ${b.model} ${acc(b)}${follows}.`);
  }
  if (a.peak !== undefined && b.peak !== undefined) {
    const bAt = new Map(b.byEpoch.map((x) => [x.epoch, x.auc]));
    const common = a.byEpoch.filter((x) => bAt.has(x.epoch));
    const higher = common.filter((x) => x.auc > bAt.get(x.epoch)!).length;
    const during =
      common.length > 1
        ? ` at ${higher} of the ${common.length} epochs both were attacked, ${a.model} had the higher AUC (best attack of each epoch).`
        : '';
    out.push(
      `Measured during training, the AUC of ${a.model} peaked at ${f3(a.peak.auc)} (epoch ${a.peak.epoch}, ${a.peak.attack}) ` +
        `and that of ${b.model} at ${f3(b.peak.auc)} (epoch ${b.peak.epoch}, ${b.peak.attack})${during === '' ? '.' : `;${during}`}`,
    );
  }
  return out;
}

/**
 * The comparison of an experiments-mode run (see the file header). `results` are results.json's
 * results (tagged with experiment and model), `history` history.json's models, `points`
 * privacy-by-epoch.json's points (may be empty). Models without results are left out.
 */
export function compareExperiments(
  file: ExperimentsFile,
  results: readonly (AttackResult & { experiment?: string; model?: string })[],
  history: readonly HistoryLike[],
  points: readonly PrivacyPoint[],
): ExperimentsComparison {
  const lines: string[] = [];
  const ds = file.dataset;
  if (ds.used !== ds.requested) {
    lines.push(
      `Dataset: ${ds.requested} was not found on this machine, so ${ds.used} stood in for it (${ds.source}); every number below describes ${ds.used}.`,
    );
  } else {
    lines.push(`Dataset: ${ds.used} (${ds.source}).`);
  }
  const standings: ModelStanding[] = [];
  const diffs: { name: string; d: number; a: ModelStanding; b: ModelStanding }[] = [];
  file.experiments.forEach((e, i) => {
    const group = e.models
      .map((id) => standing(e.name, id, results, history, points, file.models))
      .filter((s): s is ModelStanding => s !== undefined);
    standings.push(...group);
    if (group.length === 0) return;
    const head = `Experiment ${i + 1}, ${e.name}${e.title !== undefined ? ` (${e.title})` : ''}, ${e.classes} classes:`;
    const ranked = [...group].sort((x, y) => y.auc - x.auc);
    if (ranked.length === 1) {
      const s = ranked[0]!;
      lines.push(
        `${head} ${s.model} reaches best AUC ${f3(s.auc)} (${s.attack}), TPR at 1% FPR ${pct(s.tprAt1Fpr)}.`,
      );
    } else if (ranked.length === 2) {
      const [a, b] = ranked as [ModelStanding, ModelStanding];
      diffs.push({ name: e.name, d: a.auc - b.auc, a, b });
      lines.push(`${head} ${pairSentences(a, b).join(' ')}`);
    } else {
      lines.push(
        `${head} by best AUC, ${ranked.map((s) => `${s.model} ${f3(s.auc)} (TPR at 1% FPR ${pct(s.tprAt1Fpr)})`).join(' > ')}.`,
      );
    }
  });

  // Across experiments: the same configured model on different numbers of classes.
  const byId = new Map<string, ModelStanding>();
  for (const s of standings) if (!byId.has(s.model)) byId.set(s.model, s);
  const byName = new Map<string, { classes: number; s: ModelStanding }[]>();
  for (const m of file.models) {
    const s = byId.get(m.id);
    if (s === undefined) continue;
    byName.set(m.name, [...(byName.get(m.name) ?? []), { classes: m.classes, s }]);
  }
  const classParts: string[] = [];
  const directions = new Set<string>();
  const fewer: string[] = [];
  const more: string[] = [];
  for (const [name, list] of byName) {
    if (list.length < 2) continue;
    const sorted = [...list].sort((x, y) => y.classes - x.classes);
    const hi = sorted[0]!;
    const lo = sorted[sorted.length - 1]!;
    const d = lo.s.auc - hi.s.auc;
    directions.add(`${lo.classes}/${hi.classes}`);
    const equal = aboutEqual(lo.s, hi.s);
    if (!equal) (d < 0 ? fewer : more).push(name);
    classParts.push(
      `${name} ${f3(lo.s.auc)} vs ${f3(hi.s.auc)} (${signed(d)}${equal ? ', within noise' : ''})`,
    );
  }
  if (classParts.length > 0) {
    const [lo, hi] = [...directions][0]!.split('/');
    const n = classParts.length;
    const list = (xs: string[]) => `${xs.join(' and ')} ${xs.length === 1 ? 'leaks' : 'leak'}`;
    const verdict =
      fewer.length === n
        ? `${n === 1 ? 'it leaks' : 'every one of these models leaks'} less with fewer classes`
        : more.length === n
          ? `${n === 1 ? 'it leaks' : 'every one of these models leaks'} more with fewer classes`
          : fewer.length + more.length === 0
            ? 'no difference beyond the noise'
            : `${[
                ...(fewer.length > 0 ? [`${list(fewer)} less`] : []),
                ...(more.length > 0 ? [`${list(more)} more`] : []),
              ].join(', ')} with fewer classes, beyond the noise`;
    lines.push(
      `With ${lo} classes instead of ${hi} (best AUC on ${lo} vs on ${hi} classes): ${classParts.join('; ')} — ${verdict}.`,
    );
  }
  if (diffs.length > 1) {
    const sorted = [...diffs].sort((x, y) => y.d - x.d);
    const top = sorted[0]!;
    const low = sorted[sorted.length - 1]!;
    const separated = diffs.filter((x) => !aboutEqual(x.a, x.b)).length;
    const lead =
      separated === 0
        ? `None of the ${diffs.length} comparisons separates its models beyond the noise; the difference is largest`
        : `${separated} of the ${diffs.length} comparisons ${separated === 1 ? 'separates its' : 'separate their'} models beyond the noise; the difference is largest`;
    lines.push(
      `${lead} in experiment ${top.name} (${top.a.model} over ${top.b.model} by ${f3(top.d)} AUC) ` +
        `and smallest in ${low.name} (${low.a.model} over ${low.b.model} by ${f3(low.d)}).`,
    );
  }
  const all = [...byId.values()].sort((x, y) => y.auc - x.auc);
  if (all.length > 2) {
    const a = all[0]!;
    const z = all[all.length - 1]!;
    lines.push(
      `Of all ${all.length} models, ${a.model} leaks most (AUC ${f3(a.auc)}, TPR at 1% FPR ${pct(a.tprAt1Fpr)}) and ${z.model} least (AUC ${f3(z.auc)}, ${pct(z.tprAt1Fpr)}).`,
    );
  }
  return { lines, standings };
}
