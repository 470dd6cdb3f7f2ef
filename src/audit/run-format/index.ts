/**
 * The run directory's contract (docs/run-dir.md): every file an audit writes, with a zod schema for each
 * JSON file and the arrays of each .npy / .npz file. The audit's writers build their objects typed by
 * these schemas' input types (`z.input`: the JSON as written), and the report's reader
 * (src/report/run-dir.ts) parses with the same schemas (`z.output`: defaults filled in). docs/run-dir.md's
 * tables are generated from this list (scripts/run-format-doc.ts; test/audit/run-format.test.ts checks
 * that the committed doc is up to date). A new run-directory file is one entry here (plus its schema
 * module), then the doc is generated again.
 */
import { z } from 'zod';
import { EnvironmentFile } from './environment.js';
import { ExperimentsFile } from './experiments.js';
import { HistoryFile } from './history.js';
import { LockFile } from './lock.js';
import { ManifestFile } from './manifest.js';
import { PrivacyByEpochFile, PrivacySideFile } from './privacy.js';
import { ReferenceCurveFile } from './reference-curve.js';
import { ResultsFile } from './results.js';
import { TimingFile } from './timing.js';

export * from './dp-training.js';
export * from './environment.js';
export * from './experiments.js';
export * from './history.js';
export * from './lock.js';
export * from './manifest.js';
export * from './one-run.js';
export * from './privacy.js';
export * from './reference-curve.js';
export * from './results.js';
export * from './timing.js';

/** config.resolved.json: the config after defaults (src/audit/config.ts AuditConfig as JSON). */
export const ResolvedConfigFile = z
  .record(z.string(), z.unknown())
  .describe(
    'The config after defaults, as the pipeline used it: AuditConfig (src/audit/config.ts) as JSON, ' +
      'camelCase keys. The report shows it when config.yaml is missing.',
  );

/** The sizes in the arrays' shapes. */
export const ARRAY_SIZES =
  'M models (row 0 the target), N audit samples, Z population samples, A queries per sample ' +
  '(audit.augmentations), C classes, k sample images';

/** One array of a .npy / .npz file. */
export interface RunArray {
  /** Key in the .npz ("<attack>" for one array per attack); "" for a .npy file's single array. */
  key: string;
  dtype: 'bool' | 'uint8' | 'int32' | 'float32' | 'float64';
  /** Shape in the sizes of {@link ARRAY_SIZES}, e.g. "[A, N, C]". */
  shape: string;
  meaning: string;
}

/** One file or folder of the run directory. */
export interface RunFile {
  /** Path relative to the run directory; `<…>` marks a name part, a trailing / a folder. */
  path: string;
  /** What it holds, in a few words (the doc's tree). */
  summary: string;
  /** The schema of a JSON file. */
  schema?: z.ZodType;
  /** The arrays of a .npy / .npz file. */
  arrays?: readonly RunArray[];
  /** More about the file, for its section of the doc. */
  details?: string;
}

const SCORES_ARRAYS: readonly RunArray[] = [
  {
    key: '<attack>',
    dtype: 'float64',
    shape: '[N]',
    meaning:
      "one per attack: the attack's score per audit sample (higher = more likely a member); NaN = not scored (a trained attack's own training rows)",
  },
  { key: 'is_member', dtype: 'bool', shape: '[N]', meaning: "the target's keep row: true = member" },
  { key: 'labels', dtype: 'int32', shape: '[N]', meaning: 'the samples’ labels, when known' },
];

/** Every file of the run directory, in the order of the doc's tree. */
export const RUN_FILES: readonly RunFile[] = [
  { path: 'config.yaml', summary: 'the config as given (copy); --set overrides appended as comments' },
  {
    path: 'config.resolved.json',
    summary: 'the config after defaults, as the pipeline used it',
    schema: ResolvedConfigFile,
  },
  {
    path: 'environment.json',
    summary: 'backend, engine, Node and mia-audit versions, dataset, platform, CPUs',
    schema: EnvironmentFile,
  },
  { path: 'timing.json', summary: 'the wall time of each stage of the latest run', schema: TimingFile },
  {
    path: 'log.txt',
    summary:
      'the full console log of every run, appended, each run after a `# <time> mia <args> (pid N)` line',
    details:
      'Every line `mia audit` / `mia demo` printed, including each per-epoch progress line that a terminal ' +
      'shows as one line per model rewritten in place. It grows with each run and is not in manifest.json ' +
      '(it is not reused).',
  },
  {
    path: 'keep.npy',
    summary: 'which model trained on which audit sample',
    arrays: [
      {
        key: '',
        dtype: 'bool',
        shape: '[M, N]',
        meaning: 'model m trained on audit sample i (row 0 = the target)',
      },
    ],
  },
  {
    path: 'models/<model-id>/<request-hash>/',
    summary: 'the trained models (the trainOrLoad cache); reused on a rerun',
    details:
      'Ids target, ref-01, … (experiments mode: the model’s slug); the layout is the model store’s (src/models/store.ts)',
  },
  { path: 'history.json', summary: 'every model’s training history per epoch', schema: HistoryFile },
  {
    path: 'privacy-by-epoch.json',
    summary: 'optional: the attacks run during training, per model and epoch',
    schema: PrivacyByEpochFile,
  },
  {
    path: 'privacy/<model-id>.json',
    summary: 'per model: the points of the attacks run during training, with their key',
    schema: PrivacySideFile,
  },
  {
    path: 'signals/<model-id>.npz',
    summary: 'per model: its logits on the audit and population samples, with their key',
    arrays: [
      {
        key: 'logits',
        dtype: 'float32',
        shape: '[A, N, C]',
        meaning: 'the model’s logits on the N audit samples, one block per query',
      },
      {
        key: 'pop_logits',
        dtype: 'float32',
        shape: '[A, Z, C]',
        meaning: 'the same on the Z population samples (absent when Z = 0)',
      },
      {
        key: 'scaled_logit',
        dtype: 'float32',
        shape: '[N, A]',
        meaning: 'φ = z_y − logsumexp_{k≠y} z_k per sample and query (LiRA’s signal)',
      },
      {
        key: 'pop_scaled_logit',
        dtype: 'float32',
        shape: '[Z, A]',
        meaning: 'the same on the population samples',
      },
      { key: 'labels', dtype: 'int32', shape: '[N]', meaning: 'the audit samples’ labels' },
      { key: 'pop_labels', dtype: 'int32', shape: '[Z]', meaning: 'the population samples’ labels' },
      {
        key: 'key',
        dtype: 'uint8',
        shape: '[64]',
        meaning: 'the hex SHA-256 key the file was computed for (model hash, data hash, queries)',
      },
    ],
  },
  {
    path: 'scores.npz',
    summary: 'the attacks’ scores per audit sample (experiment 0)',
    arrays: SCORES_ARRAYS,
    details:
      'Several targets in one file: keys `<model>/<key>` or `<experiment>/<model>/<key>` (experiments mode: ' +
      '`<experiment>/<model>/<attack>`, `…/is_member`, `…/labels`); unprefixed keys belong to the run’s first target.',
  },
  {
    path: 'scores/experiment-<e>.npz',
    summary: 'the same arrays as scores.npz, for experiment e ≥ 1',
    arrays: SCORES_ARRAYS,
  },
  {
    path: 'records.csv',
    summary: 'the riskiest records: every audit sample with its scores, ranks and risk rank (experiment 0)',
    details:
      'Reference mode. One row per audit sample of the first target on the primary exposure, in risk order. ' +
      'Columns: `index` (the audit sample: its column in keep.npy), `label`, `member` (1 = in the target’s ' +
      'half), `risk_rank` (1 = most exposed), `flagged_at_<fpr>` per FPR target (attacks whose score is ≥ ' +
      'their entire-dataset threshold at that FPR), then `<attack>_score` and `<attack>_rank` per attack ' +
      '(1 + samples scored strictly higher; empty = not scored). risk_rank orders by the flag counts from ' +
      'the lowest FPR up, then the best rank over the attacks (src/audit/records.ts).',
  },
  {
    path: 'results.json',
    summary: 'every attack on every slice, their spread over experiments, notes and key',
    schema: ResultsFile,
  },
  {
    path: 'reference-curve.json',
    summary: 'audit.reference_models {min, max, until} only: the metric after each pair of references',
    schema: ReferenceCurveFile,
  },
  {
    path: 'experiments.json',
    summary: 'experiments mode only: the dataset, experiments and models compared',
    schema: ExperimentsFile,
  },
  {
    path: 'samples.npz',
    summary: 'optional: a few training images for the sample grid',
    arrays: [
      {
        key: 'x',
        dtype: 'float32',
        shape: '[k, h, w, c]',
        meaning: 'up to 16 of the target’s training images (images only)',
      },
      { key: 'y', dtype: 'int32', shape: '[k]', meaning: 'their labels' },
    ],
  },
  { path: 'report/', summary: 'report.html (self-contained, no network) and every chart as .svg and .png' },
  {
    path: 'manifest.json',
    summary: 'size and SHA-256 of every reusable file, recorded as it was written; checked on a rerun',
    schema: ManifestFile,
  },
  {
    path: 'run.lock',
    summary: 'while a process writes the run directory: its PID, host and start time',
    schema: LockFile,
  },
];
