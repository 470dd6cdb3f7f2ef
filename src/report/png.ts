/**
 * PNG output: charts are rasterized from their SVG by resvg (@resvg/resvg-js, a prebuilt native module,
 * no browser), and the sample-grid images are encoded by a small PNG writer (node:zlib).
 */
import { existsSync } from 'node:fs';
import { deflateSync } from 'node:zlib';
import { MiaError } from '../errors.js';

/** Where Debian's fonts-dejavu-core puts DejaVu Sans (the charts' font), and other common places. */
const FONT_DIRS = [
  '/usr/share/fonts/truetype/dejavu',
  '/usr/share/fonts/dejavu',
  '/usr/share/fonts/TTF',
  '/usr/local/share/fonts',
  '/Library/Fonts',
];
const FONT_FILES = ['DejaVuSans.ttf', 'DejaVuSans-Bold.ttf'];

/** The DejaVu Sans files found on this machine (empty when none: resvg then loads system fonts). */
export function chartFontFiles(): string[] {
  for (const dir of FONT_DIRS) {
    const files = FONT_FILES.map((f) => `${dir}/${f}`);
    if (existsSync(files[0]!)) return files.filter((f) => existsSync(f));
  }
  return [];
}

type RenderAsync = typeof import('@resvg/resvg-js').renderAsync;
let renderer: Promise<RenderAsync> | undefined;

function loadRenderer(): Promise<RenderAsync> {
  renderer ??= import('@resvg/resvg-js').then(
    (m) => m.renderAsync,
    (e: unknown) => {
      renderer = undefined;
      throw new MiaError(
        'E_BACKEND',
        `cannot load @resvg/resvg-js to write PNG files: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`,
        { where: '@resvg/resvg-js', expected: 'the prebuilt binary for this platform (npm install)' },
      );
    },
  );
  return renderer;
}

/**
 * Rasterizes a standalone SVG document to PNG bytes at `scale` × its size (default 2, for sharp text),
 * on a white background, with DejaVu Sans loaded from the system font folder (all system fonts when it
 * is missing). Runs on a libuv worker thread. Throws MiaError E_BACKEND when resvg cannot be loaded.
 */
export async function svgToPng(svg: string, scale = 2): Promise<Uint8Array> {
  const render = await loadRenderer();
  const fontFiles = chartFontFiles();
  const image = await render(svg, {
    fitTo: { mode: 'zoom', value: scale },
    background: '#ffffff',
    font: {
      loadSystemFonts: fontFiles.length === 0,
      fontFiles,
      defaultFontFamily: 'DejaVu Sans',
      sansSerifFamily: 'DejaVu Sans',
    },
    logLevel: 'off',
  });
  return new Uint8Array(image.asPng());
}

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) c = CRC_TABLE[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, data.length);
  for (let i = 0; i < 4; i++) out[4 + i] = type.charCodeAt(i);
  out.set(data, 8);
  view.setUint32(8 + data.length, crc32(out.subarray(4, 8 + data.length)));
  return out;
}

/**
 * Encodes an 8-bit RGB image (`rgb`: width × height × 3 bytes, row-major) as a PNG (colour type 2, no
 * filtering, zlib level 9). Each pixel is repeated `upscale` × `upscale` times (nearest neighbour), so a
 * 28 × 28 image stays crisp in any renderer. Throws RangeError when the sizes disagree.
 */
export function encodeRgbPng(rgb: Uint8Array, width: number, height: number, upscale = 1): Uint8Array {
  if (rgb.length !== width * height * 3) {
    throw new RangeError(`encodeRgbPng: ${rgb.length} bytes for ${width}×${height} RGB`);
  }
  const W = width * upscale;
  const H = height * upscale;
  const raw = new Uint8Array(H * (W * 3 + 1));
  for (let Y = 0; Y < H; Y++) {
    const row = Y * (W * 3 + 1);
    raw[row] = 0; // filter: none
    const y = Math.floor(Y / upscale);
    for (let X = 0; X < W; X++) {
      const s = (y * width + Math.floor(X / upscale)) * 3;
      const d = row + 1 + X * 3;
      raw[d] = rgb[s]!;
      raw[d + 1] = rgb[s + 1]!;
      raw[d + 2] = rgb[s + 2]!;
    }
  }
  const ihdr = new Uint8Array(13);
  const v = new DataView(ihdr.buffer);
  v.setUint32(0, W);
  v.setUint32(4, H);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // colour type: RGB
  const parts = [
    new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', new Uint8Array(deflateSync(raw, { level: 9 }))),
    chunk('IEND', new Uint8Array(0)),
  ];
  const out = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}
