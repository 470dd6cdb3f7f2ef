import { isSmallSlice, MIN_SLICE_SIZE } from '../../metrics/slice-noise.js';
import type { BarGroup, BarPanel, ChartSpec, LegendEntry } from '../chart-spec.js';
import { styleOf } from '../chart-spec.js';
import { fprLabel, headlineFpr } from '../fpr.js';
import type { ReportResult } from '../run-dir.js';
import { entireResults, leakiest, type Target } from '../targets.js';
import { paddedDomain } from './training.js';

const AUC_AXIS = 'AUC (0.5 = guessing)';

function aucDomain(values: number[]): [number, number] {
  return paddedDomain([...values, 0.5], 0, 1, 0.1);
}

/**
 * Attack results of several models on one figure: for each target model (bars grouped by model), one
 * bar per attack, for AUC, attacker advantage and TPR at 1% FPR on the entire dataset. Without TPR at
 * 1% FPR in the results, the TPR panel shows the lowest FPR they have, titled with it; a target
 * without that TPR has no bar there (never a 0), and without any TPR the panel is left out. Undefined
 * with fewer than two targets.
 */
export function modelsChart(id: string, title: string, targets: readonly Target[]): ChartSpec | undefined {
  if (targets.length < 2) return undefined;
  const attacks: string[] = [];
  for (const t of targets)
    for (const r of entireResults(t)) if (!attacks.includes(r.attack)) attacks.push(r.attack);
  if (attacks.length === 0) return undefined;
  const cell = (t: Target, a: string) =>
    t.results.find((r) => r.slice.feature === 'entire_dataset' && r.attack === a);
  const groups = (
    get: (r: ReportResult) => number,
    interval?: (r: ReportResult) => [number, number] | null,
  ): BarGroup[] =>
    attacks.map((a, i) => ({
      key: a,
      name: a,
      style: styleOf(i),
      values: targets.map((t) => {
        const r = cell(t, a);
        return r === undefined ? null : get(r);
      }),
      ...(interval === undefined
        ? {}
        : {
            intervals: targets.map((t) => {
              const r = cell(t, a);
              return r === undefined ? null : interval(r);
            }),
          }),
      notes: targets.map((t) => {
        const r = cell(t, a);
        return r === undefined ? null : `${r.nMembers} members, ${r.nNonMembers} non-members`;
      }),
    }));
  // model first, so that a label cut to fit keeps what tells the models apart ("dense-4 (4 classes)")
  const multi = new Set(targets.map((t) => t.experiment)).size > 1;
  const categories = targets.map((t) =>
    multi && t.experiment !== undefined ? `${t.model ?? 'target'} · ${t.experiment}` : t.label,
  );
  const auc = groups(
    (r) => r.auc,
    (r) => [r.aucInterval.low, r.aucInterval.high],
  );
  const adv = groups((r) => r.advantage);
  const fpr = headlineFpr(targets.flatMap((t) => entireResults(t)));
  const tpr =
    fpr === undefined
      ? []
      : groups(
          (r) => r.tprAtFpr[fpr]?.tpr ?? Number.NaN,
          (r) => {
            const e = r.tprAtFpr[fpr];
            return e === undefined ? null : [e.low, e.high];
          },
        ).map((g) => ({
          ...g,
          values: g.values.map((v) => (v === null || Number.isNaN(v) ? null : v)),
        }));
  const panel = (
    title: string,
    y: BarPanel['y'],
    baseline: number,
    g: BarGroup[],
    baselineLabel?: string,
  ): BarPanel => {
    const p: BarPanel = {
      kind: 'bar',
      title,
      categoryLabel: 'Target model',
      categories,
      y,
      baseline,
      groups: g,
    };
    if (baselineLabel !== undefined) p.baselineLabel = baselineLabel;
    return p;
  };
  const vals = (g: BarGroup[]) =>
    g
      .flatMap((x) => [...x.values, ...(x.intervals ?? []).flatMap((iv) => iv ?? [])])
      .filter((v): v is number => v !== null);
  const legend: LegendEntry[] = attacks.map((a, i) => ({
    key: a,
    name: a,
    style: styleOf(i),
    swatch: 'box',
  }));
  const width = Math.max(360, Math.min(640, 60 + targets.length * (attacks.length * 16 + 24)));
  return {
    id,
    title,
    caption:
      'Each target model under each attack, on the entire dataset, with 95% intervals (AUC: DeLong; TPR: Clopper–Pearson). ' +
      'Taller bars leak more only where the intervals do not overlap much; the comparison in words says which differences are beyond the noise.',
    columns: width > 480 ? 1 : fpr === undefined ? 2 : 3,
    panelWidth: width,
    panelHeight: 330,
    legend,
    panels: [
      panel(
        'AUC',
        { label: AUC_AXIS, scale: 'linear', domain: aucDomain(vals(auc)) },
        0.5,
        auc,
        'chance (AUC 0.5)',
      ),
      panel(
        'Attacker advantage',
        {
          label: 'Advantage (max TPR − FPR)',
          scale: 'linear',
          domain: paddedDomain([0, ...vals(adv)], 0, 1, 0.1),
        },
        0,
        adv,
      ),
      ...(fpr === undefined
        ? []
        : [
            panel(
              `TPR at ${fprLabel(fpr)} FPR`,
              {
                label: `TPR at ${fprLabel(fpr)} FPR (fraction of members)`,
                scale: 'linear',
                domain: paddedDomain([0, Number(fpr), ...vals(tpr)], 0, 1, 0.05),
              },
              0,
              tpr,
            ),
          ]),
    ],
  };
}

const FAMILIES: { feature: ReportResult['slice']['feature']; title: string; axis: string }[] = [
  { feature: 'class', title: 'By class', axis: 'Class (true label)' },
  { feature: 'correctly_classified', title: 'By correctness', axis: 'Prediction of the target model' },
  { feature: 'loss_decile', title: 'By loss decile', axis: 'Loss decile (1 = lowest loss)' },
  { feature: 'custom', title: 'Custom slices', axis: 'Slice' },
];

/**
 * Vulnerability per slice of one target: the AUC of its (up to) `maxAttacks` leakiest attacks on each
 * slice, one panel per slice family present (class, correctness, loss decile, custom), bars growing
 * from the chance level 0.5. `classNames` label the class bars. Undefined when the target has no
 * slice other than the entire dataset.
 */
export function slicesChart(
  id: string,
  title: string,
  target: Target,
  classNames?: readonly string[],
  maxAttacks = 4,
): ChartSpec | undefined {
  const attacks = entireResults(target)
    .slice(0, maxAttacks)
    .map((r) => r.attack);
  if (attacks.length === 0) {
    for (const r of [...target.results].sort(leakiest))
      if (!attacks.includes(r.attack) && attacks.length < maxAttacks) attacks.push(r.attack);
  }
  const panels: BarPanel[] = [];
  for (const fam of FAMILIES) {
    const rows = target.results.filter((r) => r.slice.feature === fam.feature && attacks.includes(r.attack));
    if (rows.length === 0) continue;
    const values: (string | number | boolean)[] = [];
    for (const r of rows) {
      const v = (r.slice as { value: string | number | boolean }).value;
      if (!values.includes(v)) values.push(v);
    }
    // Classes and deciles ascending; "correct" before "misclassified"; custom slices as given.
    if (fam.feature === 'class' || fam.feature === 'loss_decile')
      values.sort((a, b) => Number(a) - Number(b));
    if (fam.feature === 'correctly_classified') values.sort((a, b) => Number(b) - Number(a));
    const categories = values.map((v) =>
      fam.feature === 'class'
        ? (classNames?.[Number(v)] ?? String(v))
        : fam.feature === 'correctly_classified'
          ? v
            ? 'correct'
            : 'misclassified'
          : String(v),
    );
    const groups: BarGroup[] = attacks.map((a, i) => {
      const find = (v: string | number | boolean) =>
        rows.find((r) => r.attack === a && (r.slice as { value: unknown }).value === v);
      return {
        key: a,
        name: a,
        style: styleOf(i),
        values: values.map((v) => find(v)?.auc ?? null),
        intervals: values.map((v) => {
          const r = find(v);
          return r === undefined ? null : [r.aucInterval.low, r.aucInterval.high];
        }),
        muted: values.map((v) => {
          const r = find(v);
          return r !== undefined && isSmallSlice(r);
        }),
        notes: values.map((v) => {
          const r = find(v);
          if (r === undefined) return null;
          const small = isSmallSlice(r) ? `; fewer than ${MIN_SLICE_SIZE}: too small to compare` : '';
          return `${r.nMembers} members, ${r.nNonMembers} non-members${small}`;
        }),
      };
    });
    const all = groups
      .flatMap((g) => [...g.values, ...(g.intervals ?? []).flatMap((iv) => iv ?? [])])
      .filter((v): v is number => v !== null);
    panels.push({
      kind: 'bar',
      title: fam.title,
      categoryLabel: fam.axis,
      categories,
      y: { label: AUC_AXIS, scale: 'linear', domain: aucDomain(all) },
      baseline: 0.5,
      baselineLabel: 'chance (AUC 0.5)',
      groups,
    });
  }
  if (panels.length === 0) return undefined;
  const legend: LegendEntry[] = attacks.map((a, i) => ({
    key: a,
    name: a,
    style: styleOf(i),
    swatch: 'box',
  }));
  const wide = panels.some((p) => p.categories.length > 4);
  return {
    id,
    title,
    caption:
      'How vulnerable each slice of the data is: AUC of the leakiest attacks restricted to the slice, ' +
      `with its 95% interval (DeLong). Grey bars: fewer than ${MIN_SLICE_SIZE} members or non-members, too small to compare. ` +
      'A bar above the entire dataset means more leakage only when the intervals say so; hover a bar for its sample counts.',
    columns: wide ? 1 : panels.length,
    panelWidth: wide ? 720 : 420,
    panelHeight: 330,
    legend,
    panels,
  };
}
