// Writers of small files in the real dataset formats, for the data tests.

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { isMiaError, type MiaError, type MiaErrorCode } from '../../src/errors.js';

/** An IDX file: big-endian magic (0, 0, 0x08, ndims), big-endian uint32 dims, then the bytes. */
export function idxBytes(dims: number[], data: ArrayLike<number>): Uint8Array {
  const out = new Uint8Array(4 + 4 * dims.length + data.length);
  const v = new DataView(out.buffer);
  v.setUint32(0, 0x0800 | dims.length, false);
  dims.forEach((d, i) => {
    v.setUint32(4 + 4 * i, d, false);
  });
  out.set(Array.from(data), 4 + 4 * dims.length);
  return out;
}

/** n images of rows×cols whose pixel (i, r, c) = (i·7 + r·cols + c) mod 256, and labels i mod k. */
export function tinyIdx(
  n: number,
  rows: number,
  cols: number,
  k = 10,
): { images: Uint8Array; labels: Uint8Array } {
  const px = new Uint8Array(n * rows * cols);
  for (let i = 0; i < n; i++)
    for (let p = 0; p < rows * cols; p++) px[i * rows * cols + p] = (i * 7 + p) % 256;
  const lb = new Uint8Array(n);
  for (let i = 0; i < n; i++) lb[i] = i % k;
  return { images: idxBytes([n, rows, cols], px), labels: idxBytes([n], lb) };
}

export function gz(b: Uint8Array): Uint8Array {
  return new Uint8Array(gzipSync(b));
}

/** One CIFAR-10 record: the label, then 3 planes of 1024 bytes with value(c, p) = (label·31 + c·101 + p) mod 256. */
export function cifarRecord(label: number): Uint8Array {
  const r = new Uint8Array(3073);
  r[0] = label;
  for (let c = 0; c < 3; c++)
    for (let p = 0; p < 1024; p++) r[1 + c * 1024 + p] = (label * 31 + c * 101 + p) % 256;
  return r;
}

export function cifarBatch(labels: number[]): Uint8Array {
  const out = new Uint8Array(labels.length * 3073);
  labels.forEach((l, i) => {
    out.set(cifarRecord(l), i * 3073);
  });
  return out;
}

export function tempDir(prefix: string): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), `mia-${prefix}-`));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Asserts `fn` rejects/throws a MiaError with `code`, whose one-line text contains every `parts`. */
export async function rejectsMia(
  fn: () => unknown,
  code: MiaErrorCode,
  ...parts: string[]
): Promise<MiaError> {
  let caught: unknown;
  try {
    await fn();
  } catch (e) {
    caught = e;
  }
  assert.ok(caught !== undefined, `expected a MiaError ${code}, nothing was thrown`);
  assert.ok(isMiaError(caught), `expected a MiaError, got ${String(caught)}`);
  const e = caught as MiaError;
  assert.equal(e.code, code, e.oneLine());
  const line = e.oneLine();
  assert.ok(!line.includes('\n'), 'one line');
  for (const p of parts) assert.ok(line.includes(p), `"${line}" should contain "${p}"`);
  return e;
}
