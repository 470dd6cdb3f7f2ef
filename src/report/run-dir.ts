/**
 * Reads an audit's run directory (docs/run-dir.md) for the report: results.json (required), and the
 * optional scores.npz (and scores/experiment-<e>.npz), history.json, privacy-by-epoch.json, samples.npz,
 * environment.json, timing.json, experiments.json (the experiments mode), config.yaml /
 * config.resolved.json. Every file is validated where it is read. A malformed results.json is a
 * MiaError naming the file and the field (`results.json:results[3].auc`); an optional file that cannot
 * be read (truncated, not a zip, invalid JSON, wrong schema) is left out and listed in
 * `RunData.unreadable` with the reason, so the report is still written without its charts.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { z } from 'zod';
import type { ExperimentsFile } from '../audit/compare-experiments.js';
import type { AttackResult } from '../audit/run-attacks.js';
import { isMiaError, MiaError } from '../errors.js';
import { readFileOrThrow } from '../io/atomic.js';
import { readJsonFile } from '../io/json.js';
import { toBool, toFloat32, toFloat64, toInt32 } from '../io/npy.js';
import { readNpz } from '../io/npz.js';
import { type AttackResultsCollection, parseCollection } from './collection.js';
import { parseWith } from './validate.js';

/** One result of results.json: the `mia attack --json` schema plus the run's experiment and model. */
export type ReportResult = AttackResult & { experiment?: string; model?: string };

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

export interface EpochRow {
  epoch: number;
  trainLoss: number;
  trainAccuracy: number;
  valLoss: number | null;
  valAccuracy: number | null;
}

export interface HistoryModel {
  id: string;
  label: string;
  role: string;
  epochs: EpochRow[];
}

/** Sample training images: x is k × h × w × c (c = 1 or 3), row-major. */
export interface SampleImages {
  x: Float32Array;
  k: number;
  h: number;
  w: number;
  c: number;
  y: Int32Array;
}

export interface TimingStage {
  stage: string;
  seconds: number;
  reused: boolean;
}

export interface RunData {
  dir: string;
  results: ReportResult[];
  /** results.json's mean ± std over experiments, when the run has several (src/audit/aggregate.ts). */
  aggregate: AggregateRow[] | undefined;
  /** results.json's notes (how attacks were set up), shown in the page. */
  notes: string[];
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

/** One line saying why reading `path` failed, without repeating the path. */
export function unreadableReason(e: unknown, path: string): string {
  if (!isMiaError(e)) return e instanceof Error ? e.message : String(e);
  const where = e.where ?? '';
  const rest = where.startsWith(path) ? where.slice(path.length).replace(/^:/, '') : where;
  const ef: string[] = [];
  if (e.expected !== undefined) ef.push(`expected ${e.expected}`);
  if (e.found !== undefined) ef.push(`found ${e.found}`);
  const line = `[${e.code}]${rest === '' ? '' : ` at ${rest}`}: ${e.message}${ef.length > 0 ? ` (${ef.join(', ')})` : ''}`;
  return line.replace(/\s*\n\s*/g, ' ');
}

const num = z.number();
const TprEntry = z.looseObject({ tpr: num, low: num, high: num, lowSupport: z.boolean() });
const SliceSchema = z.union([
  z.object({ feature: z.literal('entire_dataset') }),
  z.object({ feature: z.literal('class'), value: z.number().int() }),
  z.object({ feature: z.literal('correctly_classified'), value: z.boolean() }),
  z.object({ feature: z.literal('loss_decile'), value: z.number().int() }),
  z.object({ feature: z.literal('custom'), value: z.string() }),
]);
const ResultSchema = z.looseObject({
  attack: z.string(),
  signal: z.string(),
  slice: SliceSchema,
  nMembers: z.number().int().nonnegative(),
  nNonMembers: z.number().int().nonnegative(),
  auc: num,
  advantage: num,
  ppv: num,
  tprAtFpr: z.record(z.string(), TprEntry),
  // JSON has no Infinity: an unbounded ε is written as null.
  epsilonLowerBound: num.nullable(),
  epsilon: z
    .looseObject({
      estimate: num.nullable(),
      low: num.nullable(),
      high: num.nullable(),
      thresholdsTried: num,
    })
    .optional(),
  note: z.string().optional(),
  experiment: z.string().optional(),
  model: z.string().optional(),
});
const Spread = z.looseObject({
  mean: num.nullable(),
  std: num.nullable(),
  min: num.nullable(),
  max: num.nullable(),
});
const AggregateSchema = z.looseObject({
  attack: z.string(),
  signal: z.string(),
  slice: SliceSchema,
  experiments: z.number().int(),
  auc: Spread,
  advantage: Spread,
  tprAtFpr: z.record(z.string(), Spread),
  epsilonLowerBound: Spread,
});
const ResultsFile = z.looseObject({
  results: z.array(ResultSchema),
  aggregate: z.array(AggregateSchema).optional(),
  notes: z.array(z.string()).optional(),
});

/** Mean, sample standard deviation, min and max of a metric over experiments (null where JSON had NaN). */
export interface Spread {
  mean: number | null;
  std: number | null;
  min: number | null;
  max: number | null;
}

/** results.json's `aggregate`: one attack × slice over the run's experiments (src/audit/aggregate.ts). */
export interface AggregateRow {
  attack: string;
  signal: string;
  slice: ReportResult['slice'];
  experiments: number;
  auc: Spread;
  advantage: Spread;
  tprAtFpr: Record<string, Spread>;
  epsilonLowerBound: Spread;
}
const EpochSchema = z.looseObject({
  epoch: z.number().int(),
  trainLoss: num,
  trainAccuracy: num,
  valLoss: num.nullable().optional(),
  valAccuracy: num.nullable().optional(),
});
const HistoryFile = z.looseObject({
  models: z.array(
    z.looseObject({
      id: z.string(),
      label: z.string().optional(),
      role: z.string().optional(),
      epochs: z.array(EpochSchema),
    }),
  ),
});
const ExperimentsSchema = z.looseObject({
  dataset: z.looseObject({
    requested: z.string(),
    used: z.string(),
    source: z.string(),
    note: z.string().optional(),
  }),
  experiments: z.array(
    z.looseObject({
      name: z.string(),
      title: z.string().optional(),
      models: z.array(z.string()),
      classes: z.number().int(),
    }),
  ),
  models: z.array(
    z.looseObject({
      id: z.string(),
      name: z.string(),
      architecture: z.string(),
      params: z.number().int(),
      classes: z.number().int(),
      members: z.number().int(),
      nonMembers: z.number().int(),
      epochs: z.number().int(),
    }),
  ),
  privacy: z
    .looseObject({ everyEpochs: z.number().int(), attacks: z.array(z.string()), samples: z.number().int() })
    .optional(),
});
const TimingFile = z.looseObject({
  stages: z.array(z.looseObject({ stage: z.string(), seconds: num, reused: z.boolean().optional() })),
});

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
} {
  const path = join(runDir, 'results.json');
  if (!existsSync(path)) {
    throw new MiaError('E_IO', 'no results.json: not a run directory, or its audit has not finished', {
      where: path,
    });
  }
  const file = parseWith(ResultsFile, readJsonFile(path), path);
  const results = file.results.map(
    (r) => ({ ...r, epsilonLowerBound: r.epsilonLowerBound ?? Number.POSITIVE_INFINITY }) as ReportResult,
  );
  return { results, aggregate: file.aggregate as AggregateRow[] | undefined, notes: file.notes ?? [] };
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
  return parseWith(HistoryFile, v, path).models.map((m) => ({
    id: m.id,
    label: m.label ?? m.id,
    role: m.role ?? 'target',
    epochs: m.epochs.map((e) => ({
      epoch: e.epoch,
      trainLoss: e.trainLoss,
      trainAccuracy: e.trainAccuracy,
      valLoss: e.valLoss ?? null,
      valAccuracy: e.valAccuracy ?? null,
    })),
  }));
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
    unreadable.push({ file: relative(runDir, path) || path, reason: unreadableReason(e, path) });
    return undefined;
  }
}

/**
 * Reads everything the report uses from `runDir` (see the module comment). Only results.json can make
 * it throw; an unreadable optional file is left undefined (or its scores out) and listed in `unreadable`.
 */
export function readRunDir(runDir: string): RunData {
  const { results, aggregate, notes } = readResultsFile(runDir);
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
  const environment = optional('environment.json', (path) => {
    const v = optionalJson(path);
    return v === undefined ? undefined : parseWith(z.record(z.string(), z.unknown()), v, path);
  });
  const timing = optional('timing.json', (path) => {
    const v = optionalJson(path);
    return v === undefined
      ? undefined
      : parseWith(TimingFile, v, path).stages.map((s) => ({
          stage: s.stage,
          seconds: s.seconds,
          reused: s.reused ?? false,
        }));
  });
  const experiments = optional('experiments.json', (path) => {
    const v = optionalJson(path);
    return v === undefined ? undefined : (parseWith(ExperimentsSchema, v, path) as ExperimentsFile);
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
    aggregate,
    notes,
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
    unreadable,
  };
}
