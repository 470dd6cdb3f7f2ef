/**
 * The SVG writer: a ChartSpec → one standalone SVG string (no scripts, no external references), the
 * same string the HTML page inlines. Elements the page's script drives carry classes and data
 * attributes: `.mia-series[data-series=key]` (lines, markers, bar groups), `.mia-legend-item[data-series]`,
 * `.mia-bar[data-tip]` and `.mia-image[data-tip]`; ids are prefixed with the chart id so several charts
 * can share a page.
 */
import { type ChartSpec, colorOf, type LegendEntry, markerOf } from './chart-spec.js';
import {
  BASELINE_KEY,
  type Cell,
  type HoverPanel,
  renderBarPanel,
  renderImagePanel,
  renderXyPanel,
} from './svg-panels.js';
import { hatchDefs, hatchFill, marker, n2, REF_COLOR, strokeAttrs, TEXT_COLOR } from './svg-parts.js';
import { escapeXml, FONT_FAMILY, fitText, textWidth } from './text.js';

export interface RenderedChart {
  id: string;
  /** The standalone SVG document. */
  svg: string;
  width: number;
  height: number;
  /** Per panel, what the page needs for hover tooltips (pixel positions in SVG user units). */
  hover: HoverPanel[];
}

const PAD = 14;
const TITLE_H = 38;
const LEGEND_SIZE = 12.5;
const LEGEND_ROW = 21;
const SWATCH = 30;

interface PlacedLegend {
  entry: LegendEntry | { key: string; name: string; ref: true };
  x: number;
  y: number;
}

/** Legend entries flowed into rows of the figure's width; returns positions and the block height. */
function layoutLegend(
  entries: PlacedLegend['entry'][],
  width: number,
  top: number,
): { placed: PlacedLegend[]; height: number } {
  const placed: PlacedLegend[] = [];
  const maxText = width - 2 * PAD - SWATCH - 30;
  let x = PAD;
  let row = 0;
  for (const e of entries) {
    const w = SWATCH + 8 + textWidth(fitText(e.name, maxText, LEGEND_SIZE), LEGEND_SIZE) + 22;
    if (x + w > width - PAD && x > PAD) {
      row++;
      x = PAD;
    }
    placed.push({ entry: e, x, y: top + row * LEGEND_ROW });
    x += w;
  }
  // Centre each row.
  const rows = entries.length === 0 ? 0 : row + 1;
  for (let r = 0; r < rows; r++) {
    const inRow = placed.filter((p) => p.y === top + r * LEGEND_ROW);
    const last = inRow[inRow.length - 1];
    if (last === undefined) continue;
    const end = last.x + SWATCH + 8 + textWidth(fitText(last.entry.name, maxText, LEGEND_SIZE), LEGEND_SIZE);
    const shift = Math.max(0, (width - PAD - end - PAD) / 2);
    for (const p of inRow) p.x += shift;
  }
  return { placed, height: rows === 0 ? 0 : rows * LEGEND_ROW + 10 };
}

function legendItem(p: PlacedLegend, hatchPrefix: string, maxText: number): string {
  const e = p.entry;
  const cy = p.y + 6;
  const parts: string[] = [
    `<g class="mia-legend-item" data-series="${escapeXml(e.key)}" tabindex="0" role="button" aria-pressed="true">`,
    `<rect x="${n2(p.x - 3)}" y="${n2(p.y - 5)}" width="${n2(SWATCH + 14 + textWidth(fitText(e.name, maxText, LEGEND_SIZE), LEGEND_SIZE))}" height="${LEGEND_ROW - 2}" fill="#fff" fill-opacity="0"/>`,
  ];
  if ('ref' in e) {
    parts.push(
      `<line x1="${n2(p.x)}" x2="${n2(p.x + SWATCH)}" y1="${n2(cy)}" y2="${n2(cy)}" stroke="${REF_COLOR}" stroke-width="1.3" stroke-dasharray="1.5 3.5" stroke-linecap="round"/>`,
    );
  } else if (e.swatch === 'box') {
    const rect = `x="${n2(p.x + 6)}" y="${n2(cy - 7)}" width="18" height="14"`;
    parts.push(`<rect ${rect} fill="${colorOf(e.style)}"/>`);
    const h = hatchFill(hatchPrefix, e.style);
    if (h !== undefined) parts.push(`<rect ${rect} fill="${h}"/>`);
  } else {
    parts.push(
      `<line x1="${n2(p.x)}" x2="${n2(p.x + SWATCH)}" y1="${n2(cy)}" y2="${n2(cy)}" ${strokeAttrs(e.style)}/>`,
      marker(markerOf(e.style), p.x + SWATCH / 2, cy, 3.6, colorOf(e.style)),
    );
  }
  parts.push(
    `<text x="${n2(p.x + SWATCH + 8)}" y="${n2(cy + 4.3)}" font-size="${LEGEND_SIZE}" fill="${TEXT_COLOR}">${escapeXml(fitText(e.name, maxText, LEGEND_SIZE))}</text>`,
    '</g>',
  );
  return parts.join('');
}

/**
 * Renders `spec` as a standalone SVG document: title, panels in a grid of `columns` (default: one row),
 * then the legend (entries of the spec, then one per distinct reference-line label) flowed in centred
 * rows below. Width = columns × panelWidth + 2 × 14 px; height follows from the rows and the legend.
 * Deterministic: the same spec gives the same string.
 */
export function renderChart(spec: ChartSpec): RenderedChart {
  const pw = spec.panelWidth ?? 420;
  const ph = spec.panelHeight ?? 320;
  const cols = Math.max(1, Math.min(spec.columns ?? spec.panels.length, spec.panels.length));
  const rows = Math.ceil(spec.panels.length / cols);
  const width = cols * pw + 2 * PAD;
  const legendEntries: PlacedLegend['entry'][] = [...spec.legend];
  const refLabels = new Map<string, string>();
  for (const p of spec.panels) {
    if (p.kind !== 'xy') continue;
    for (const [i, r] of (p.referenceLines ?? []).entries()) {
      if (!refLabels.has(r.label)) refLabels.set(r.label, `ref-${i}`);
    }
  }
  for (const p of spec.panels) {
    if (p.kind === 'bar' && p.baselineLabel !== undefined && !refLabels.has(p.baselineLabel)) {
      refLabels.set(p.baselineLabel, BASELINE_KEY);
    }
  }
  for (const [label, key] of refLabels) legendEntries.push({ key, name: label, ref: true });
  const legendTop = TITLE_H + rows * ph + 8;
  const legend = layoutLegend(legendEntries, width, legendTop);
  const height = Math.ceil(legendTop + legend.height + (legend.height > 0 ? 4 : 0));
  const hatchPrefix = `${spec.id}-hatch`;
  const body: string[] = [];
  const hover: HoverPanel[] = [];
  spec.panels.forEach((panel, i) => {
    const cell: Cell = {
      x: PAD + (i % cols) * pw,
      y: TITLE_H + Math.floor(i / cols) * ph,
      width: pw,
      height: ph,
    };
    const out =
      panel.kind === 'xy'
        ? renderXyPanel(panel, cell, `${spec.id}-clip-${i}`)
        : panel.kind === 'bar'
          ? renderBarPanel(panel, cell, hatchPrefix)
          : renderImagePanel(panel, cell);
    body.push(`<g class="mia-panel" data-panel="${i}">${out.svg}</g>`);
    hover.push(out.hover);
  });
  const maxText = width - 2 * PAD - SWATCH - 30;
  const svg = [
    `<svg xmlns="http://www.w3.org/2000/svg" class="mia-chart-svg" data-chart="${escapeXml(spec.id)}" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="${escapeXml(FONT_FAMILY)}">`,
    `<title>${escapeXml(spec.title)}</title>`,
    `<defs>${hatchDefs(hatchPrefix)}</defs>`,
    `<rect width="${width}" height="${height}" fill="#fff"/>`,
    `<text x="${n2(width / 2)}" y="24" text-anchor="middle" font-size="16" font-weight="bold" fill="${TEXT_COLOR}">${escapeXml(fitText(spec.title, width - 2 * PAD, 16))}</text>`,
    ...body,
    `<g class="mia-legend">${legend.placed.map((p) => legendItem(p, hatchPrefix, maxText)).join('')}</g>`,
    '</svg>',
  ].join('');
  return { id: spec.id, svg, width, height, hover };
}
