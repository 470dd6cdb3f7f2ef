/**
 * Where the files of an audit's run directory are (docs/run-dir.md; their formats: run-format/), opening
 * the directory (startRun) and the clean-up of temp files left by a killed run. Every file is written
 * atomically (src/io/atomic.ts); readers never open temp names.
 */
import { existsSync, mkdirSync, readdirSync, statSync, unlinkSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { MiaError } from '../errors.js';
import { isTempFile, processAlive, writeFileAtomic, writeJsonAtomic } from '../io/atomic.js';
import { type LoadedConfig, resolvedConfigJson } from './config.js';
import { TimingLog } from './timing-log.js';

/** Paths inside a run directory. */
export interface RunPaths {
  root: string;
  configCopy: string;
  resolvedConfig: string;
  environment: string;
  timing: string;
  keep: string;
  /** Parent of the models' cache directories: models/<model-id>/<request hash>/. */
  models: string;
  history: string;
  signals: string;
  scores: string;
  results: string;
  /** records.csv: every audit sample with its scores and risk rank (audit/records.ts). */
  records: string;
  samples: string;
  report: string;
  /** privacy-by-epoch.json: the AttackResultsCollection of the attacks run during training. */
  privacyByEpoch: string;
  /** privacy/<model-id>.json: each model's per-epoch points with their key (tracked-training.ts). */
  privacy: string;
  /** experiments.json: what the experiments mode compared (experiments.ts). */
  experiments: string;
}

/** The paths of the run directory `root`. */
export function runPaths(root: string): RunPaths {
  return {
    root,
    configCopy: join(root, 'config.yaml'),
    resolvedConfig: join(root, 'config.resolved.json'),
    environment: join(root, 'environment.json'),
    timing: join(root, 'timing.json'),
    keep: join(root, 'keep.npy'),
    models: join(root, 'models'),
    history: join(root, 'history.json'),
    signals: join(root, 'signals'),
    scores: join(root, 'scores.npz'),
    results: join(root, 'results.json'),
    records: join(root, 'records.csv'),
    samples: join(root, 'samples.npz'),
    report: join(root, 'report'),
    privacyByEpoch: join(root, 'privacy-by-epoch.json'),
    privacy: join(root, 'privacy'),
    experiments: join(root, 'experiments.json'),
  };
}

/**
 * Creates the run directory of `loaded` (`logDir` replaces run.log_dir) when missing and resolves to its
 * absolute path: E_IO at run.log_dir's position when it cannot be created, and E_IO naming the entry when
 * a file stands where the run directory keeps a folder (`signals`, `models`, …).
 */
export function openRunDir(loaded: LoadedConfig, logDir: string | undefined): string {
  const root = resolve(logDir ?? loaded.config.run.logDir);
  try {
    mkdirSync(root, { recursive: true });
  } catch (e) {
    throw new MiaError('E_IO', `cannot create the log directory: ${(e as Error).message}`, {
      where: logDir !== undefined ? root : loaded.where('run.log_dir'),
    });
  }
  checkRunFolders(runPaths(root));
  return root;
}

/** The folders of a run directory (each must be a folder when present). */
function runFolders(paths: RunPaths): string[] {
  return [paths.models, paths.signals, paths.privacy, join(paths.root, 'scores'), paths.report];
}

/** E_IO (one line) when one of the run directory's folders exists as something else (a file, a FIFO). */
export function checkRunFolders(paths: RunPaths): void {
  for (const dir of runFolders(paths)) {
    let st: ReturnType<typeof statSync> | undefined;
    try {
      st = statSync(dir);
    } catch {
      continue; // missing (created when needed) or unreadable (reported when used)
    }
    if (!st.isDirectory()) {
      throw new MiaError(
        'E_IO',
        `${relative(paths.root, dir)} is a file where the run directory keeps a folder; move it away or remove it`,
        { where: dir, expected: 'a folder (or nothing)', found: 'a file' },
      );
    }
  }
}

/**
 * Opens the run directory of `loaded` (`logDir` replaces run.log_dir; see {@link openRunDir}), removes
 * temp files of killed runs, and writes config.yaml (the text as given, `--set` overrides appended as
 * comments) and config.resolved.json. The caller holds the run lock (run-lock.ts).
 */
export function startRun(
  loaded: LoadedConfig,
  logDir: string | undefined,
): { paths: RunPaths; timing: TimingLog } {
  const root = openRunDir(loaded, logDir);
  const paths = runPaths(root);
  for (const dir of [root, paths.signals, paths.privacy, join(root, 'scores')]) removeStaleTempFiles(dir);
  const applied = loaded.overrides.map((o) => `#   --set ${o}\n`).join('');
  const sep = loaded.text.endsWith('\n') || loaded.text === '' ? '' : '\n';
  writeFileAtomic(
    paths.configCopy,
    applied === '' ? loaded.text : `${loaded.text}${sep}# overridden on the command line:\n${applied}`,
  );
  writeJsonAtomic(paths.resolvedConfig, resolvedConfigJson(loaded.config));
  return { paths, timing: new TimingLog(paths.timing) };
}

/** The per-epoch privacy side file of model `id`: privacy/<id>.json. */
export function privacyPath(paths: RunPaths, id: string): string {
  return join(paths.privacy, `${id}.json`);
}

/** The signal file of model `id`: signals/<id>.npz. */
export function signalsPath(paths: RunPaths, id: string): string {
  return join(paths.signals, `${id}.npz`);
}

/** The scores of experiment e ≥ 1 (experiment 0's are scores.npz): scores/experiment-<e>.npz. */
export function experimentScoresPath(paths: RunPaths, e: number): string {
  return join(paths.root, 'scores', `experiment-${e}.npz`);
}

/**
 * Removes temp files (`<name>.tmp-<pid>-<hex>`, see src/io/atomic.ts) in `dir` whose writer process is
 * gone; returns how many were removed. Directories (the model store's temp dirs) are left to the store.
 */
export function removeStaleTempFiles(dir: string): number {
  if (!existsSync(dir)) return 0;
  let removed = 0;
  for (const ent of readdirSync(dir, { withFileTypes: true })) {
    if (!ent.isFile() || !isTempFile(ent.name)) continue;
    const pid = Number(/\.tmp-(\d+)-[0-9a-f]{16}$/.exec(ent.name)?.[1]);
    if (pid === process.pid || processAlive(pid)) continue;
    try {
      unlinkSync(join(dir, ent.name));
      removed++;
    } catch {
      // removed by someone else meanwhile
    }
  }
  return removed;
}

/** reference-curve.json: the metric after each pair of reference models (audit.reference_models {min, max, until}). */
export function referenceCurvePath(paths: RunPaths): string {
  return join(paths.root, 'reference-curve.json');
}
