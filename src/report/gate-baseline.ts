/**
 * `mia gate --baseline OLD --max-increase METRIC:DELTA`: a metric fails when its increase over the
 * baseline run is larger than DELTA beyond the noise, not when noise moves it.
 *
 * - Two runs on the same audit samples (both run directories, the same `data` and `run.seed` in
 *   config.resolved.json, identical is_member and labels in scores.npz; entire-dataset results of the
 *   first target): a paired, stratified bootstrap over the audit samples of new − old (the same
 *   resampled members and non-members score both runs), its 95% percentile interval.
 * - Otherwise (or for ε, or another slice): the difference of two independent estimates with the
 *   MOVER interval (Zou & Donner 2008, "Construction of confidence limits about effect measures"),
 *   built from the two runs' own 95% intervals: low = d − √((v₁ − l₁)² + (u₀ − v₀)²), high =
 *   d + √((u₁ − v₁)² + (v₀ − l₀)²), d = v₁ − v₀ (the form of Newcombe's hybrid score interval).
 *
 * Rule `interval`: fail when the interval's lower bound on the increase exceeds DELTA; rule `point`:
 * when d does.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { type MetricName, type MetricValue, metricLabel, metricOf } from '../audit/result-metric.js';
import { canonicalJson } from '../core/canonical-json.js';
import { MiaError } from '../errors.js';
import { readJsonFile } from '../io/json.js';
import { auc } from '../metrics/auc.js';
import { rocCurve } from '../metrics/roc.js';
import { tprAtFpr } from '../metrics/tpr-at-fpr.js';
import { Rng } from '../rng.js';
import { type Ceiling, type GateCheck, type GateResults, type GateRule, judged, subjectOf } from './gate.js';
import { type ReportResult, type RunScores, readScores } from './run-dir.js';

/** Bootstrap resamples of the paired test. */
export const PAIRED_RESAMPLES = 400;

/** The MOVER interval on v₁ − v₀ from the two estimates' own intervals (see the module header). */
export function moverDifference(now: MetricValue, before: MetricValue): MetricValue {
  const d = now.value - before.value;
  const low = d - Math.hypot(now.value - now.low, before.high - before.value);
  const high = d + Math.hypot(now.high - now.value, before.value - before.low);
  return { value: d, low: Number.isNaN(low) ? -Infinity : low, high: Number.isNaN(high) ? Infinity : high };
}

function metricOnScores(scores: Float64Array, isMember: Uint8Array, m: MetricName): number {
  const roc = rocCurve(scores, isMember);
  return m.kind === 'auc' ? auc(roc) : tprAtFpr(roc, m.kind === 'tpr' ? m.fpr : 0).tpr;
}

/**
 * The paired, stratified bootstrap of metric(new) − metric(old) over the same audit samples: members and
 * non-members are each resampled with replacement (seeded), both score vectors are read at the same
 * rows, and the interval is the 2.5% and 97.5% quantiles of the `resamples` differences (value: the
 * difference on the samples themselves). AUC and TPR at FPR only.
 */
export function pairedDifference(
  now: Float64Array,
  before: Float64Array,
  isMember: Uint8Array,
  m: MetricName,
  resamples = PAIRED_RESAMPLES,
  seed = 1,
): MetricValue {
  const members: number[] = [];
  const nonMembers: number[] = [];
  for (let i = 0; i < isMember.length; i++) (isMember[i] === 1 ? members : nonMembers).push(i);
  const n = isMember.length;
  const rng = new Rng(seed);
  const a = new Float64Array(n);
  const b = new Float64Array(n);
  const labels = new Uint8Array(n);
  labels.fill(1, 0, members.length);
  const diffs = new Float64Array(resamples);
  for (let r = 0; r < resamples; r++) {
    let j = 0;
    for (const group of [members, nonMembers]) {
      for (let k = 0; k < group.length; k++, j++) {
        const i = group[rng.int(group.length)]!;
        a[j] = now[i]!;
        b[j] = before[i]!;
      }
    }
    diffs[r] = metricOnScores(a, labels, m) - metricOnScores(b, labels, m);
  }
  diffs.sort();
  const q = (p: number) => diffs[Math.min(resamples - 1, Math.max(0, Math.floor(p * resamples)))]!;
  const value = metricOnScores(now, isMember, m) - metricOnScores(before, isMember, m);
  return { value, low: q(0.025), high: q(0.975) };
}

/** The audit samples' identity of a run directory: its `data` and `run.seed`, canonical JSON. */
function sampleIdentity(runDir: string): string | undefined {
  const path = join(runDir, 'config.resolved.json');
  if (!existsSync(path)) return undefined;
  const c = readJsonFile(path) as { data?: unknown; run?: { seed?: unknown } };
  if (c.data === undefined || c.run?.seed === undefined) return undefined;
  return canonicalJson({ data: c.data, seed: c.run.seed });
}

function sameArray(a: ArrayLike<number> | undefined, b: ArrayLike<number> | undefined): boolean {
  if (a === undefined || b === undefined || a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** The first target's scores of both runs when they share their audit samples, else undefined. */
export function sharedScores(now: GateResults, before: GateResults): [RunScores, RunScores] | undefined {
  if (now.runDir === undefined || before.runDir === undefined) return undefined;
  const id = sampleIdentity(now.runDir);
  if (id === undefined || id !== sampleIdentity(before.runDir)) return undefined;
  const a = readScores(join(now.runDir, 'scores.npz'))[0];
  const b = readScores(join(before.runDir, 'scores.npz'))[0];
  if (a === undefined || b === undefined || !sameArray(a.isMember, b.isMember)) return undefined;
  if (!sameArray(a.labels, b.labels)) return undefined;
  return [a, b];
}

const sameSlice = (a: ReportResult, b: ReportResult) => canonicalJson(a.slice) === canonicalJson(b.slice);

const allFinite = (x: Float64Array | undefined): x is Float64Array =>
  x?.every((v) => Number.isFinite(v)) === true;

/**
 * One check per selected result and increase: the matching baseline result (same attack, slice,
 * experiment and model) — E_MISSING_FIELD naming the baseline file when there is none — and the
 * increase judged as the module header says.
 */
export function increaseChecks(
  now: GateResults,
  results: readonly ReportResult[],
  before: GateResults,
  increases: readonly Ceiling[],
  rule: GateRule,
): GateCheck[] {
  const shared = rule === 'interval' ? sharedScores(now, before) : undefined;
  const out: GateCheck[] = [];
  for (const c of increases) {
    for (const r of results) {
      const old = before.results.find(
        (b) =>
          b.attack === r.attack && sameSlice(b, r) && b.experiment === r.experiment && b.model === r.model,
      );
      if (old === undefined) {
        throw new MiaError('E_MISSING_FIELD', `the baseline has no result for ${subjectOf(r)}`, {
          where: before.file,
          expected: 'the same attacks and slices as the results (or narrow them with --attack / --slice)',
        });
      }
      const v1 = metricOf(r, c.metric, now.file);
      const v0 = metricOf(old, c.metric, before.file);
      let value = moverDifference(v1, v0);
      let method = rule === 'interval' ? 'MOVER lower bound of the increase' : 'increase of the estimates';
      const firstTarget = r.experiment === undefined || r.experiment === '0';
      if (
        shared !== undefined &&
        c.metric.kind !== 'epsilon' &&
        r.slice.feature === 'entire_dataset' &&
        firstTarget
      ) {
        const [a, b] = shared;
        const sa = a.byAttack.get(r.attack);
        const sb = b.byAttack.get(r.attack);
        if (allFinite(sa) && allFinite(sb) && (r.model === undefined || r.model === a.model)) {
          value = pairedDifference(sa, sb, a.isMember, c.metric);
          method = `paired bootstrap lower bound (${PAIRED_RESAMPLES} resamples, same audit samples)`;
        }
      }
      out.push({
        kind: 'increase',
        metric: metricLabel(c.metric),
        subject: subjectOf(r),
        attack: r.attack,
        value,
        limit: c.max,
        baseline: v0,
        method,
        pass: !(judged(value, rule) > c.max),
      });
    }
  }
  return out;
}
