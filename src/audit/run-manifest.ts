/**
 * The run directory's manifest (manifest.json, run-format/manifest.ts): the size and SHA-256 of every
 * reusable file, recorded right after the file is written. A rerun checks every recorded file before
 * anything is reused (`verifyRunFiles`): a file whose size or checksum differs — truncated, overwritten,
 * bit-flipped — is removed with a note naming it, and the stage that writes it computes it again. Files
 * without an entry (a run directory from before manifests) are checked by reading them where they are
 * reused (model-stage.ts parses a model's weights before reusing its signals) and recorded then.
 *
 * One writer per run directory (run-lock.ts), so the manifest is kept in memory per run directory and
 * rewritten atomically after each record.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync, unlinkSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { writeJsonAtomic } from '../io/atomic.js';
import { ManifestFile } from './run-format/manifest.js';

/** The manifest's file name inside the run directory. */
export const MANIFEST_FILE = 'manifest.json';

type Entries = Record<string, { size: number; sha256: string }>;

interface Manifest {
  files: Entries;
  /** Paths (relative) checked this run and found intact. */
  verified: Set<string>;
}

const manifests = new Map<string, Manifest>();

function load(root: string): Manifest {
  let m = manifests.get(root);
  if (m !== undefined) return m;
  let files: Entries = {};
  try {
    const parsed = ManifestFile.safeParse(JSON.parse(readFileSync(join(root, MANIFEST_FILE), 'utf8')));
    if (parsed.success) files = { ...parsed.data.files };
  } catch {
    // missing or unreadable: every file counts as unrecorded (checked by reading it)
  }
  m = { files, verified: new Set() };
  manifests.set(root, m);
  return m;
}

function save(root: string, m: Manifest): void {
  const files: Entries = {};
  for (const k of Object.keys(m.files).sort()) files[k] = m.files[k]!;
  writeJsonAtomic(join(root, MANIFEST_FILE), { version: 1, files } satisfies ManifestFile);
}

const relKey = (root: string, path: string) => relative(root, path).split(sep).join('/');

function digest(path: string): { size: number; sha256: string } {
  const bytes = readFileSync(path);
  return { size: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') };
}

/** Records the size and SHA-256 of the files `paths` (absolute, inside run directory `root`) as just written. */
export function recordRunFiles(root: string, ...paths: string[]): void {
  const m = load(root);
  for (const p of paths) {
    const key = relKey(root, p);
    m.files[key] = digest(p);
    m.verified.add(key);
  }
  save(root, m);
}

/**
 * Records the regular files directly in `dir` (a model's directory): all of them when `written` (the
 * model was just saved), else those not verified this run (an older run's files, once read).
 */
export function recordRunDir(root: string, dir: string, written: boolean): void {
  if (!existsSync(dir)) return;
  const files = readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(dir, e.name));
  const m = load(root);
  const fresh = written ? files : files.filter((f) => !m.verified.has(relKey(root, f)));
  if (fresh.length > 0) recordRunFiles(root, ...fresh);
}

/** What is known of `path`: recorded and found intact this run, or not recorded (an older run's file). */
export function runFileStatus(root: string, path: string): 'verified' | 'unrecorded' {
  return load(root).verified.has(relKey(root, path)) ? 'verified' : 'unrecorded';
}

/**
 * Checks every recorded file of run directory `root` (size first, then SHA-256). A missing file loses
 * its entry; a damaged one is removed and its entry dropped, with a note naming it. Returns the removed
 * paths (absolute).
 */
export function verifyRunFiles(root: string, note: (line: string) => void): string[] {
  manifests.delete(root); // read afresh: another process may have written since
  const m = load(root);
  const removed: string[] = [];
  let changed = false;
  for (const [key, want] of Object.entries(m.files)) {
    const path = join(root, ...key.split('/'));
    let size: number;
    try {
      const st = statSync(path);
      if (!st.isFile()) throw new Error('not a file');
      size = st.size;
    } catch {
      delete m.files[key];
      changed = true;
      continue;
    }
    const why =
      size !== want.size
        ? `${size} bytes, ${want.size} when written`
        : digest(path).sha256 !== want.sha256
          ? 'its SHA-256 differs from the one recorded when it was written'
          : undefined;
    if (why === undefined) {
      m.verified.add(key);
      continue;
    }
    note(`${key}: damaged (${why}); removed, it is computed again`);
    try {
      unlinkSync(path);
    } catch {
      // gone meanwhile
    }
    delete m.files[key];
    removed.push(path);
    changed = true;
  }
  if (changed) save(root, m);
  return removed;
}
