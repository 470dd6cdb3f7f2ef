/** gzip detection and decompression, with failures as one-line MiaErrors naming the file. */
import { promisify } from 'node:util';
import { gunzip as gunzipCb } from 'node:zlib';
import { MiaError } from '../errors.js';

const gunzipAsync = promisify(gunzipCb);

/** True when `bytes` starts with the gzip magic number 1f 8b. */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/**
 * Decompresses gzip data (node:zlib). A stream that ends early throws E_TRUNCATED, any other zlib
 * failure E_DATASET, both naming `where`.
 */
export async function gunzipBytes(bytes: Uint8Array, where: string): Promise<Uint8Array> {
  try {
    const out = await gunzipAsync(bytes);
    return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    if (/unexpected end of file/i.test(msg)) {
      throw new MiaError('E_TRUNCATED', 'gzip stream ends early; the file is truncated', { where });
    }
    throw new MiaError('E_DATASET', `not a valid gzip stream: ${msg}`, { where });
  }
}
