/**
 * A minimal ZIP reader and writer (PKWARE APPNOTE 6.3, the subset np.savez / np.savez_compressed and
 * Python's zipfile produce): stored (0) and deflate (8) entries, zip64 sizes and offsets, UTF-8 names.
 * Not supported (E_ZIP): encryption, multi-disk archives, other compression methods.
 *
 * Reading works over a {@link ZipSource} — bytes in memory or an open file read piece by piece — so a
 * .npz of several GiB is read one entry at a time, each into its own buffer, never as one big buffer.
 * Writing streams to a {@link ZipSink}; entry data is passed as chunks and not copied when stored.
 */
import * as zlib from 'node:zlib';
import { MiaError } from '../errors.js';
import { readAtSync } from './atomic.js';

/** Random-access bytes: `read` returns `length` bytes at `offset`, or fewer at the end. */
export interface ZipSource {
  readonly size: number;
  read(offset: number, length: number): Uint8Array;
}

export interface ZipEntry {
  name: string;
  /** 0 stored, 8 deflate */
  method: number;
  flags: number;
  crc: number;
  compressedSize: number;
  size: number;
  localOffset: number;
}

/** A ZipSource over bytes in memory; reads are zero-copy subarrays. */
export function bytesSource(bytes: Uint8Array): ZipSource {
  return { size: bytes.length, read: (offset, length) => bytes.subarray(offset, offset + length) };
}

/** A ZipSource over an open file descriptor of `size` bytes; each read returns a fresh buffer. */
export function fdSource(fd: number, size: number): ZipSource {
  return {
    size,
    read: (offset, length) => readAtSync(fd, offset, Math.max(0, Math.min(length, size - offset))),
  };
}

const SIG_LOCAL = 0x04034b50;
const SIG_CENTRAL = 0x02014b50;
const SIG_EOCD = 0x06054b50;
const SIG_EOCD64 = 0x06064b50;
const SIG_LOCATOR64 = 0x07064b50;
const U32_MAX = 0xffffffff;

function view(b: Uint8Array): DataView {
  return new DataView(b.buffer, b.byteOffset, b.byteLength);
}

function u64(dv: DataView, off: number, where: string): number {
  const v = dv.getBigUint64(off, true);
  if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new MiaError('E_ZIP', 'zip64 field out of range', { where });
  return Number(v);
}

const utf8 = new TextDecoder('utf-8');

/**
 * Lists the entries of the zip in `src` in central-directory order. Throws MiaError E_ZIP (`where` =
 * the file) when there is no end-of-central-directory record (not a zip, or cut short) or the
 * directory is malformed. Names are decoded as UTF-8 (exact for ASCII and for flag-11 names).
 */
export function listZipEntries(src: ZipSource, where: string): ZipEntry[] {
  const corrupt = (why: string): never => {
    throw new MiaError('E_ZIP', `not a valid zip archive: ${why}`, { where });
  };
  if (src.size < 22) corrupt(`file is only ${src.size} bytes`);
  const tailLen = Math.min(src.size, 22 + 0xffff + 20);
  const tailStart = src.size - tailLen;
  const tail = src.read(tailStart, tailLen);
  const tv = view(tail);
  let eocd = -1;
  if (tv.getUint32(tail.length - 22, true) === SIG_EOCD && tv.getUint16(tail.length - 2, true) === 0) {
    eocd = tail.length - 22;
  } else {
    for (let i = tail.length - 22; i >= 0; i--) {
      if (
        tail[i] === 0x50 &&
        tv.getUint32(i, true) === SIG_EOCD &&
        i + 22 + tv.getUint16(i + 20, true) <= tail.length
      ) {
        eocd = i;
        break;
      }
    }
  }
  if (eocd < 0) return corrupt('no end-of-central-directory record (not a zip file, or truncated)');
  if (tv.getUint16(eocd + 4, true) !== 0 || tv.getUint16(eocd + 6, true) !== 0) {
    corrupt('multi-disk archives are not supported');
  }
  let count = tv.getUint16(eocd + 10, true);
  let cdSize = tv.getUint32(eocd + 12, true);
  let cdOffset = tv.getUint32(eocd + 16, true);
  if (eocd >= 20 && tv.getUint32(eocd - 20, true) === SIG_LOCATOR64) {
    const off64 = u64(tv, eocd - 20 + 8, where);
    const rec = src.read(off64, 56);
    const rv = view(rec);
    if (rec.length < 56 || rv.getUint32(0, true) !== SIG_EOCD64)
      corrupt('bad zip64 end-of-central-directory record');
    count = u64(rv, 32, where);
    cdSize = u64(rv, 40, where);
    cdOffset = u64(rv, 48, where);
  }
  if (cdOffset + cdSize > src.size)
    corrupt('central directory extends past the end of the file (truncated?)');
  const cd = src.read(cdOffset, cdSize);
  const cv = view(cd);
  const entries: ZipEntry[] = [];
  let p = 0;
  for (let k = 0; k < count; k++) {
    if (p + 46 > cd.length || cv.getUint32(p, true) !== SIG_CENTRAL)
      corrupt(`bad central directory entry #${k}`);
    const flags = cv.getUint16(p + 8, true);
    const method = cv.getUint16(p + 10, true);
    const crc = cv.getUint32(p + 16, true);
    let compressedSize = cv.getUint32(p + 20, true);
    let size = cv.getUint32(p + 24, true);
    const nameLen = cv.getUint16(p + 28, true);
    const extraLen = cv.getUint16(p + 30, true);
    const commentLen = cv.getUint16(p + 32, true);
    let localOffset = cv.getUint32(p + 42, true);
    if (p + 46 + nameLen + extraLen + commentLen > cd.length) corrupt(`bad central directory entry #${k}`);
    const name = utf8.decode(cd.subarray(p + 46, p + 46 + nameLen));
    // zip64 extended information: only the fields whose 32-bit value is 0xFFFFFFFF are present, in order
    let e = p + 46 + nameLen;
    const eEnd = e + extraLen;
    while (e + 4 <= eEnd) {
      const id = cv.getUint16(e, true);
      const len = cv.getUint16(e + 2, true);
      if (id === 0x0001) {
        let q = e + 4;
        const take = (): number => {
          if (q + 8 > e + 4 + len) corrupt(`bad zip64 extra field in entry '${name}'`);
          const v = u64(cv, q, where);
          q += 8;
          return v;
        };
        if (size === U32_MAX) size = take();
        if (compressedSize === U32_MAX) compressedSize = take();
        if (localOffset === U32_MAX) localOffset = take();
      }
      e += 4 + len;
    }
    entries.push({ name, method, flags, crc, compressedSize, size, localOffset });
    p += 46 + nameLen + extraLen + commentLen;
  }
  return entries;
}

/**
 * The uncompressed bytes of `entry`, CRC-32 checked. For stored entries of an in-memory source this is
 * a zero-copy subarray. Throws MiaError E_ZIP with `where` = `${where}:${entry.name}` for encrypted
 * entries, unsupported methods, data past the end of the file, corrupt deflate data, size or CRC
 * mismatch.
 */
export function readZipEntry(src: ZipSource, entry: ZipEntry, where: string): Uint8Array {
  const at = `${where}:${entry.name}`;
  const corrupt = (why: string): never => {
    throw new MiaError('E_ZIP', why, { where: at });
  };
  if (entry.flags & 1) corrupt('encrypted zip entries are not supported');
  if (entry.method !== 0 && entry.method !== 8) {
    corrupt(`compression method ${entry.method} is not supported (only stored and deflate)`);
  }
  const lh = src.read(entry.localOffset, 30);
  const lv = view(lh);
  if (lh.length < 30 || lv.getUint32(0, true) !== SIG_LOCAL) corrupt('bad local file header');
  const start = entry.localOffset + 30 + lv.getUint16(26, true) + lv.getUint16(28, true);
  if (start + entry.compressedSize > src.size)
    corrupt('entry data extends past the end of the file (truncated?)');
  const raw = src.read(start, entry.compressedSize);
  let out: Uint8Array;
  if (entry.method === 0) {
    if (entry.compressedSize !== entry.size)
      corrupt('stored entry whose compressed and uncompressed sizes differ');
    out = raw;
  } else {
    try {
      out = zlib.inflateRawSync(raw);
    } catch (e) {
      return corrupt(`corrupt deflate data (${(e as Error).message})`);
    }
    if (out.length !== entry.size) {
      corrupt(`inflated to ${out.length} bytes, the directory says ${entry.size}`);
    }
  }
  const crc = crc32(out);
  if (crc !== entry.crc) {
    throw new MiaError('E_ZIP', 'CRC-32 mismatch (corrupt file)', {
      where: at,
      expected: entry.crc.toString(16).padStart(8, '0'),
      found: crc.toString(16).padStart(8, '0'),
    });
  }
  return out;
}

let CRC_TABLE: Uint32Array | undefined;

/** CRC-32 (ISO-HDLC, as zip uses) of `data`, continuing from `value`. */
export function crc32(data: Uint8Array, value = 0): number {
  // zlib.crc32 returns 0 for a view of an empty ArrayBuffer (zlib resets on a NULL buffer)
  if (data.length === 0) return value >>> 0;
  const native = (zlib as { crc32?: (d: Uint8Array, v?: number) => number }).crc32;
  return native !== undefined ? native(data, value) >>> 0 : crc32Js(data, value);
}

/** Table-driven CRC-32 for Node versions without zlib.crc32 (before 20.15). Same results as {@link crc32}. */
export function crc32Js(data: Uint8Array, value = 0): number {
  if (CRC_TABLE === undefined) {
    CRC_TABLE = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      CRC_TABLE[n] = c >>> 0;
    }
  }
  let c = ~value >>> 0;
  for (let i = 0; i < data.length; i++) c = CRC_TABLE[(c ^ data[i]!) & 0xff]! ^ (c >>> 8);
  return ~c >>> 0;
}

/** Where {@link writeZip} sends bytes, in order. */
export interface ZipSink {
  write(chunk: Uint8Array): void;
}

export interface ZipInput {
  name: string;
  /** The entry's bytes as consecutive chunks (not copied when stored). */
  chunks: Uint8Array[];
}

export interface ZipWriteOptions {
  /** Deflate every entry (level 6, as Python's zipfile) instead of storing it. Default false. */
  compress?: boolean;
  /** Write zip64 records even when nothing needs them (as np.savez does for its local headers). */
  forceZip64?: boolean;
}

/**
 * Writes a zip archive of `entries` to `sink`: deterministic (every timestamp is 1980-01-01 00:00),
 * zip64 records where sizes, offsets or the entry count need them (or always with `forceZip64`).
 */
export function writeZip(sink: ZipSink, entries: Iterable<ZipInput>, options: ZipWriteOptions = {}): void {
  const force = options.forceZip64 === true;
  const central: Uint8Array[] = [];
  let offset = 0;
  let count = 0;
  const put = (b: Uint8Array): void => {
    sink.write(b);
    offset += b.length;
  };
  for (const entry of entries) {
    const nameBytes = new TextEncoder().encode(entry.name);
    const flags = /^[\x20-\x7e]*$/.test(entry.name) ? 0 : 0x0800;
    let size = 0;
    let crc = 0;
    for (const c of entry.chunks) {
      crc = crc32(c, crc);
      size += c.length;
    }
    let body = entry.chunks;
    let method = 0;
    if (options.compress === true) {
      method = 8;
      body = [
        zlib.deflateRawSync(entry.chunks.length === 1 ? entry.chunks[0]! : Buffer.concat(entry.chunks)),
      ];
    }
    const csize = body.reduce((s, c) => s + c.length, 0);
    const localOffset = offset;
    const zip64Local = force || size >= U32_MAX || csize >= U32_MAX;
    const lh = new Uint8Array(30 + nameBytes.length + (zip64Local ? 20 : 0));
    const lv = view(lh);
    lv.setUint32(0, SIG_LOCAL, true);
    lv.setUint16(4, zip64Local ? 45 : 20, true);
    lv.setUint16(6, flags, true);
    lv.setUint16(8, method, true);
    lv.setUint16(10, 0, true); // time 00:00:00
    lv.setUint16(12, 0x21, true); // date 1980-01-01
    lv.setUint32(14, crc, true);
    lv.setUint32(18, zip64Local ? U32_MAX : csize, true);
    lv.setUint32(22, zip64Local ? U32_MAX : size, true);
    lv.setUint16(26, nameBytes.length, true);
    lv.setUint16(28, zip64Local ? 20 : 0, true);
    lh.set(nameBytes, 30);
    if (zip64Local) {
      const x = 30 + nameBytes.length;
      lv.setUint16(x, 0x0001, true);
      lv.setUint16(x + 2, 16, true);
      lv.setBigUint64(x + 4, BigInt(size), true);
      lv.setBigUint64(x + 12, BigInt(csize), true);
    }
    put(lh);
    for (const c of body) put(c);

    const big = [size >= U32_MAX || force, csize >= U32_MAX || force, localOffset >= U32_MAX];
    const extra = big.filter(Boolean).length * 8;
    const ch = new Uint8Array(46 + nameBytes.length + (extra > 0 ? 4 + extra : 0));
    const cv = view(ch);
    cv.setUint32(0, SIG_CENTRAL, true);
    cv.setUint16(4, (3 << 8) | 45, true); // made by: Unix, spec 4.5
    cv.setUint16(6, extra > 0 ? 45 : 20, true);
    cv.setUint16(8, flags, true);
    cv.setUint16(10, method, true);
    cv.setUint16(12, 0, true);
    cv.setUint16(14, 0x21, true);
    cv.setUint32(16, crc, true);
    cv.setUint32(20, big[1] ? U32_MAX : csize, true);
    cv.setUint32(24, big[0] ? U32_MAX : size, true);
    cv.setUint16(28, nameBytes.length, true);
    cv.setUint16(30, extra > 0 ? 4 + extra : 0, true);
    cv.setUint32(38, (0o100644 << 16) >>> 0, true); // regular file, rw-r--r--
    cv.setUint32(42, big[2] ? U32_MAX : localOffset, true);
    ch.set(nameBytes, 46);
    if (extra > 0) {
      let x = 46 + nameBytes.length;
      cv.setUint16(x, 0x0001, true);
      cv.setUint16(x + 2, extra, true);
      x += 4;
      for (const [i, v] of [size, csize, localOffset].entries()) {
        if (big[i]) {
          cv.setBigUint64(x, BigInt(v), true);
          x += 8;
        }
      }
    }
    central.push(ch);
    count++;
  }
  const cdOffset = offset;
  for (const c of central) put(c);
  const cdSize = offset - cdOffset;
  const zip64End = force || count > 0xfffe || cdSize >= U32_MAX || cdOffset >= U32_MAX;
  if (zip64End) {
    const rec = new Uint8Array(56 + 20);
    const rv = view(rec);
    rv.setUint32(0, SIG_EOCD64, true);
    rv.setBigUint64(4, 44n, true);
    rv.setUint16(12, (3 << 8) | 45, true);
    rv.setUint16(14, 45, true);
    rv.setBigUint64(24, BigInt(count), true);
    rv.setBigUint64(32, BigInt(count), true);
    rv.setBigUint64(40, BigInt(cdSize), true);
    rv.setBigUint64(48, BigInt(cdOffset), true);
    rv.setUint32(56, SIG_LOCATOR64, true);
    rv.setBigUint64(56 + 8, BigInt(offset), true);
    rv.setUint32(56 + 16, 1, true);
    put(rec);
  }
  const end = new Uint8Array(22);
  const ev = view(end);
  ev.setUint32(0, SIG_EOCD, true);
  ev.setUint16(8, Math.min(count, 0xffff), true);
  ev.setUint16(10, Math.min(count, 0xffff), true);
  ev.setUint32(12, Math.min(cdSize, U32_MAX), true);
  ev.setUint32(16, Math.min(cdOffset, U32_MAX), true);
  put(end);
}
