/**
 * The service's data directory (`mia serve --data DIR`): the store, the run directories and the
 * datasets configs may name.
 *
 *   DIR/mia.db        the SQLite store (WAL: mia.db-wal, mia.db-shm beside it)
 *   DIR/admin-token   the admin token made on the first start (mode 600)
 *   DIR/runs/<id>/    each audit's run directory (docs/run-dir.md)
 *   DIR/datasets/     files a submitted config's data.path may name (relative to this folder)
 */
import { mkdirSync, realpathSync } from 'node:fs';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import { MiaError } from '../errors.js';
import { HttpError } from './http-error.js';

export interface DataDir {
  root: string;
  db: string;
  adminToken: string;
  runs: string;
  datasets: string;
  /** The run directory of audit `id`. */
  runDir(id: string): string;
}

/** The layout under `root`, with runs/ and datasets/ created. */
export function openDataDir(root: string): DataDir {
  const abs = resolve(root);
  const runs = join(abs, 'runs');
  const datasets = join(abs, 'datasets');
  try {
    mkdirSync(runs, { recursive: true });
    mkdirSync(datasets, { recursive: true });
  } catch (e) {
    throw new MiaError('E_IO', `cannot create the data directory: ${(e as Error).message}`, { where: abs });
  }
  return {
    root: abs,
    db: join(abs, 'mia.db'),
    adminToken: join(abs, 'admin-token'),
    runs,
    datasets,
    runDir: (id) => join(runs, id),
  };
}

/**
 * The absolute path of `rel` inside `base`, refused (E_REQUEST, 400) when it is absolute, climbs out
 * with `..`, holds a NUL, or leads out of `base` through a symbolic link (checked on the real path of
 * the deepest part that exists). `what` names the request field in the error.
 */
export function confinedPath(base: string, rel: string, what: string): string {
  const refuse = (why: string) =>
    new HttpError(400, 'E_REQUEST', `${what} must stay inside its folder: ${why}`, {
      where: what,
      found: rel,
    });
  if (rel.includes('\0')) throw refuse('a NUL character');
  if (isAbsolute(rel) || /^[a-zA-Z]:[\\/]/.test(rel)) throw refuse('an absolute path');
  const parts = rel.split(/[\\/]+/);
  if (parts.includes('..')) throw refuse("a '..' part");
  const full = resolve(base, rel);
  if (!inside(base, full)) throw refuse('outside the folder');
  const realBase = realpathSync(base);
  // the deepest existing ancestor (or the file itself) must resolve inside the base
  let probe = full;
  for (;;) {
    try {
      const real = realpathSync(probe);
      if (!inside(realBase, real)) throw refuse('a symbolic link out of the folder');
      break;
    } catch (e) {
      if (e instanceof HttpError) throw e;
      const parent = resolve(probe, '..');
      if (parent === probe) break;
      probe = parent;
    }
  }
  return full;
}

function inside(base: string, path: string): boolean {
  const r = relative(base, path);
  return r === '' || (!r.startsWith(`..${sep}`) && r !== '..' && !isAbsolute(r));
}
