/**
 * `mia gate`: a privacy regression gate over an audit's results.json. Each check compares one metric
 * of one attack result (attack × slice × experiment × target) with a ceiling (`--max-auc`, `--max-tpr`,
 * `--max-epsilon`) or, against a baseline run, its increase with a largest allowed increase
 * (`--max-increase`, gate-baseline.ts). Under the default rule `interval` a ceiling fails only when the
 * 95% interval's lower bound is above it (the leak is established, not a noisy estimate); under `point`
 * the estimate itself is compared.
 */
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import {
  type MetricName,
  type MetricValue,
  metricLabel,
  metricOf,
  parseMetricName,
} from '../audit/result-metric.js';
import { ResultsFile } from '../audit/run-format/results.js';
import { MiaError } from '../errors.js';
import { readJsonFile } from '../io/json.js';
import { type SliceSpec, sliceLabel } from '../metrics/slicing.js';
import type { ReportResult } from './run-dir.js';
import { parseWith } from './validate.js';

/** How a ceiling is judged: the interval's lower bound (default) or the point estimate. */
export type GateRule = 'interval' | 'point';

/** A ceiling on a metric: `--max-auc 0.6`, `--max-tpr 0.01:0.05`, `--max-epsilon 2`. */
export interface Ceiling {
  metric: MetricName;
  max: number;
}

/** Which slices the checks cover, as `--slice` names them. */
export interface SliceSelector {
  /** As written. */
  text: string;
  matches(slice: SliceSpec): boolean;
}

/** One check and its verdict. */
export interface GateCheck {
  kind: 'ceiling' | 'increase';
  /** `auc`, `tpr@0.01`, `epsilon`. */
  metric: string;
  /** `rmia · entire dataset` (+ ` · experiment 1`, ` · model m`). */
  subject: string;
  attack: string;
  /** Ceiling: the metric with its 95% interval. Increase: new − baseline with its 95% interval. */
  value: MetricValue;
  /** The ceiling, or the largest allowed increase. */
  limit: number;
  /** Increase checks: the baseline's metric. */
  baseline?: MetricValue;
  /** The number compared with the limit, in words: "interval lower bound", "estimate", "paired bootstrap …". */
  method: string;
  pass: boolean;
}

/** A results.json as the gate reads it, with the run directory it came from (if any). */
export interface GateResults {
  /** The results.json path. */
  file: string;
  /** The run directory, when RESULTS named one (or results.json sits in one with scores.npz). */
  runDir?: string;
  results: ReportResult[];
}

/**
 * Reads RESULTS: a results.json file or a run directory holding one, parsed with the run-format
 * schema (src/audit/run-format/results.ts). Throws E_IO when neither exists, E_JSON when malformed.
 */
export function readGateResults(path: string): GateResults {
  const isDir = existsSync(path) && statSync(path).isDirectory();
  const file = isDir ? join(path, 'results.json') : path;
  if (!existsSync(file)) {
    throw new MiaError('E_IO', isDir ? 'no results.json in this run directory' : 'no such file', {
      where: file,
      expected: 'a results.json or a run directory of `mia audit`',
    });
  }
  const parsed = parseWith(ResultsFile, readJsonFile(file), file);
  const dir = isDir ? path : join(file, '..');
  const runDir = existsSync(join(dir, 'scores.npz')) ? dir : undefined;
  return { file, ...(runDir !== undefined ? { runDir } : {}), results: parsed.results as ReportResult[] };
}

/**
 * Parses a `--slice` value: `entire` (the default), `class:<k>`, `class` (every class), `correct`,
 * `misclassified`, `loss-decile:<d>`, `loss-decile` (every decile), `custom:<name>` or `all`. Throws
 * E_UNKNOWN_NAME for anything else.
 */
export function parseSliceSelector(text: string): SliceSelector {
  const [family = '', arg] = text.split(/[:=]/, 2);
  const f = family.replace(/_/g, '-');
  const num = arg === undefined ? undefined : Number(arg);
  const is = (feature: SliceSpec['feature'], value?: unknown) => (s: SliceSpec) =>
    s.feature === feature && (value === undefined || ('value' in s && s.value === value));
  let matches: ((s: SliceSpec) => boolean) | undefined;
  if (f === 'all' && arg === undefined) matches = () => true;
  else if ((f === 'entire' || f === 'entire-dataset') && arg === undefined) matches = is('entire_dataset');
  else if ((f === 'correct' || f === 'correctly-classified') && arg === undefined)
    matches = is('correctly_classified', true);
  else if (f === 'misclassified' && arg === undefined) matches = is('correctly_classified', false);
  else if (f === 'class' && (arg === undefined || Number.isInteger(num))) matches = is('class', num);
  else if (f === 'loss-decile' && (arg === undefined || Number.isInteger(num)))
    matches = is('loss_decile', num);
  else if (f === 'custom' && arg !== undefined) matches = is('custom', arg);
  if (matches === undefined) {
    throw new MiaError('E_UNKNOWN_NAME', `unknown slice '${text}'`, {
      where: '--slice',
      expected:
        'entire, class[:k], correct, misclassified, loss-decile[:d], custom:<name> or all (e.g. --slice class:3)',
    });
  }
  return { text, matches };
}

/** Parses `FPR:TPR` of `--max-tpr` (e.g. `0.01:0.05`). Throws E_USAGE naming the flag. */
export function parseTprCeiling(text: string): Ceiling {
  const [a, b] = text.split(':');
  const fpr = Number(a);
  const tpr = Number(b);
  if (b === undefined || !(fpr > 0 && fpr < 1) || !(tpr >= 0 && tpr <= 1) || a === '' || b === '') {
    throw new MiaError('E_USAGE', 'give --max-tpr as FPR:TPR, both rates, e.g. 0.01:0.05', {
      where: 'mia gate --max-tpr',
      found: text,
    });
  }
  return { metric: { kind: 'tpr', fpr }, max: tpr };
}

/** Parses `METRIC:DELTA` of `--max-increase` (e.g. `auc:0.02`, `tpr@0.01:0.01`). */
export function parseIncrease(text: string): Ceiling {
  const i = text.lastIndexOf(':');
  const delta = Number(text.slice(i + 1));
  if (i <= 0 || text.slice(i + 1) === '' || !(delta >= 0)) {
    throw new MiaError('E_USAGE', 'give --max-increase as METRIC:DELTA, DELTA ≥ 0, e.g. auc:0.02', {
      where: 'mia gate --max-increase',
      found: text,
    });
  }
  return { metric: parseMetricName(text.slice(0, i), 'mia gate --max-increase'), max: delta };
}

/** `rmia · entire dataset`, with ` · experiment e` and ` · model m` when the result names them. */
export function subjectOf(r: ReportResult): string {
  const parts = [r.attack, sliceLabel(r.slice)];
  if (r.experiment !== undefined) parts.push(`experiment ${r.experiment}`);
  if (r.model !== undefined) parts.push(`model ${r.model}`);
  return parts.join(' · ');
}

/**
 * The results the checks cover: those of `attacks` (all when undefined) on the selected slices. Throws
 * E_UNKNOWN_NAME for an attack the results do not hold (listing those they do), E_MISSING_FIELD when a
 * selector matches no result.
 */
export function selectResults(
  g: GateResults,
  attacks: readonly string[] | undefined,
  slices: readonly SliceSelector[],
): ReportResult[] {
  const names = [...new Set(g.results.map((r) => r.attack))];
  for (const a of attacks ?? []) {
    if (!names.includes(a)) {
      throw new MiaError('E_UNKNOWN_NAME', `no attack '${a}' in the results`, {
        where: g.file,
        expected: names.join(', ') || 'results with at least one attack',
        found: a,
      });
    }
  }
  const byAttack = g.results.filter((r) => attacks === undefined || attacks.includes(r.attack));
  for (const s of slices) {
    if (!byAttack.some((r) => s.matches(r.slice))) {
      throw new MiaError('E_MISSING_FIELD', `no result on slice '${s.text}'`, {
        where: g.file,
        expected: 'a slice the audit computed (audit.slices)',
      });
    }
  }
  return byAttack.filter((r) => slices.some((s) => s.matches(r.slice)));
}

/** The number a ceiling is judged on: the interval's lower bound, or the estimate. */
export function judged(v: MetricValue, rule: GateRule): number {
  return rule === 'interval' ? v.low : v.value;
}

/** Every ceiling on every selected result (in the order ceilings × results). */
export function ceilingChecks(
  results: readonly ReportResult[],
  ceilings: readonly Ceiling[],
  rule: GateRule,
  file: string,
): GateCheck[] {
  const out: GateCheck[] = [];
  for (const c of ceilings) {
    for (const r of results) {
      const value = metricOf(r, c.metric, file);
      out.push({
        kind: 'ceiling',
        metric: metricLabel(c.metric),
        subject: subjectOf(r),
        attack: r.attack,
        value,
        limit: c.max,
        method: rule === 'interval' ? 'interval lower bound' : 'estimate',
        pass: !(judged(value, rule) > c.max),
      });
    }
  }
  return out;
}
