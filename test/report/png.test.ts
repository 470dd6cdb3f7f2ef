import assert from 'node:assert/strict';
import { test } from 'node:test';
import { styleOf } from '../../src/report/chart-spec.js';
import { chartFontFiles, encodeRgbPng, svgToPng } from '../../src/report/png.js';
import { renderChart } from '../../src/report/svg.js';
import { decodePng } from './png-decode.js';

test('encodeRgbPng: decodes to the same pixels, upscaled by whole pixels', () => {
  const rgb = new Uint8Array([255, 0, 0, 0, 255, 0, 0, 0, 255, 10, 20, 30, 40, 50, 60, 70, 80, 90]); // 3 × 2
  const one = decodePng(encodeRgbPng(rgb, 3, 2));
  assert.deepEqual([one.width, one.height, one.channels], [3, 2, 3]);
  assert.deepEqual([...one.pixels], [...rgb]);
  const big = decodePng(encodeRgbPng(rgb, 3, 2, 4));
  assert.deepEqual([big.width, big.height], [12, 8]);
  for (let y = 0; y < 8; y++) {
    for (let x = 0; x < 12; x++) {
      const s = (Math.floor(y / 4) * 3 + Math.floor(x / 4)) * 3;
      const d = (y * 12 + x) * 3;
      assert.deepEqual([...big.pixels.subarray(d, d + 3)], [...rgb.subarray(s, s + 3)]);
    }
  }
  assert.throws(() => encodeRgbPng(rgb, 4, 2), RangeError);
});

test('svgToPng: resvg rasterizes at 2× with the embedded PNG and the text visible', async () => {
  const image = encodeRgbPng(new Uint8Array([200, 30, 40]), 1, 1, 10); // a 10×10 red square
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="60" height="40"><rect width="60" height="40" fill="#fff"/><image x="5" y="5" width="10" height="10" href="data:image/png;base64,${Buffer.from(image).toString('base64')}"/><text x="20" y="30" font-family="DejaVu Sans" font-size="20" fill="#000">Ag</text></svg>`;
  const png = decodePng(await svgToPng(svg));
  assert.deepEqual([png.width, png.height], [120, 80]);
  const at = (x: number, y: number) => [
    ...png.pixels.subarray((y * 120 + x) * png.channels, (y * 120 + x) * png.channels + 3),
  ];
  assert.deepEqual(at(20, 20), [200, 30, 40], 'the embedded image');
  assert.deepEqual(at(2, 2), [255, 255, 255], 'the white background');
  let dark = 0;
  for (let y = 0; y < 80; y++) for (let x = 40; x < 120; x++) if (at(x, y)[0]! < 100) dark++;
  assert.ok(dark > 50, `text pixels: ${dark} (fonts found: ${chartFontFiles().join(', ') || 'none'})`);
});

test('svgToPng: a rendered chart keeps its size and draws its series colour', async () => {
  const r = renderChart({
    id: 'p',
    title: 'PNG',
    caption: '',
    legend: [{ key: 'a', name: 'a', style: styleOf(0) }],
    panels: [
      {
        kind: 'xy',
        title: 'panel',
        x: { label: 'x', scale: 'linear', domain: [0, 1] },
        y: { label: 'y', scale: 'log', domain: [1e-3, 1] },
        series: [{ key: 'a', name: 'a', x: [0, 1], y: [1e-3, 1], style: styleOf(0), markers: 'none' }],
      },
    ],
  });
  const png = decodePng(await svgToPng(r.svg, 1));
  assert.deepEqual([png.width, png.height], [r.width, r.height]);
  let blue = 0;
  for (let i = 0; i < png.pixels.length; i += png.channels) {
    if (png.pixels[i]! < 60 && png.pixels[i + 1]! > 80 && png.pixels[i + 2]! > 140) blue++;
  }
  assert.ok(blue > 200, `series pixels in #0072B2: ${blue}`);
});
