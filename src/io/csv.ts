/**
 * CSV with a header row, following RFC 4180: fields separated by ',', records by CRLF (LF and a lone CR
 * are accepted too), fields optionally enclosed in double quotes, a quote inside a quoted field written
 * as "". Quoted fields may span lines. Beyond the RFC: a leading UTF-8 BOM is ignored, blank lines are
 * skipped (so a trailing newline adds no row), spaces are kept as part of fields (no trimming), and a
 * quote inside an unquoted field is taken literally.
 */
import { MiaError, type MiaErrorDetails } from '../errors.js';

const COMMA = 0x2c;
const QUOTE = 0x22;
const LF = 0x0a;
const CR = 0x0d;

export interface ParsedCsv {
  /** The first non-blank record. */
  header: string[];
  /** Every later non-blank record, each with exactly header.length fields, as raw strings. */
  rows: string[][];
  /** The 1-based line of the file on which row `rowIndex` (0-based, within `rows`) begins. */
  lineOf(rowIndex: number): number;
}

/**
 * Parses CSV `text` read from `file`. Throws MiaError E_CSV located at { file, line } (1-based; `where` =
 * `file:line`) for: no header
 * row (empty file), a row whose field count differs from the header's (ragged), an unterminated quoted
 * field (line where the quote opened), a character other than ',' or a line end after a closing quote,
 * and duplicate non-empty header names. Empty header names are allowed (pandas writes one for an
 * unnamed index column).
 */
export function parseCsv(text: string, file: string): ParsedCsv {
  const n = text.length;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let line = 1;
  let header: string[] | undefined;
  const rows: string[][] = [];
  let lines = new Int32Array(1024);
  const fail = (at: number, message: string, expected?: string, found?: string): never => {
    const details: MiaErrorDetails = { where: { file, line: at } };
    if (expected !== undefined) details.expected = expected;
    if (found !== undefined) details.found = found;
    throw new MiaError('E_CSV', message, details);
  };

  while (i < n) {
    let c = text.charCodeAt(i);
    if (c === LF || c === CR) {
      // blank line
      i += c === CR && text.charCodeAt(i + 1) === LF ? 2 : 1;
      line++;
      continue;
    }
    const startLine = line;
    const fields: string[] = [];
    for (;;) {
      if (text.charCodeAt(i) === QUOTE) {
        const quoteLine = line;
        let j = i + 1;
        let value = '';
        for (;;) {
          const q = text.indexOf('"', j);
          if (q === -1) fail(quoteLine, 'unterminated quoted field');
          for (let k = j; k < q; k++) {
            const d = text.charCodeAt(k);
            if (d === LF || (d === CR && text.charCodeAt(k + 1) !== LF)) line++;
          }
          value += text.slice(j, q);
          if (text.charCodeAt(q + 1) === QUOTE) {
            value += '"';
            j = q + 2;
          } else {
            i = q + 1;
            break;
          }
        }
        fields.push(value);
        c = text.charCodeAt(i);
        if (c === COMMA) {
          i++;
          continue;
        }
        if (i < n && c !== LF && c !== CR) {
          fail(line, `unexpected character '${text[i]}' after a closing quote`, "',' or a line end");
        }
        break;
      }
      let j = i;
      while (j < n) {
        c = text.charCodeAt(j);
        if (c === COMMA || c === LF || c === CR) break;
        j++;
      }
      fields.push(text.slice(i, j));
      i = j;
      if (j < n && c === COMMA) {
        i++;
        continue;
      }
      break;
    }
    // at a line end or the end of text
    if (i < n) {
      i += text.charCodeAt(i) === CR && text.charCodeAt(i + 1) === LF ? 2 : 1;
      line++;
    }
    if (header === undefined) {
      header = fields;
      const seen = new Set<string>();
      for (const h of header) {
        if (h !== '' && seen.has(h)) fail(startLine, `duplicate column name '${h}' in the header`);
        seen.add(h);
      }
      continue;
    }
    if (fields.length !== header.length) {
      fail(startLine, 'row has the wrong number of fields', `${header.length} fields`, `${fields.length}`);
    }
    if (rows.length === lines.length) {
      const grown = new Int32Array(lines.length * 2);
      grown.set(lines);
      lines = grown;
    }
    lines[rows.length] = startLine;
    rows.push(fields);
  }
  if (header === undefined) return fail(1, 'no header row (the file is empty)');
  const count = rows.length;
  const finalLines = lines;
  return {
    header,
    rows,
    lineOf(rowIndex: number): number {
      if (!Number.isInteger(rowIndex) || rowIndex < 0 || rowIndex >= count) {
        throw new RangeError(`lineOf: row index ${rowIndex} outside [0, ${count})`);
      }
      return finalLines[rowIndex]!;
    },
  };
}

function formatField(v: string | number | boolean, alone: boolean): string {
  const s = typeof v === 'string' ? v : String(v);
  if (s === '' && alone) return '""';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === COMMA || c === QUOTE || c === LF || c === CR) return `"${s.replaceAll('"', '""')}"`;
  }
  return s;
}

/**
 * Formats a header and rows as CSV: fields joined by ',', records ended by '\n' (including the last).
 * Numbers use JavaScript's shortest round-trip form (String(x): 0.1, 1e-7, NaN, Infinity), booleans
 * `true` / `false`. A field is quoted (with " doubled) when it contains ',', '"', CR or LF, and an
 * empty field is written as "" when it is a record's only field (so it is not read as a blank line).
 * parseCsv(formatCsv(h, r)) gives back h and r as strings. Throws RangeError for a row whose length
 * differs from the header's.
 */
export function formatCsv(header: string[], rows: (string | number | boolean)[][]): string {
  const alone = header.length === 1;
  const parts: string[] = [header.map((h) => formatField(h, alone)).join(',')];
  for (let r = 0; r < rows.length; r++) {
    const row = rows[r]!;
    if (row.length !== header.length) {
      throw new RangeError(`formatCsv: row ${r} has ${row.length} fields, the header has ${header.length}`);
    }
    let s = '';
    for (let k = 0; k < row.length; k++) {
      if (k > 0) s += ',';
      s += formatField(row[k]!, alone);
    }
    parts.push(s);
  }
  return `${parts.join('\n')}\n`;
}
