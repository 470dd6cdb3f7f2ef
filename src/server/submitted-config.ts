/**
 * A config submitted over the API: validated as `mia audit` validates a file (the same E_CONFIG errors
 * at file:line:column), and confined to the data directory. The config cannot choose where the run is
 * written (run.log_dir is replaced by DIR/runs/<id>) nor read a file outside DIR/datasets: a data.path
 * and an architecture.from (target, reference, models.<name>) are relative to DIR/datasets and refused
 * when they lead out of it — checked before the file is opened, so a refused path is never read.
 * Registered datasets (data.dataset without a path: Debian's packages, the cache, synthetic) are allowed
 * as they are.
 */
import { type LoadedConfig, parseAuditConfig } from '../audit/config.js';
import { confinedPath, type DataDir } from './data-dir.js';

/** The overrides that confine a config: data.path inside DIR/datasets, when the config has one. */
function confinement(text: string, file: string, dir: DataDir): string[] {
  const first = parseAuditConfig(text, file, [], confinedFiles(dir));
  const path = first.config.data.path;
  if (path === undefined) return [];
  const abs = confinedPath(dir.datasets, path, 'data.path');
  return [`data.path=${JSON.stringify(abs)}`];
}

/** The config reader's option that maps every file a config names (architecture.from) into DIR/datasets. */
function confinedFiles(dir: DataDir): { resolveFile: (path: string, field: string) => string } {
  return { resolveFile: (path, field) => confinedPath(dir.datasets, path, field) };
}

/**
 * Parses and validates `text` (named `file` in errors) for the service; returns the loaded config with
 * data.path and architecture.from confined. Throws the config's MiaError (E_CONFIG at line:column) or E_REQUEST for a path
 * outside DIR/datasets.
 */
export function loadSubmittedConfig(text: string, file: string, dir: DataDir): LoadedConfig {
  const overrides = confinement(text, file, dir);
  return parseAuditConfig(text, file, overrides, confinedFiles(dir));
}
