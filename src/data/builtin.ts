/**
 * Finding and reading the built-in image datasets (Fashion-MNIST, MNIST, CIFAR-10). Resolution order:
 *   1. an explicit path, when given — then it is the only place looked;
 *   2. the system folders (Debian's dataset-fashion-mnist → /usr/share/datasets/fashion-mnist);
 *   3. the cache (<cacheDir>/<dataset>/), every file checked against its official size, SHA-256 and MD5;
 *   4. a download from the official addresses into the cache, when allowed.
 * Files in a system folder come from a signed distribution package and are read as they are (Debian
 * re-compressed Fashion-MNIST, so the upstream .gz checksums do not apply to them); their format is
 * still checked in full (magic numbers, dimensions, lengths).
 */
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { MiaError } from '../errors.js';
import {
  type DownloadProgress,
  datasetCacheDir,
  downloadVerified,
  type FetchLike,
  readVerifiedCacheFile,
} from './cache.js';
import { decodeCifar10Archive, locateCifar10Dir, readCifar10Archive, readCifar10Dir } from './cifar10.js';
import type { ByteImages } from './dataset.js';
import { decodeIdxPair, IDX_FILES, type IdxFileKey, locateIdxFiles, readIdxPair } from './idx.js';
import type { BuiltinImageSource, RemoteFile, SystemDir } from './sources.js';

export interface BuiltinLoadOptions {
  /** A folder holding the dataset's files (or, for CIFAR-10, the .tar.gz archive). Only place looked. */
  path?: string;
  /** Dataset cache directory (see datasetCacheDir for the default). */
  cacheDir?: string;
  /** Download missing files from the official addresses (default false in the library). */
  download?: boolean;
  /** The fetch used for downloads (default: global fetch). */
  fetchImpl?: FetchLike;
  /** Called as download bytes arrive. */
  onProgress?: (p: DownloadProgress) => void;
  /** Overrides the system folders of the dataset (tests use it to simulate a machine without them). */
  systemDirs?: SystemDir[];
  /** Environment for the cache directory default (default process.env). */
  env?: NodeJS.ProcessEnv;
}

export type BuiltinResult =
  | { found: true; train: ByteImages; test: ByteImages; source: string; notices: string[] }
  | { found: false; looked: string[] };

const isDir = (p: string) => existsSync(p) && statSync(p).isDirectory();

async function readFromDir(
  spec: BuiltinImageSource,
  dir: string,
): Promise<{ train: ByteImages; test: ByteImages }> {
  if (spec.format === 'idx') {
    const loc = locateIdxFiles(dir, existsSync);
    if ('missing' in loc) throw new Error('unreachable: readFromDir called on an incomplete folder');
    const p = loc.paths;
    const [train, test] = await Promise.all([
      readIdxPair(p.trainImages, p.trainLabels, spec.numClasses),
      readIdxPair(p.testImages, p.testLabels, spec.numClasses),
    ]);
    return { train, test };
  }
  const inner = locateCifar10Dir(dir);
  if (inner !== undefined) return readCifar10Dir(inner);
  return readCifar10Archive(join(dir, spec.files[0]!.name));
}

/** Why `dir` does not hold the dataset, or undefined when it does. */
function missingIn(spec: BuiltinImageSource, dir: string): string | undefined {
  if (!isDir(dir)) return existsSync(dir) ? 'not a folder' : 'absent';
  if (spec.format === 'idx') {
    const loc = locateIdxFiles(dir, existsSync);
    return 'missing' in loc ? `missing ${loc.missing.join(', ')}` : undefined;
  }
  if (locateCifar10Dir(dir) !== undefined || existsSync(join(dir, spec.files[0]!.name))) return undefined;
  return `no data_batch_1.bin, ${join('cifar-10-batches-bin', 'data_batch_1.bin')} or ${spec.files[0]!.name}`;
}

async function decodeOfficial(
  spec: BuiltinImageSource,
  files: Map<string, { bytes: Uint8Array; where: string }>,
): Promise<{ train: ByteImages; test: ByteImages }> {
  if (spec.format === 'idx') {
    const get = (key: IdxFileKey) => files.get(IDX_FILES[key])!;
    const [train, test] = await Promise.all([
      decodeIdxPair(get('trainImages'), get('trainLabels'), spec.numClasses),
      decodeIdxPair(get('testImages'), get('testLabels'), spec.numClasses),
    ]);
    return { train, test };
  }
  const archive = files.get(spec.files[0]!.name)!;
  return decodeCifar10Archive(archive.bytes, archive.where);
}

/**
 * Finds and reads a built-in dataset in the order of this file's header. Returns `found: false` with
 * the list of places looked (each with why it did not serve) when nothing had it; throws on a file that
 * is there but corrupt (format errors, E_CHECKSUM for a cached file — which is then deleted — or for a
 * download that does not match).
 */
export async function loadBuiltinImages(
  spec: BuiltinImageSource,
  options: BuiltinLoadOptions,
): Promise<BuiltinResult> {
  const notices: string[] = [];
  if (options.path !== undefined) {
    const p = options.path;
    if (spec.format === 'cifar10-binary' && existsSync(p) && !isDir(p)) {
      const raw = await readCifar10Archive(p);
      return { found: true, ...raw, source: `${p} (given path)`, notices };
    }
    const why = missingIn(spec, p);
    if (why !== undefined) return { found: false, looked: [`${p} (given path): ${why}`] };
    return { found: true, ...(await readFromDir(spec, p)), source: `${p} (given path)`, notices };
  }

  const looked: string[] = [];
  for (const sys of options.systemDirs ?? spec.systemDirs) {
    const why = missingIn(spec, sys.path);
    if (why === undefined) {
      return {
        found: true,
        ...(await readFromDir(spec, sys.path)),
        source: `${sys.path} (${sys.via})`,
        notices,
      };
    }
    looked.push(`${sys.path} (${sys.via}): ${why}; install with \`${sys.install}\``);
  }

  const dir = join(datasetCacheDir(options.cacheDir, options.env), spec.cacheSubdir);
  const files = new Map<string, { bytes: Uint8Array; where: string }>();
  const absent: RemoteFile[] = [];
  for (const f of spec.files) {
    const path = join(dir, f.name);
    if (existsSync(path)) files.set(f.name, { bytes: await readVerifiedCacheFile(path, f), where: path });
    else absent.push(f);
  }
  if (absent.length === 0) {
    return {
      found: true,
      ...(await decodeOfficial(spec, files)),
      source: `${dir} (cache, checksums verified)`,
      notices,
    };
  }
  looked.push(`cache ${dir}: missing ${absent.map((f) => f.name).join(', ')}`);

  if (options.download !== true) {
    looked.push('download: not allowed (enable downloads to fetch the official files)');
    return { found: false, looked };
  }
  const fetchImpl = options.fetchImpl ?? ((url: string) => fetch(url));
  const urls: string[] = [];
  for (const f of absent) {
    const path = join(dir, f.name);
    let got: { bytes: Uint8Array; url: string };
    try {
      got = await downloadVerified(f, path, fetchImpl, options.onProgress);
    } catch (e) {
      if (e instanceof MiaError && e.code === 'E_DATASET') {
        looked.push(`download: ${e.message}`);
        return { found: false, looked };
      }
      throw e;
    }
    files.set(f.name, { bytes: got.bytes, where: path });
    urls.push(got.url);
    notices.push(`downloaded ${f.name} from ${got.url} into ${dir} (checksums verified)`);
  }
  return {
    found: true,
    ...(await decodeOfficial(spec, files)),
    source: `${urls.join(', ')} → ${dir} (downloaded, checksums verified)`,
    notices,
  };
}
