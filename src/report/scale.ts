import type { AxisFormat, AxisSpec } from './chart-spec.js';

/** Maps data values of one axis to pixels. */
export interface Scale {
  /** Pixel position of `v` (values outside the domain extrapolate; log scales clamp v ≤ 0 to the minimum). */
  (v: number): number;
  ticks: number[];
  /** Tick label text for a tick value. */
  label(v: number): string;
}

/**
 * A scale from `axis.domain` onto [p0, p1] pixels (p1 < p0 for a y axis). Linear ticks are "nice"
 * (1, 2 or 5 × 10^k, about `targetTicks` of them); log ticks are the powers of ten in the domain (with
 * 2× and 5× ticks between them when the domain spans fewer than 3 decades, labelled only when fewer
 * than two powers of ten are in view).
 */
export function makeScale(axis: AxisSpec, p0: number, p1: number, targetTicks = 6): Scale {
  const [d0, d1] = axis.domain;
  const format = axis.format ?? 'number';
  if (axis.scale === 'log') {
    const l0 = Math.log10(d0);
    const l1 = Math.log10(d1);
    const k = (p1 - p0) / (l1 - l0 || 1);
    const f = ((v: number) => p0 + (Math.log10(Math.max(v, d0 * 1e-3)) - l0) * k) as Scale;
    f.ticks = logTicks(d0, d1);
    const isPow = (v: number) => Math.abs(Math.log10(v) - Math.round(Math.log10(v))) < 1e-9;
    // With two or more powers of ten on the axis, the 2× and 5× ticks are unlabelled minor ticks.
    const minor = f.ticks.filter(isPow).length >= 2;
    f.label = (v) => (minor && !isPow(v) ? '' : formatLogTick(v, format));
    return f;
  }
  const k = (p1 - p0) / (d1 - d0 || 1);
  const f = ((v: number) => p0 + (v - d0) * k) as Scale;
  f.ticks = niceTicks(d0, d1, targetTicks);
  const step = niceStep(d0, d1, targetTicks);
  f.label = (v) => formatTick(v, format, step);
  return f;
}

/**
 * The "nice" tick step (1, 2 or 5 × 10^k) whose tick count inside [d0, d1] is closest to `target`
 * (ties: the larger step). 1 for an empty or infinite span.
 */
export function niceStep(d0: number, d1: number, target: number): number {
  const span = d1 - d0;
  if (!(span > 0) || !Number.isFinite(span)) return 1;
  const e0 = Math.floor(Math.log10(span / Math.max(1, target))) - 1;
  let best = 1;
  let bestErr = Number.POSITIVE_INFINITY;
  for (let e = e0 + 3; e >= e0; e--) {
    for (const m of [5, 2, 1]) {
      const step = m * 10 ** e;
      const count = Math.floor(d1 / step + 1e-9) - Math.ceil(d0 / step - 1e-9) + 1;
      const err = Math.abs(count - target);
      if (count >= 2 && err < bestErr) {
        best = step;
        bestErr = err;
      }
    }
  }
  return best;
}

/** Nice linear tick values inside [d0, d1] (within rounding), spaced by {@link niceStep}. */
export function niceTicks(d0: number, d1: number, target: number): number[] {
  const step = niceStep(d0, d1, target);
  if (!(d1 - d0 > 0) || !Number.isFinite(d1 - d0)) return [d0];
  const out: number[] = [];
  const eps = step * 1e-9;
  for (let i = Math.ceil((d0 - eps) / step); i * step <= d1 + eps; i++) {
    const v = i * step;
    out.push(Math.abs(v) < eps ? 0 : Number(v.toPrecision(12)));
  }
  return out;
}

/** Powers of ten within [d0, d1] (d0 > 0); 2× and 5× steps too when fewer than 3 decades are shown. */
export function logTicks(d0: number, d1: number): number[] {
  const e0 = Math.ceil(Math.log10(d0) - 1e-9);
  const e1 = Math.floor(Math.log10(d1) + 1e-9);
  const out: number[] = [];
  const dense = e1 - e0 < 3;
  for (let e = Math.floor(Math.log10(d0)); e <= e1; e++) {
    for (const m of dense ? [1, 2, 5] : [1]) {
      const v = Number((m * 10 ** e).toPrecision(12));
      if (v >= d0 * (1 - 1e-9) && v <= d1 * (1 + 1e-9)) out.push(v);
    }
  }
  if (out.length === 0) out.push(d0, d1);
  return out;
}

const SUPERSCRIPT: Record<string, string> = {
  '-': '⁻',
  '0': '⁰',
  '1': '¹',
  '2': '²',
  '3': '³',
  '4': '⁴',
  '5': '⁵',
  '6': '⁶',
  '7': '⁷',
  '8': '⁸',
  '9': '⁹',
};

/** Log-axis tick text: 1 and 0.1 … 10⁻⁴ as powers of ten (percent axes: "1%", "0.1%", …). */
export function formatLogTick(v: number, format: AxisFormat): string {
  const e = Math.round(Math.log10(v));
  const isPow = Math.abs(v / 10 ** e - 1) < 1e-9;
  if (format === 'percent') return `${Number((v * 100).toPrecision(6))}%`;
  if (!isPow) return Number(v.toPrecision(6)).toString();
  if (e === 0) return '1';
  if (e === 1) return '10';
  return `10${[...String(e)].map((c) => SUPERSCRIPT[c] ?? c).join('')}`;
}

/** Decimals needed to write multiples of `step` exactly (at most 6). */
function decimalsOf(step: number): number {
  for (let d = 0; d < 6; d++) {
    const scaled = step * 10 ** d;
    if (Math.abs(scaled - Math.round(scaled)) < 1e-6 * scaled) return d;
  }
  return 6;
}

/** Linear tick text with just enough decimals for the tick step. */
export function formatTick(v: number, format: AxisFormat, step: number): string {
  if (format === 'integer') return String(Math.round(v));
  if (format === 'percent') return `${(v * 100).toFixed(decimalsOf(step * 100))}%`;
  return v.toFixed(decimalsOf(step)).replace(/^-0(\.0*)?$/, '0');
}

/** A hovered value in full: 4 significant digits (percent: of the percentage), integers as is. */
export function formatValue(v: number, format: AxisFormat): string {
  if (!Number.isFinite(v)) return String(v);
  if (format === 'integer') return String(Math.round(v));
  if (format === 'percent') return `${Number((v * 100).toPrecision(4))}%`;
  return String(Number(v.toPrecision(4)));
}
