/**
 * The dataset cache: where downloaded official files live, how they are checked, and how they are
 * downloaded (global fetch or an injected one, atomic write, size + SHA-256 + MD5 verified).
 */
import { createHash } from 'node:crypto';
import { unlinkSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { MiaError } from '../errors.js';
import { readFileOrThrow, writeFileAtomic } from '../io/atomic.js';
import type { RemoteFile } from './sources.js';

/** The subset of global fetch the downloader uses; inject a fake in tests. */
export type FetchLike = (url: string) => Promise<Response>;

/** Progress of one download: bytes received so far and the total when the server said it. */
export interface DownloadProgress {
  url: string;
  file: string;
  receivedBytes: number;
  totalBytes: number | undefined;
}

/**
 * The dataset cache directory: `explicit` when given (resolved against the working directory), else
 * `$MIA_CACHE_DIR/datasets` when MIA_CACHE_DIR is set (it names mia-audit's cache root), else
 * `$XDG_CACHE_HOME/mia-audit/datasets`, else `~/.cache/mia-audit/datasets`.
 */
export function datasetCacheDir(explicit?: string, env: NodeJS.ProcessEnv = process.env): string {
  if (explicit !== undefined && explicit !== '') return resolve(explicit);
  const root = env.MIA_CACHE_DIR;
  if (root !== undefined && root !== '') return join(resolve(root), 'datasets');
  const xdg = env.XDG_CACHE_HOME;
  if (xdg !== undefined && xdg !== '') return join(resolve(xdg), 'mia-audit', 'datasets');
  return join(homedir(), '.cache', 'mia-audit', 'datasets');
}

/** Lower-case hex SHA-256 and MD5 of `bytes`. */
export function digests(bytes: Uint8Array): { sha256: string; md5: string } {
  return {
    sha256: createHash('sha256').update(bytes).digest('hex'),
    md5: createHash('md5').update(bytes).digest('hex'),
  };
}

/** What is wrong with `bytes` as `spec` (size, then SHA-256, then MD5), or undefined when all match. */
export function checksumProblem(
  bytes: Uint8Array,
  spec: RemoteFile,
): { expected: string; found: string } | undefined {
  if (bytes.length !== spec.size) return { expected: `${spec.size} bytes`, found: `${bytes.length} bytes` };
  const d = digests(bytes);
  if (d.sha256 !== spec.sha256) return { expected: `SHA-256 ${spec.sha256}`, found: `SHA-256 ${d.sha256}` };
  if (d.md5 !== spec.md5) return { expected: `MD5 ${spec.md5}`, found: `MD5 ${d.md5}` };
  return undefined;
}

/**
 * Reads a cached copy of `spec` and checks it. When it does not match, the file is deleted and
 * E_CHECKSUM is thrown naming it and saying what to do; otherwise its bytes are returned.
 */
export async function readVerifiedCacheFile(path: string, spec: RemoteFile): Promise<Uint8Array> {
  const bytes = readFileOrThrow(path);
  const bad = checksumProblem(bytes, spec);
  if (bad !== undefined) {
    try {
      unlinkSync(path);
    } catch {
      // already gone: nothing to delete
    }
    throw new MiaError(
      'E_CHECKSUM',
      `cached file does not match the official ${spec.name} and has been deleted; run again with download ` +
        `enabled to fetch a fresh copy, or put the official file there`,
      { where: path, ...bad },
    );
  }
  return bytes;
}

async function readBody(
  res: Response,
  url: string,
  file: string,
  onProgress?: (p: DownloadProgress) => void,
) {
  const header = res.headers.get('content-length');
  const total = header !== null && /^\d+$/.test(header) ? Number(header) : undefined;
  if (res.body === null) return new Uint8Array(await res.arrayBuffer());
  const chunks: Uint8Array[] = [];
  let received = 0;
  const reader = res.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    received += value.length;
    onProgress?.({ url, file, receivedBytes: received, totalBytes: total });
  }
  const out = new Uint8Array(received);
  let off = 0;
  for (const c of chunks) {
    out.set(c, off);
    off += c.length;
  }
  return out;
}

/**
 * Downloads `spec` from its addresses in order and writes it atomically to `path` once its size,
 * SHA-256 and MD5 match; returns the bytes and the address used. A copy that does not match is never
 * written. When every address fails: E_CHECKSUM if some address served wrong bytes, else E_DATASET; the
 * one-line message lists each address and why it failed.
 */
export async function downloadVerified(
  spec: RemoteFile,
  path: string,
  fetchImpl: FetchLike,
  onProgress?: (p: DownloadProgress) => void,
): Promise<{ bytes: Uint8Array; url: string }> {
  const failures: string[] = [];
  let mismatch: { expected: string; found: string } | undefined;
  for (const url of spec.urls) {
    let bytes: Uint8Array;
    try {
      const res = await fetchImpl(url);
      if (!res.ok) {
        failures.push(`${url}: HTTP ${res.status}`);
        continue;
      }
      bytes = await readBody(res, url, spec.name, onProgress);
    } catch (e) {
      const cause = e instanceof Error && e.cause instanceof Error ? ` (${e.cause.message})` : '';
      failures.push(`${url}: ${e instanceof Error ? e.message : String(e)}${cause}`);
      continue;
    }
    const bad = checksumProblem(bytes, spec);
    if (bad !== undefined) {
      mismatch ??= bad;
      failures.push(`${url}: checksum mismatch (${bad.found}; expected ${bad.expected})`);
      continue;
    }
    writeFileAtomic(path, bytes);
    return { bytes, url };
  }
  if (mismatch !== undefined) {
    throw new MiaError(
      'E_CHECKSUM',
      `download of ${spec.name} does not match its official checksum; nothing was saved. Tried: ` +
        `${failures.join('; ')}. Retry later, or download the file yourself and pass its folder as the path`,
      { where: path, ...mismatch },
    );
  }
  throw new MiaError('E_DATASET', `cannot download ${spec.name}: ${failures.join('; ')}`, { where: path });
}
