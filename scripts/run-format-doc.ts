// docs/run-dir.md's tree and file tables, generated from the run directory's contract
// (src/audit/run-format/: RUN_FILES and the zod schemas, read through z.toJSONSchema). Run
//   node --import tsx scripts/run-format-doc.ts
// after changing a schema to rewrite the generated part of the doc (between the BEGIN / END markers);
// test/audit/run-format.test.ts fails while the committed doc differs from what this prints.
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { ARRAY_SIZES, RUN_FILES, type RunFile } from '../src/audit/run-format/index.js';

export const DOC_PATH = fileURLToPath(new URL('../docs/run-dir.md', import.meta.url));
export const BEGIN =
  '<!-- BEGIN run-format: generated from src/audit/run-format/ by `node --import tsx scripts/run-format-doc.ts`; edit the schemas, not this part -->';
export const END = '<!-- END run-format -->';

/** The part of JSON Schema that z.toJSONSchema writes for these schemas. */
interface Json {
  type?: string | string[];
  description?: string;
  /** A named type (`.meta({ title, definition })`): listed by name and defined once below the table. */
  title?: string;
  definition?: string;
  const?: unknown;
  enum?: unknown[];
  default?: unknown;
  properties?: Record<string, Json>;
  required?: string[];
  items?: Json;
  additionalProperties?: Json | boolean;
  propertyNames?: Json;
  anyOf?: Json[];
}

const jsonSchema = (schema: z.ZodType): Json => z.toJSONSchema(schema, { io: 'input' }) as Json;

/** The record's key placeholder ("<fpr>"): its key schema's title, else "<key>". */
const keyName = (j: Json) => j.propertyNames?.title ?? '<key>';

/**
 * A short type: string, integer, number | null, object[], {"feature": "class", "value": integer}, …; a
 * schema with a title (`.meta({ title })`, e.g. Spread) by its title, defined once below the table.
 */
export function typeText(j: Json, defs?: Map<string, Json>): string {
  if (j.title !== undefined && defs !== undefined) {
    defs.set(j.title, j);
    return j.title;
  }
  if (j.const !== undefined) return JSON.stringify(j.const);
  if (j.enum !== undefined) return j.enum.map((v) => JSON.stringify(v)).join(' | ');
  if (j.anyOf !== undefined) {
    return j.anyOf.map((a) => (a.properties !== undefined ? inlineObject(a) : typeText(a, defs))).join(' | ');
  }
  const types = Array.isArray(j.type) ? j.type : j.type === undefined ? [] : [j.type];
  if (types.length === 0) return 'any';
  return types
    .map((t) => {
      if (t === 'array') {
        const item = j.items === undefined ? 'any' : typeText(j.items, defs);
        return item.includes(' | ') ? `(${item})[]` : `${item}[]`;
      }
      if (t === 'object' && j.properties === undefined && typeof j.additionalProperties === 'object') {
        const v = j.additionalProperties;
        const value = v.properties !== undefined && v.title === undefined ? 'object' : typeText(v, defs);
        return `{${keyName(j)}: ${value}}`;
      }
      return t;
    })
    .join(' | ');
}

function inlineObject(j: Json): string {
  const fields = Object.entries(j.properties ?? {}).map(
    ([k, v]) => `"${k}"${j.required?.includes(k) ? '' : '?'}: ${typeText(v)}`,
  );
  return `{${fields.join(', ')}}`;
}

interface Row {
  field: string;
  type: string;
  meaning: string;
}

/**
 * One row per field, nested fields as `a.b`, `a[].b` and `a.<key>.b`, in the schema's order; titled
 * schemas are not descended into but collected in `defs`.
 */
export function fieldRows(j: Json, defs: Map<string, Json>, prefix = ''): Row[] {
  const rows: Row[] = [];
  for (const [k, p] of Object.entries(j.properties ?? {})) {
    const path = `${prefix}${k}`;
    let type = `\`${typeText(p, defs)}\``;
    if (p.default !== undefined) type += `, default ${JSON.stringify(p.default)}`;
    else if (!(j.required ?? []).includes(k)) type += ', optional';
    rows.push({ field: path, type, meaning: p.description ?? '' });
    if (p.title === undefined) rows.push(...nestedRows(p, path, defs));
  }
  return rows;
}

function nestedRows(p: Json, path: string, defs: Map<string, Json>): Row[] {
  if (p.properties !== undefined) return fieldRows(p, defs, `${path}.`);
  if (p.items?.properties !== undefined && p.items.title === undefined) {
    return fieldRows(p.items, defs, `${path}[].`);
  }
  const v = p.additionalProperties;
  if (typeof v === 'object' && v.properties !== undefined && v.title === undefined) {
    return fieldRows(v, defs, `${path}.${keyName(p)}.`);
  }
  return [];
}

const cell = (s: string) => s.replace(/\|/g, '\\|');

function table(head: string[], rows: string[][]): string {
  const lines = [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`];
  for (const r of rows) lines.push(`| ${r.map(cell).join(' | ')} |`);
  return lines.join('\n');
}

const fieldTable = (rows: Row[]) =>
  table(
    ['field', 'type', 'meaning'],
    rows.map((r) => [`\`${r.field}\``, r.type, r.meaning]),
  );

/** `text` broken into lines of at most 105 characters (at spaces). */
function wrap(text: string): string {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line !== '' && line.length + 1 + word.length > 105) {
      lines.push(line);
      line = word;
    } else line = line === '' ? word : `${line} ${word}`;
  }
  if (line !== '') lines.push(line);
  return lines.join('\n');
}

const sentence = (t: string) => {
  const s = t.charAt(0).toUpperCase() + t.slice(1);
  return s.endsWith('.') ? s : `${s}.`;
};

/** The doc section of one file (undefined when the tree says all); `defined` maps a title to its file. */
function section(f: RunFile, defined: Map<string, string>): string | undefined {
  if (f.schema === undefined && f.arrays === undefined && f.details === undefined) return undefined;
  const parts = [`### \`${f.path}\``];
  const j = f.schema === undefined ? undefined : jsonSchema(f.schema);
  const text = [j?.description ?? f.summary];
  if (f.details !== undefined) text.push(f.details);
  parts.push(wrap(text.map(sentence).join(' ')));
  if (j !== undefined) {
    const defs = new Map<string, Json>();
    const rows = fieldRows(j, defs);
    parts.push(rows.length === 0 ? 'Any JSON object.' : fieldTable(rows));
    for (const [title, d] of defs) {
      const where = defined.get(title);
      if (where !== undefined) parts.push(`\`${title}\`: as in \`${where}\`.`);
      else if (d.properties !== undefined) {
        parts.push(wrap(`\`${title}\`${d.definition === undefined ? '' : `, ${d.definition}`}:`));
        parts.push(fieldTable(fieldRows(d, defs)));
      } else {
        const { title: _t, ...untitled } = d;
        parts.push(
          wrap(
            `\`${title}\`${d.definition === undefined ? '' : `, ${d.definition},`} one of ${typeText(untitled)}.`,
          ),
        );
      }
      defined.set(title, f.path);
    }
  }
  if (f.arrays !== undefined) {
    parts.push(
      table(
        ['array', 'dtype', 'shape', 'meaning'],
        f.arrays.map((a) => [a.key === '' ? '(the array)' : `\`${a.key}\``, a.dtype, a.shape, a.meaning]),
      ),
    );
  }
  return parts.join('\n\n');
}

/** The generated part of docs/run-dir.md, markers included. */
export function renderRunFormat(): string {
  const width = Math.max(...RUN_FILES.map((f) => f.path.length)) + 2;
  const tree = ['<run dir>/', ...RUN_FILES.map((f) => `  ${f.path.padEnd(width)}${f.summary}`)];
  const defined = new Map<string, string>();
  const sections = RUN_FILES.map((f) => section(f, defined)).filter((s): s is string => s !== undefined);
  return [
    BEGIN,
    '```',
    ...tree,
    '```',
    '',
    '## The files',
    '',
    wrap(
      `Sizes in the shapes: ${ARRAY_SIZES}. A field marked optional may be absent. The report reads ` +
        'every file with these schemas; unknown keys are ignored.',
    ),
    '',
    sections.join('\n\n'),
    END,
  ].join('\n');
}

/** `doc` with its generated part replaced by {@link renderRunFormat}'s. */
export function withRunFormat(doc: string): string {
  const a = doc.indexOf(BEGIN);
  const b = doc.indexOf(END);
  if (a < 0 || b < a) throw new Error(`${DOC_PATH}: no ${BEGIN} … ${END} part`);
  return doc.slice(0, a) + renderRunFormat() + doc.slice(b + END.length);
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  const doc = readFileSync(DOC_PATH, 'utf8');
  const next = withRunFormat(doc);
  if (next === doc) console.log(`${DOC_PATH} is up to date`);
  else {
    writeFileSync(DOC_PATH, next);
    console.log(`${DOC_PATH} rewritten`);
  }
}
