/**
 * The declarative chart spec of mia-audit's report. One spec is rendered three ways: to an SVG string in
 * Node ({@link renderChart} in ./svg.ts), to PNG by rasterizing that SVG (./png.ts), and interactively in
 * the HTML page (the same SVG inline plus the hover data the renderer returns, driven by a small inline
 * script). It is deliberately small: a chart is a figure of panels sharing one legend; a panel is an x/y
 * plot of lines and markers, a bar chart, or a grid of images.
 *
 * Every number is plain data (no functions), so a spec can be saved as JSON and re-rendered.
 */

/** How an axis writes its tick values and how the page writes hovered values. */
export type AxisFormat = 'number' | 'percent' | 'integer';

export interface AxisSpec {
  /** The axis title, with its unit, e.g. "False positive rate (fraction of non-members)". */
  label: string;
  scale: 'linear' | 'log';
  /** [min, max] of the axis; for 'log' both must be > 0. Values outside are clipped to the plot. */
  domain: [number, number];
  /** Tick label format (default 'number'). */
  format?: AxisFormat;
}

/** Visual identity of a series: indices into the palette, dash patterns and marker shapes. */
export interface SeriesStyle {
  color: number;
  dash: number;
  marker: number;
}

/** One entry of a chart's legend; `key` ties it to every series or bar group drawn with it. */
export interface LegendEntry {
  key: string;
  name: string;
  style: SeriesStyle;
  /** Legend swatch: a line with a marker (default) or a filled box (bars). */
  swatch?: 'line' | 'box';
}

/** A line (and/or markers) through points in data coordinates, in the given order. */
export interface SeriesSpec {
  /** Legend key; clicking the legend entry hides every series with this key. */
  key: string;
  /** Name shown in the hover tooltip. */
  name: string;
  x: number[];
  y: number[];
  style: SeriesStyle;
  /** Draw markers at every point ('all'), at a few points spread along the line ('some'), or none. */
  markers: 'all' | 'some' | 'none';
  /** Draw the connecting line (default true). */
  line?: boolean;
}

/** A straight reference line in data coordinates (e.g. the chance diagonal), drawn grey and dotted. */
export interface ReferenceLine {
  from: [number, number];
  to: [number, number];
  label: string;
}

export interface XyPanel {
  kind: 'xy';
  title: string;
  x: AxisSpec;
  y: AxisSpec;
  series: SeriesSpec[];
  referenceLines?: ReferenceLine[];
}

/** One group of bars: one value per category (null = no bar), all drawn in one style. */
export interface BarGroup {
  key: string;
  name: string;
  style: SeriesStyle;
  values: (number | null)[];
  /** Extra text per category for the tooltip (e.g. the slice's sample counts). */
  notes?: (string | null)[];
  /** A [low, high] interval per category, drawn as an error bar (null = none). */
  intervals?: ([number, number] | null)[];
  /** Per category, true to draw the bar greyed (e.g. a slice too small to compare). */
  muted?: boolean[];
}

export interface BarPanel {
  kind: 'bar';
  title: string;
  /** Title of the category axis. */
  categoryLabel: string;
  categories: string[];
  y: AxisSpec;
  /** Value the bars grow from (0, or 0.5 for AUC), drawn as a dotted line; `baselineLabel` names it in the legend. */
  baseline: number;
  baselineLabel?: string;
  groups: BarGroup[];
}

/** An image (RGBA PNG as base64, already upscaled to its display size) with a caption. */
export interface ImageCell {
  pngBase64: string;
  width: number;
  height: number;
  label: string;
}

export interface ImagePanel {
  kind: 'images';
  title: string;
  columns: number;
  images: ImageCell[];
}

export type PanelSpec = XyPanel | BarPanel | ImagePanel;

export interface ChartSpec {
  /** File stem and DOM id: lowercase letters, digits and '-' only (e.g. "roc-experiment-1"). */
  id: string;
  title: string;
  /** One or two sentences shown under the chart in the page (what it shows, how to read it). */
  caption: string;
  panels: PanelSpec[];
  /** Panels per row (default: all in one row). */
  columns?: number;
  /** Size of each panel's cell in px (defaults 420 × 320). */
  panelWidth?: number;
  panelHeight?: number;
  legend: LegendEntry[];
}

/**
 * Okabe & Ito's colour-blind-safe palette (without yellow, which vanishes on white), ordered so that
 * neighbours differ in lightness too.
 */
export const PALETTE: readonly string[] = [
  '#0072B2', // blue
  '#D55E00', // vermillion
  '#009E73', // bluish green
  '#CC79A7', // reddish purple
  '#E69F00', // orange
  '#56B4E9', // sky blue
  '#000000', // black
  '#8C564B', // brown
];

/** SVG stroke-dasharray patterns; index 0 is solid. Lines differ by dash as well as hue (greyscale). */
export const DASHES: readonly string[] = ['', '7 3', '2 2.5', '9 3 2 3', '4 2', '12 3 2 3 2 3'];

/** Marker shapes drawn at points; 'none' is never used for data. */
export const MARKERS = ['circle', 'square', 'triangle', 'diamond', 'cross', 'triangle-down', 'plus'] as const;
export type MarkerShape = (typeof MARKERS)[number];

/** The i-th default style: colour, dash and marker all cycle, so neighbours differ in all three. */
export function styleOf(i: number): SeriesStyle {
  return { color: i % PALETTE.length, dash: i % DASHES.length, marker: i % MARKERS.length };
}

/** The colour of a style (palette index taken modulo the palette). */
export function colorOf(style: SeriesStyle): string {
  return PALETTE[style.color % PALETTE.length]!;
}

export function dashOf(style: SeriesStyle): string {
  return DASHES[style.dash % DASHES.length]!;
}

export function markerOf(style: SeriesStyle): MarkerShape {
  return MARKERS[style.marker % MARKERS.length]!;
}
