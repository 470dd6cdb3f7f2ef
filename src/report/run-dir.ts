/**
 * Reads an audit's run directory (docs/run-dir.md) for the report: results.json (required), and the
 * optional scores.npz (and scores/experiment-<e>.npz), history.json, privacy-by-epoch.json, samples.npz,
 * environment.json, timing.json, experiments.json (the experiments mode), reference-curve.json, config.yaml /
 * config.resolved.json. Every file is validated where it is read, with the schemas of the run
 * directory's contract (src/audit/run-format/; environment.json as any JSON object, shown as it is; the
 * config files as text). A malformed results.json is a MiaError naming the file and the field
 * (`results.json:results[3].auc`); an optional file that cannot be read (truncated, not a zip, invalid
 * JSON, wrong schema) is left out and listed in `RunData.unreadable` with the reason, so the report is
 * still written without its charts.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { z } from 'zod';
import type { AttackResult } from '../audit/run-attacks.js';
import {
  type AggregateJson,
  type EpochJson,
  ExperimentsFile,
  HistoryFile,
  type HistoryModelJson,
  type ReferenceCurve,
  ReferenceCurveFile,
  ResultsFile,
  type SpreadJson,
  TimingFile,
  type TimingStage,
} from '../audit/run-format/index.js';
import { MiaError } from '../errors.js';
import { readFileOrThrow } from '../io/atomic.js';
import { readJsonFile } from '../io/json.js';
import { toBool, toFloat32, toFloat64, toInt32 } from '../io/npy.js';
import { readNpz } from '../io/npz.js';
import { unreadableReason } from '../io/unreadable.js';
import { type AttackResultsCollection, parseCollection } from './collection.js';
import type { DpContext } from './dp-headline.js';
import { type RecordsSummary, readRecords } from './records.js';
import { parseWith } from './validate.js';

/**
 * One result of results.json as read (src/audit/run-format/results.ts; an unbounded ε lower bound, null
 * in the file, as +Infinity), typed as the audit's results (AttackResult plus the run's experiment and
 * model) so that the CLI's formatters and compare-experiments.ts take it. Only `epsilon`, which the
 * report does not read, is looser in the file: absent in older files, null where a bound is NaN.
 */
export type ReportResult = AttackResult & { experiment?: string; model?: string; exposure?: string };

/** One target model's scores from scores.npz (or scores/experiment-<e>.npz). */
export interface RunScores {
  /** The model the scores belong to: the keys' prefix ('' when keys carry none). */
  model: string;
  /** The experiment of the file: "<e>" for scores/experiment-<e>.npz; undefined for scores.npz. */
  experiment?: string;
  isMember: Uint8Array;
  labels?: Int32Array;
  /** Attack name → one score per sample (NaN = not scored by that attack, e.g. a trained attack's training rows). */
  byAttack: Map<string, Float64Array>;
}

/** One epoch of history.json as read (validation loss and accuracy null when absent). */
export type EpochRow = z.output<typeof EpochJson>;

/** One model of history.json as read (label defaults to the id, role to "target"). */
export type HistoryModel = z.output<typeof HistoryModelJson>;

/** Sample training images: x is k × h × w × c (c = 1 or 3), row-major. */
export interface SampleImages {
  x: Float32Array;
  k: number;
  h: number;
  w: number;
  c: number;
  y: Int32Array;
}

export type { TimingStage };

export interface RunData {
  dir: string;
  /** The results of the run's primary exposure (the first of audit.exposure; all results without one). */
  results: ReportResult[];
  /** Every result of every exposure when the run swept audit.exposure, else empty (report/exposure.ts). */
  exposureResults: ReportResult[];
  /** results.json's mean ± std over experiments, when the run has several (src/audit/aggregate.ts). */
  aggregate: AggregateRow[] | undefined;
  /** results.json's notes (how attacks were set up), shown in the page. */
  notes: string[];
  /** results.json's membership design and DP claims (absent = no DP claim). */
  dp: DpContext;
  scores: RunScores[];
  history: HistoryModel[] | undefined;
  privacy: AttackResultsCollection | undefined;
  samples: SampleImages | undefined;
  environment: Record<string, unknown> | undefined;
  timing: TimingStage[] | undefined;
  /** config.yaml as written, else config.resolved.json pretty-printed, else undefined. */
  configText: string | undefined;
  configName: string | undefined;
  /** Class names from environment.json's dataset.classNames, when given. */
  classNames: string[] | undefined;
  /** experiments.json of an experiments-mode run (what was compared), when present. */
  experiments: ExperimentsFile | undefined;
  /** records.csv's top records (report/records.ts), when the run wrote one. */
  records: RecordsSummary | undefined;
  /** reference-curve.json (audit.reference_models {min, max, until}), when present. */
  referenceCurve: ReferenceCurve | undefined;
  /** Optional files present but unreadable, left out of the report (in the order read). */
  unreadable: UnreadableFile[];
}

/** An optional file of the run directory that exists but could not be read. */
export interface UnreadableFile {
  /** Path relative to the run directory ("scores.npz", "scores/experiment-1.npz"). */
  file: string;
  /** Why, in one line ("[E_ZIP] not a valid zip archive", "[E_JSON] at 2:1: …"). */
  reason: string;
}

/** Mean, sample standard deviation, min and max of a metric over experiments (null where JSON had NaN). */
export type Spread = z.output<typeof SpreadJson>;

/** results.json's `aggregate`: one attack × slice over the run's experiments (src/audit/aggregate.ts). */
export type AggregateRow = z.output<typeof AggregateJson>;

function optionalJson(path: string): unknown {
  return existsSync(path) ? readJsonFile(path) : undefined;
}

/** results.json's results; E_IO naming the path when it is missing, E_JSON when malformed. */
export function readResults(runDir: string): ReportResult[] {
  return readResultsFile(runDir).results;
}

/** results.json: results, and the optional aggregate over experiments and notes of the pipeline. */
export function readResultsFile(runDir: string): {
  results: ReportResult[];
  aggregate: AggregateRow[] | undefined;
  notes: string[];
  dp: DpContext;
} {
  const path = join(runDir, 'results.json');
  if (!existsSync(path)) {
    throw new MiaError('E_IO', 'no results.json: not a run directory, or its audit has not finished', {
      where: path,
    });
  }
  const file = parseWith(ResultsFile, readJsonFile(path), path);
  const dp: DpContext = {
    ...(file.membership !== undefined ? { membership: file.membership } : {}),
    ...(file.dpClaims !== undefined ? { dpClaims: file.dpClaims } : {}),
    ...(file.dpTraining !== undefined ? { dpTraining: file.dpTraining } : {}),
  };
  return {
    results: file.results as ReportResult[],
    aggregate: file.aggregate,
    notes: file.notes ?? [],
    dp,
  };
}

/**
 * Every scores file of the run: scores.npz, then scores/experiment-<e>.npz in order of e (the audit
 * pipeline writes experiment 0 to scores.npz and experiment e ≥ 1 there); see {@link readScores}.
 */
export function readAllScores(runDir: string, unreadable?: UnreadableFile[]): RunScores[] {
  const out: RunScores[] = [];
  const read = (path: string): RunScores[] => {
    if (unreadable === undefined) return readScores(path);
    return tryOptional(runDir, path, unreadable, () => readScores(path)) ?? [];
  };
  if (existsSync(join(runDir, 'scores.npz'))) out.push(...read(join(runDir, 'scores.npz')));
  const dir = join(runDir, 'scores');
  if (existsSync(dir)) {
    const files = readdirSync(dir)
      .map((f) => /^experiment-(\d+)\.npz$/.exec(f))
      .filter((m): m is RegExpExecArray => m !== null)
      .sort((a, b) => Number(a[1]) - Number(b[1]));
    for (const m of files) {
      for (const s of read(join(dir, m[0]))) out.push({ ...s, experiment: String(Number(m[1])) });
    }
  }
  return out;
}

/**
 * scores.npz: `is_member` bool [N], optional `labels` int32 [N], and one float64 [N] array per attack.
 * Several targets use `<model>/<key>` for every key (e.g. `conv/is_member`, `conv/threshold`).
 * Throws E_MISSING_FIELD (no is_member for a model), E_SHAPE_MISMATCH (an array of another length).
 */
export function readScores(path: string): RunScores[] {
  const arrays = readNpz(path);
  const models = new Map<string, Map<string, Float64Array>>();
  const isMember = new Map<string, Uint8Array>();
  const labels = new Map<string, Int32Array>();
  for (const [key, arr] of arrays) {
    const slash = key.lastIndexOf('/');
    const model = slash < 0 ? '' : key.slice(0, slash);
    const name = slash < 0 ? key : key.slice(slash + 1);
    const where = `${path}:${key}`;
    if (arr.shape.length !== 1) {
      throw new MiaError('E_SHAPE_MISMATCH', `${key} must be 1-d`, {
        where,
        found: `shape [${arr.shape.join(', ')}]`,
      });
    }
    if (name === 'is_member') isMember.set(model, toBool(arr, where));
    else if (name === 'labels') labels.set(model, toInt32(arr, where));
    else {
      let m = models.get(model);
      if (m === undefined) models.set(model, (m = new Map()));
      m.set(name, toFloat64(arr, where));
    }
  }
  const out: RunScores[] = [];
  for (const [model, byAttack] of models) {
    const member = isMember.get(model);
    const prefix = model === '' ? '' : `${model}/`;
    if (member === undefined) {
      throw new MiaError('E_MISSING_FIELD', `${prefix}is_member is required beside the scores`, {
        where: path,
      });
    }
    const lab = labels.get(model);
    for (const [name, a] of [...byAttack, ...(lab ? [['labels', lab] as const] : [])]) {
      if (a.length !== member.length) {
        throw new MiaError(
          'E_SHAPE_MISMATCH',
          `${prefix}${name} and ${prefix}is_member have different lengths`,
          {
            where: `${path}:${prefix}${name}`,
            expected: `${member.length}`,
            found: `${a.length}`,
          },
        );
      }
    }
    out.push(
      lab === undefined
        ? { model, isMember: member, byAttack }
        : { model, isMember: member, labels: lab, byAttack },
    );
  }
  return out;
}

function readHistory(path: string): HistoryModel[] | undefined {
  const v = optionalJson(path);
  if (v === undefined) return undefined;
  return parseWith(HistoryFile, v, path).models;
}

/** samples.npz: `x` [k, h, w, c] (or [k, h, w]) and `y` [k]; undefined when absent. */
export function readSamples(path: string): SampleImages | undefined {
  if (!existsSync(path)) return undefined;
  const arrays = readNpz(path);
  const x = arrays.get('x');
  const y = arrays.get('y');
  if (x === undefined || y === undefined) {
    throw new MiaError('E_MISSING_FIELD', `samples.npz needs arrays x and y`, {
      where: path,
      found: [...arrays.keys()].join(', '),
    });
  }
  const [k, h, w, c = 1] = x.shape;
  if ((x.shape.length !== 3 && x.shape.length !== 4) || (c !== 1 && c !== 3) || y.shape[0] !== k) {
    throw new MiaError('E_SHAPE_MISMATCH', 'samples.npz x must be [k, h, w, c] with c = 1 or 3 and y [k]', {
      where: `${path}:x`,
      found: `x [${x.shape.join(', ')}], y [${y.shape.join(', ')}]`,
    });
  }
  return { x: toFloat32(x, `${path}:x`), k: k!, h: h!, w: w!, c, y: toInt32(y, `${path}:y`) };
}

/** `read()` of optional file `path`; when it throws, the file is recorded in `unreadable` and undefined returned. */
function tryOptional<T>(
  runDir: string,
  path: string,
  unreadable: UnreadableFile[],
  read: () => T,
): T | undefined {
  try {
    return read();
  } catch (e) {
    unreadable.push({
      file: relative(runDir, path) || path,
      reason: unreadableReason(e, { path, detail: 'full' }),
    });
    return undefined;
  }
}

/**
 * Reads everything the report uses from `runDir` (see the module comment). Only results.json can make
 * it throw; an unreadable optional file is left undefined (or its scores out) and listed in `unreadable`.
 */
export function readRunDir(runDir: string): RunData {
  const file = readResultsFile(runDir);
  const { notes, dp } = file;
  // a swept run: the page reads the primary exposure everywhere but its exposure section
  const primary = file.results[0]?.exposure;
  const results = file.results.filter((r) => r.exposure === primary);
  const aggregate = file.aggregate?.filter((r) => r.exposure === primary);
  const exposureResults = primary === undefined ? [] : file.results;
  const p = (name: string) => join(runDir, name);
  const unreadable: UnreadableFile[] = [];
  const optional = <T>(name: string, read: (path: string) => T): T | undefined =>
    tryOptional(runDir, p(name), unreadable, () => read(p(name)));
  const scores = readAllScores(runDir, unreadable);
  const history = optional('history.json', readHistory);
  const privacy = optional('privacy-by-epoch.json', (path) => {
    const v = optionalJson(path);
    return v === undefined ? undefined : parseCollection(v, path);
  });
  const samples = optional('samples.npz', readSamples);
  const records = optional('records.csv', (path) => (existsSync(path) ? readRecords(path) : undefined));
  const environment = optional('environment.json', (path) => {
    const v = optionalJson(path);
    return v === undefined ? undefined : parseWith(z.record(z.string(), z.unknown()), v, path);
  });
  const timing = optional('timing.json', (path) => {
    const v = optionalJson(path);
    return v === undefined ? undefined : parseWith(TimingFile, v, path).stages;
  });
  const experiments = optional('experiments.json', (path) => {
    const v = optionalJson(path);
    return v === undefined ? undefined : parseWith(ExperimentsFile, v, path);
  });
  const referenceCurve = optional('reference-curve.json', (path) => {
    const v = optionalJson(path);
    return v === undefined ? undefined : parseWith(ReferenceCurveFile, v, path);
  });
  let configText: string | undefined;
  let configName: string | undefined;
  // config.yaml as written, else config.resolved.json; an unreadable one falls through to the other.
  if (existsSync(p('config.yaml'))) {
    configText = optional('config.yaml', (path) => new TextDecoder().decode(readFileOrThrow(path)));
    if (configText !== undefined) configName = 'config.yaml';
  }
  if (configText === undefined && existsSync(p('config.resolved.json'))) {
    configText = optional('config.resolved.json', (path) => JSON.stringify(readJsonFile(path), null, 2));
    if (configText !== undefined) configName = 'config.resolved.json';
  }
  const dataset = environment?.dataset as { classNames?: unknown } | undefined;
  const classNames =
    Array.isArray(dataset?.classNames) && dataset.classNames.every((s) => typeof s === 'string')
      ? (dataset.classNames as string[])
      : undefined;
  return {
    dir: runDir,
    results,
    exposureResults,
    records,
    aggregate,
    notes,
    dp,
    scores,
    history,
    privacy,
    samples,
    environment,
    timing,
    configText,
    configName,
    classNames,
    experiments,
    referenceCurve,
    unreadable,
  };
}
