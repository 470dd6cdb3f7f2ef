/** Small SVG building blocks shared by the panel writers: numbers, markers, axes, hatch patterns. */
import { colorOf, dashOf, type MarkerShape, type SeriesStyle } from './chart-spec.js';
import type { Scale } from './scale.js';
import { escapeXml, textWidth } from './text.js';

/** A coordinate rounded to 0.01 px, as text. */
export function n2(v: number): string {
  return String(Math.round(v * 100) / 100);
}

export const TEXT_COLOR = '#222';
export const AXIS_COLOR = '#444';
export const GRID_COLOR = '#e3e3e3';
export const REF_COLOR = '#777';
export const TICK_SIZE = 11.5;
export const LABEL_SIZE = 12.5;

/** One marker of `shape` centred at (x, y) with radius r, filled with `color`. */
export function marker(
  shape: MarkerShape,
  x: number,
  y: number,
  r: number,
  color: string,
  className?: string,
): string {
  const cls = className === undefined ? '' : `class="${className}" `;
  const fill = `${cls}fill="${color}" stroke="#fff" stroke-width="0.8"`;
  const line = `${cls}fill="none" stroke="${color}" stroke-width="1.8"`;
  switch (shape) {
    case 'circle':
      return `<circle cx="${n2(x)}" cy="${n2(y)}" r="${n2(r)}" ${fill}/>`;
    case 'square': {
      const s = r * 0.9;
      return `<rect x="${n2(x - s)}" y="${n2(y - s)}" width="${n2(2 * s)}" height="${n2(2 * s)}" ${fill}/>`;
    }
    case 'triangle':
    case 'triangle-down': {
      const d = shape === 'triangle' ? 1 : -1;
      const h = r * 1.15;
      return `<path d="M${n2(x)} ${n2(y - d * h)}L${n2(x + h)} ${n2(y + d * h * 0.8)}L${n2(x - h)} ${n2(y + d * h * 0.8)}Z" ${fill}/>`;
    }
    case 'diamond': {
      const h = r * 1.25;
      return `<path d="M${n2(x)} ${n2(y - h)}L${n2(x + h)} ${n2(y)}L${n2(x)} ${n2(y + h)}L${n2(x - h)} ${n2(y)}Z" ${fill}/>`;
    }
    case 'cross': {
      const h = r * 0.95;
      return `<path d="M${n2(x - h)} ${n2(y - h)}L${n2(x + h)} ${n2(y + h)}M${n2(x - h)} ${n2(y + h)}L${n2(x + h)} ${n2(y - h)}" ${line}/>`;
    }
    case 'plus': {
      const h = r * 1.15;
      return `<path d="M${n2(x - h)} ${n2(y)}L${n2(x + h)} ${n2(y)}M${n2(x)} ${n2(y - h)}L${n2(x)} ${n2(y + h)}" ${line}/>`;
    }
  }
}

/** The stroke attributes of a series line in `style`. */
export function strokeAttrs(style: SeriesStyle, width = 1.9): string {
  const dash = dashOf(style);
  return `fill="none" stroke="${colorOf(style)}" stroke-width="${width}" stroke-linejoin="round" stroke-linecap="butt"${dash === '' ? '' : ` stroke-dasharray="${dash}"`}`;
}

/**
 * Hatch patterns laid in white over a bar's colour, so bar groups differ in texture as well as hue.
 * Index 0 is plain; 1–5 are /, dots, ×, —, \. Returns the <pattern> elements with ids `${prefix}-${i}`.
 */
export function hatchDefs(prefix: string): string {
  const p = (i: number, body: string, size = 6) =>
    `<pattern id="${prefix}-${i}" patternUnits="userSpaceOnUse" width="${size}" height="${size}">${body}</pattern>`;
  const w = 'stroke="#fff" stroke-width="1.4"';
  return [
    p(1, `<path d="M-1 7L7 -1M-1 1L1 -1M5 7L7 5" ${w}/>`),
    p(2, '<circle cx="3" cy="3" r="1.2" fill="#fff"/>'),
    p(3, `<path d="M0 0L6 6M6 0L0 6" ${w}/>`),
    p(4, `<path d="M0 3H6" ${w}/>`),
    p(5, `<path d="M-1 -1L7 7M-1 5L1 7M5 -1L7 1" ${w}/>`),
  ].join('');
}

/** The hatch overlay fill for `style` (url(#…)), or undefined for the plain style. */
export function hatchFill(prefix: string, style: SeriesStyle): string | undefined {
  const i = style.dash % 6;
  return i === 0 ? undefined : `url(#${prefix}-${i})`;
}

/** Width in px of the widest tick label of `scale`. */
export function tickLabelWidth(scale: Scale): number {
  return Math.max(0, ...scale.ticks.map((t) => textWidth(scale.label(t), TICK_SIZE)));
}

export interface PlotBox {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

/** Grid lines, the y axis (ticks, labels, title) for a plot box. */
export function yAxis(box: PlotBox, y: Scale, title: string, titleX: number): string {
  const out: string[] = [];
  for (const t of y.ticks) {
    const py = y(t);
    if (py < box.y0 - 0.5 || py > box.y1 + 0.5) continue;
    out.push(
      `<line x1="${n2(box.x0)}" x2="${n2(box.x1)}" y1="${n2(py)}" y2="${n2(py)}" stroke="${GRID_COLOR}"/>`,
    );
    out.push(
      `<line x1="${n2(box.x0 - 5)}" x2="${n2(box.x0)}" y1="${n2(py)}" y2="${n2(py)}" stroke="${AXIS_COLOR}"/>`,
    );
    const label = y.label(t);
    if (label === '') continue;
    out.push(
      `<text x="${n2(box.x0 - 8)}" y="${n2(py + 4)}" text-anchor="end" font-size="${TICK_SIZE}" fill="${TEXT_COLOR}">${escapeXml(label)}</text>`,
    );
  }
  const cy = (box.y0 + box.y1) / 2;
  out.push(
    `<text x="${n2(titleX)}" y="${n2(cy)}" transform="rotate(-90 ${n2(titleX)} ${n2(cy)})" text-anchor="middle" font-size="${LABEL_SIZE}" fill="${TEXT_COLOR}">${escapeXml(title)}</text>`,
  );
  return out.join('');
}

/** Grid lines and the x axis (ticks, labels, title) for a plot box. */
export function xAxis(box: PlotBox, x: Scale, title: string): string {
  const out: string[] = [];
  for (const t of x.ticks) {
    const px = x(t);
    if (px < box.x0 - 0.5 || px > box.x1 + 0.5) continue;
    out.push(
      `<line x1="${n2(px)}" x2="${n2(px)}" y1="${n2(box.y0)}" y2="${n2(box.y1)}" stroke="${GRID_COLOR}"/>`,
    );
    out.push(
      `<line x1="${n2(px)}" x2="${n2(px)}" y1="${n2(box.y1)}" y2="${n2(box.y1 + 5)}" stroke="${AXIS_COLOR}"/>`,
    );
    const label = x.label(t);
    if (label === '') continue;
    out.push(
      `<text x="${n2(px)}" y="${n2(box.y1 + 19)}" text-anchor="middle" font-size="${TICK_SIZE}" fill="${TEXT_COLOR}">${escapeXml(label)}</text>`,
    );
  }
  out.push(
    `<text x="${n2((box.x0 + box.x1) / 2)}" y="${n2(box.y1 + 40)}" text-anchor="middle" font-size="${LABEL_SIZE}" fill="${TEXT_COLOR}">${escapeXml(title)}</text>`,
  );
  return out.join('');
}

/** The two axis lines (left and bottom) of a plot box. */
export function axisLines(box: PlotBox): string {
  return `<path d="M${n2(box.x0)} ${n2(box.y0)}V${n2(box.y1)}H${n2(box.x1)}" fill="none" stroke="${AXIS_COLOR}" stroke-width="1"/>`;
}
