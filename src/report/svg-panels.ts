/** SVG writers of the three panel kinds, each inside its cell of the figure. */
import {
  type AxisFormat,
  type BarPanel,
  colorOf,
  type ImagePanel,
  markerOf,
  type SeriesSpec,
  type XyPanel,
} from './chart-spec.js';
import { formatValue, makeScale } from './scale.js';
import {
  axisLines,
  hatchFill,
  LABEL_SIZE,
  marker,
  n2,
  type PlotBox,
  REF_COLOR,
  strokeAttrs,
  TEXT_COLOR,
  TICK_SIZE,
  tickLabelWidth,
  xAxis,
  yAxis,
} from './svg-parts.js';
import { escapeXml, fitText, textWidth } from './text.js';

/** Where a panel sits in the figure, in px. */
export interface Cell {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** What the page's script needs to find the point nearest the pointer in an x/y panel. */
export interface HoverSeries {
  /** Legend key (hidden series are skipped). */
  k: string;
  /** Name shown in the tooltip. */
  n: string;
  /** Colour of the series (the hover dot). */
  c: string;
  /** Pixel positions (SVG user units, 0.1 px) and the data values they show. */
  px: number[];
  py: number[];
  x: number[];
  y: number[];
}

export type HoverPanel =
  | {
      kind: 'xy';
      box: [number, number, number, number];
      xLabel: string;
      yLabel: string;
      xFormat: AxisFormat;
      yFormat: AxisFormat;
      series: HoverSeries[];
    }
  | { kind: 'tips' };

export interface PanelOutput {
  svg: string;
  hover: HoverPanel;
}

const TITLE_SIZE = 13;

/** Legend key of a bar panel's labelled baseline (the legend shows its label once per chart). */
export const BASELINE_KEY = 'ref-baseline';

function panelTitle(cell: Cell, title: string): string {
  return `<text x="${n2(cell.x + cell.width / 2)}" y="${n2(cell.y + 16)}" text-anchor="middle" font-size="${TITLE_SIZE}" font-weight="bold" fill="${TEXT_COLOR}">${escapeXml(fitText(title, cell.width - 8, TITLE_SIZE))}</text>`;
}

const r1 = (v: number) => Math.round(v * 10) / 10;
const sig6 = (v: number) => Number(v.toPrecision(6));

/** Points at fractions `t` of the polyline's length (pixel space), for the 'some' markers. */
function pointsAlong(px: number[], py: number[], fractions: number[]): [number, number][] {
  const cum = [0];
  for (let i = 1; i < px.length; i++) {
    cum.push(cum[i - 1]! + Math.hypot(px[i]! - px[i - 1]!, py[i]! - py[i - 1]!));
  }
  const total = cum[cum.length - 1]!;
  if (!(total > 0)) return px.length > 0 ? [[px[0]!, py[0]!]] : [];
  const out: [number, number][] = [];
  let j = 1;
  for (const f of fractions) {
    const target = f * total;
    while (j < cum.length - 1 && cum[j]! < target) j++;
    const seg = cum[j]! - cum[j - 1]!;
    const u = seg > 0 ? (target - cum[j - 1]!) / seg : 0;
    out.push([px[j - 1]! + u * (px[j]! - px[j - 1]!), py[j - 1]! + u * (py[j]! - py[j - 1]!)]);
  }
  return out;
}

/** An x/y panel: grid, axes, reference lines, then each series as a line with markers. */
export function renderXyPanel(panel: XyPanel, cell: Cell, clipId: string): PanelOutput {
  const probe = makeScale(panel.y, 0, 1);
  const left = Math.max(58, 34 + tickLabelWidth(probe));
  const box: PlotBox = {
    x0: cell.x + left,
    y0: cell.y + 28,
    x1: cell.x + cell.width - 18,
    y1: cell.y + cell.height - 52,
  };
  const x = makeScale(panel.x, box.x0, box.x1, Math.max(3, Math.round((box.x1 - box.x0) / 70)));
  const y = makeScale(panel.y, box.y1, box.y0, Math.max(3, Math.round((box.y1 - box.y0) / 45)));
  const out: string[] = [panelTitle(cell, panel.title)];
  out.push(
    `<clipPath id="${clipId}"><rect x="${n2(box.x0)}" y="${n2(box.y0 - 4)}" width="${n2(box.x1 - box.x0 + 4)}" height="${n2(box.y1 - box.y0 + 4)}"/></clipPath>`,
  );
  out.push(yAxis(box, y, panel.y.label, cell.x + 14));
  out.push(xAxis(box, x, panel.x.label));
  out.push(`<g clip-path="url(#${clipId})">`);
  for (const [i, ref] of (panel.referenceLines ?? []).entries()) {
    out.push(
      `<line class="mia-ref" data-series="ref-${i}" x1="${n2(x(ref.from[0]))}" y1="${n2(y(ref.from[1]))}" x2="${n2(x(ref.to[0]))}" y2="${n2(y(ref.to[1]))}" stroke="${REF_COLOR}" stroke-width="1.3" stroke-dasharray="1.5 3.5" stroke-linecap="round"/>`,
    );
  }
  const hover: HoverSeries[] = [];
  panel.series.forEach((s, si) => {
    const { svg, px, py, vx, vy } = seriesSvg(s, si, x, y);
    out.push(svg);
    hover.push({
      k: s.key,
      n: s.name,
      c: colorOf(s.style),
      px: px.map(r1),
      py: py.map(r1),
      x: vx.map(sig6),
      y: vy.map(sig6),
    });
  });
  out.push('</g>');
  out.push(axisLines(box));
  return {
    svg: out.join(''),
    hover: {
      kind: 'xy',
      box: [r1(box.x0), r1(box.y0), r1(box.x1), r1(box.y1)],
      xLabel: panel.x.label,
      yLabel: panel.y.label,
      xFormat: panel.x.format ?? 'number',
      yFormat: panel.y.format ?? 'number',
      series: hover,
    },
  };
}

function seriesSvg(
  s: SeriesSpec,
  index: number,
  x: (v: number) => number,
  y: (v: number) => number,
): { svg: string; px: number[]; py: number[]; vx: number[]; vy: number[] } {
  const n = Math.min(s.x.length, s.y.length);
  const px: number[] = [];
  const py: number[] = [];
  const vx: number[] = [];
  const vy: number[] = [];
  for (let i = 0; i < n; i++) {
    const a = x(s.x[i]!);
    const b = y(s.y[i]!);
    if (Number.isFinite(a) && Number.isFinite(b)) {
      px.push(a);
      py.push(b);
      vx.push(s.x[i]!);
      vy.push(s.y[i]!);
    }
  }
  const parts: string[] = [`<g class="mia-series" data-series="${escapeXml(s.key)}">`];
  if ((s.line ?? true) && px.length > 1) {
    let d = `M${n2(px[0]!)} ${n2(py[0]!)}`;
    for (let i = 1; i < px.length; i++) d += `L${n2(px[i]!)} ${n2(py[i]!)}`;
    parts.push(`<path class="mia-line" d="${d}" ${strokeAttrs(s.style)}/>`);
  }
  const shape = markerOf(s.style);
  const color = colorOf(s.style);
  let at: [number, number][] = [];
  if (s.markers === 'all') at = px.map((v, i) => [v, py[i]!]);
  else if (s.markers === 'some' && px.length > 0) {
    const phase = (0.5 + 0.29 * index) % 1;
    const count = 6;
    at = pointsAlong(
      px,
      py,
      Array.from({ length: count }, (_, j) => (j + phase) / count),
    );
  }
  for (const [a, b] of at) parts.push(marker(shape, a, b, 3.6, color, 'mia-marker'));
  parts.push('</g>');
  return { svg: parts.join(''), px, py, vx, vy };
}

/** Fill of a muted bar (a slice too small to compare). */
const MUTED_COLOR = '#cfcfcf';

/** A vertical error bar at x from pixel y `a` to `b` (clipped to the plot), with caps of half-width `cap`. */
function errorBar(x: number, a: number, b: number, box: PlotBox, cap: number): string {
  const lo = Math.max(box.y0, Math.min(box.y1, a));
  const hi = Math.max(box.y0, Math.min(box.y1, b));
  const d = `M${n2(x)} ${n2(lo)}V${n2(hi)}M${n2(x - cap)} ${n2(lo)}H${n2(x + cap)}M${n2(x - cap)} ${n2(hi)}H${n2(x + cap)}`;
  return `<path class="mia-errorbar" d="${d}" stroke="${TEXT_COLOR}" stroke-width="1" fill="none" pointer-events="none"/>`;
}

/** A bar panel: categories along x, one bar per group in each, growing from the baseline. */
export function renderBarPanel(panel: BarPanel, cell: Cell, hatchPrefix: string): PanelOutput {
  const probe = makeScale(panel.y, 0, 1);
  const left = Math.max(58, 34 + tickLabelWidth(probe));
  const plotW = cell.width - left - 18;
  const slot = plotW / Math.max(1, panel.categories.length);
  const widest = Math.max(0, ...panel.categories.map((c) => textWidth(c, TICK_SIZE)));
  const rotate = widest > slot - 6;
  const labelDrop = rotate ? Math.min(150, widest * 0.64 + 14) : 22;
  const box: PlotBox = {
    x0: cell.x + left,
    y0: cell.y + 28,
    x1: cell.x + cell.width - 18,
    y1: cell.y + cell.height - 30 - labelDrop,
  };
  const y = makeScale(panel.y, box.y1, box.y0, Math.max(3, Math.round((box.y1 - box.y0) / 45)));
  const out: string[] = [panelTitle(cell, panel.title), yAxis(box, y, panel.y.label, cell.x + 14)];
  const groups = panel.groups.length;
  const bw = Math.min(40, (slot * 0.8) / Math.max(1, groups));
  const inner = bw * groups;
  const base = y(panel.baseline);
  const fmt = panel.y.format ?? 'number';
  panel.categories.forEach((cat, ci) => {
    const cx = box.x0 + slot * (ci + 0.5);
    const ly = box.y1 + 16;
    out.push(
      rotate
        ? `<text x="${n2(cx + 4)}" y="${n2(ly)}" transform="rotate(-40 ${n2(cx + 4)} ${n2(ly)})" text-anchor="end" font-size="${TICK_SIZE}" fill="${TEXT_COLOR}">${escapeXml(fitText(cat, 230, TICK_SIZE))}</text>`
        : `<text x="${n2(cx)}" y="${n2(ly)}" text-anchor="middle" font-size="${TICK_SIZE}" fill="${TEXT_COLOR}">${escapeXml(cat)}</text>`,
    );
  });
  out.push(
    `<text x="${n2((box.x0 + box.x1) / 2)}" y="${n2(cell.y + cell.height - 10)}" text-anchor="middle" font-size="${LABEL_SIZE}" fill="${TEXT_COLOR}">${escapeXml(panel.categoryLabel)}</text>`,
  );
  for (const g of panel.groups) {
    const gi = panel.groups.indexOf(g);
    out.push(`<g class="mia-series" data-series="${escapeXml(g.key)}">`);
    const color = colorOf(g.style);
    const hatch = hatchFill(hatchPrefix, g.style);
    g.values.forEach((v, ci) => {
      if (v === null || !Number.isFinite(v)) return;
      const bx = box.x0 + slot * ci + (slot - inner) / 2 + gi * bw;
      const top = Math.max(box.y0, Math.min(box.y1, y(v)));
      const y0 = Math.min(top, base);
      const h = Math.max(0.5, Math.abs(top - base));
      const note = g.notes?.[ci];
      const iv = g.intervals?.[ci] ?? null;
      const muted = g.muted?.[ci] === true;
      const extra = [
        iv === null ? undefined : `95% CI ${formatValue(iv[0], fmt)}–${formatValue(iv[1], fmt)}`,
        note ?? undefined,
      ].filter((x) => x !== undefined && x !== '');
      const tip = `${g.name} — ${panel.categories[ci]}: ${panel.y.label} ${formatValue(v, fmt)}${extra.length > 0 ? ` (${extra.join('; ')})` : ''}`;
      const rect = `x="${n2(bx + 0.5)}" y="${n2(y0)}" width="${n2(Math.max(1, bw - 1))}" height="${n2(h)}"`;
      out.push(
        `<rect class="mia-bar${muted ? ' mia-muted' : ''}" ${rect} fill="${muted ? MUTED_COLOR : color}" data-tip="${escapeXml(tip)}"/>`,
      );
      if (hatch !== undefined && !muted) out.push(`<rect ${rect} fill="${hatch}" pointer-events="none"/>`);
      if (iv !== null) out.push(errorBar(bx + bw / 2, y(iv[0]), y(iv[1]), box, Math.min(6, bw / 3)));
    });
    out.push('</g>');
  }
  const series = panel.baselineLabel === undefined ? '' : ` data-series="${BASELINE_KEY}"`;
  out.push(
    `<line class="mia-ref"${series} x1="${n2(box.x0)}" x2="${n2(box.x1)}" y1="${n2(base)}" y2="${n2(base)}" stroke="${REF_COLOR}" stroke-width="1.3" stroke-dasharray="1.5 3.5" stroke-linecap="round"/>`,
  );
  out.push(axisLines(box));
  return { svg: out.join(''), hover: { kind: 'tips' } };
}

/** An image grid: each image at its own size with its label below, centred in the cell. */
export function renderImagePanel(panel: ImagePanel, cell: Cell): PanelOutput {
  const out: string[] = [panelTitle(cell, panel.title)];
  const cols = Math.max(1, panel.columns);
  const cw = Math.max(0, ...panel.images.map((im) => im.width)) + 14;
  const ch = Math.max(0, ...panel.images.map((im) => im.height)) + 26;
  const rows = Math.ceil(panel.images.length / cols);
  const gx = cell.x + (cell.width - cols * cw) / 2;
  const gy = cell.y + 28 + Math.max(0, (cell.height - 28 - rows * ch) / 2);
  panel.images.forEach((im, i) => {
    const x = gx + (i % cols) * cw + (cw - im.width) / 2;
    const y = gy + Math.floor(i / cols) * ch;
    out.push(
      `<image class="mia-image" x="${n2(x)}" y="${n2(y)}" width="${im.width}" height="${im.height}" href="data:image/png;base64,${im.pngBase64}" data-tip="${escapeXml(im.label)}"/>`,
    );
    out.push(
      `<text x="${n2(x + im.width / 2)}" y="${n2(y + im.height + 15)}" text-anchor="middle" font-size="${TICK_SIZE}" fill="${TEXT_COLOR}">${escapeXml(fitText(im.label, cw - 2, TICK_SIZE))}</text>`,
    );
  });
  return { svg: out.join(''), hover: { kind: 'tips' } };
}
