/** Text helpers shared by the SVG writer and the HTML page. */

/** Font stack of every chart: DejaVu Sans is what the PNG renderer loads; browsers fall back. */
export const FONT_FAMILY = "'DejaVu Sans', Verdana, 'Bitstream Vera Sans', sans-serif";

/** Escapes `& < > " '` for use in XML/HTML text and attribute values. */
export function escapeXml(s: string): string {
  return s.replace(/[&<>"']/g, (c) =>
    c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '>' ? '&gt;' : c === '"' ? '&quot;' : '&#39;',
  );
}

// Advance widths of DejaVu Sans in em (units per em 2048), grouped; other characters count as 0.62 em.
const NARROW = new Set([..."il.,:;'|!ıj()[]{}"]);
const SEMI = new Set([...'frtI1/\\- ']);
const WIDE = new Set([...'mwMW%@—']);

/**
 * Estimated width in px of `text` set in DejaVu Sans at `size` px — good to a few percent on labels,
 * which is what the layout needs (legend wrapping, axis margins).
 */
export function textWidth(text: string, size: number): number {
  let em = 0;
  for (const ch of text) {
    if (NARROW.has(ch)) em += 0.3;
    else if (SEMI.has(ch)) em += ch === ' ' ? 0.318 : 0.4;
    else if (WIDE.has(ch)) em += 0.95;
    else if (ch >= 'A' && ch <= 'Z') em += 0.7;
    else if (ch >= '0' && ch <= '9') em += 0.636;
    else if ('⁰¹²³⁴⁵⁶⁷⁸⁹⁻'.includes(ch)) em += 0.4;
    else em += 0.6;
  }
  return em * size;
}

/** `text` shortened with '…' so that it fits in `width` px at `size` px. */
export function fitText(text: string, width: number, size: number): string {
  if (textWidth(text, size) <= width) return text;
  const chars = [...text];
  while (chars.length > 1 && textWidth(`${chars.join('')}…`, size) > width) chars.pop();
  return `${chars.join('')}…`;
}

/** A file- and id-safe slug: lowercase ASCII letters, digits and single '-' (empty → "x"). */
export function slug(s: string): string {
  const out = s
    .normalize('NFKD')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  return out === '' ? 'x' : out;
}
