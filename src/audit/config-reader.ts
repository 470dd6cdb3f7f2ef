/**
 * Reading a YAML config with positions. The document is parsed with the `yaml` package (YAML 1.2 core
 * schema: `1e-3` is a number, `yes` a string) and every value is read from its node, so that every
 * error points at `file:line:column` of the offending key or value and says, on one line, what was
 * expected and what was found. The error's location holds the parts: { file, key (the dotted path,
 * `target.epochs` or `audit.slices[1]`), line, column }. Values set on the command line (`--set a.b=v`)
 * have no position; their errors point at the string `--set a.b`.
 *
 * Rules: a mapping may only hold the keys its section declares (an unknown key is an error at the key,
 * with the closest known key suggested); a key whose value is empty (`key:` or `key: null`) counts as
 * absent; duplicate keys and YAML syntax errors are errors at their position.
 */
import {
  type Document,
  isMap,
  isScalar,
  isSeq,
  LineCounter,
  type Node,
  type ParsedNode,
  parse,
  parseDocument,
  type YAMLMap,
} from 'yaml';
import { type ErrorLocation, type ErrorWhere, MiaError } from '../errors.js';

/** The parsed document and what is needed to locate its nodes. */
export interface ConfigSource {
  /** The file name used in error positions (as the user gave it). */
  file: string;
  doc: Document.Parsed;
  lines: LineCounter;
  /** Dotted paths set by overrides (`--set`), whose nodes have no position in the file. */
  overridden: string[];
  /**
   * Where a file the config names (architecture.from) is read from: the path as written (relative to
   * the working directory) unless the caller confines it — the service maps it into its data
   * directory and refuses a path that leads out of it. `field` is the dotted key, for the error.
   */
  resolveFile?: (path: string, field: string) => string;
}

/**
 * Parses YAML `text` (from `file`) and applies `overrides` (`path.to.key=value`, the value parsed as
 * YAML, e.g. `target.epochs=3` or `target.architecture={name: dense}`). Throws E_CONFIG at the
 * position of the first syntax error (or naming the override that is malformed).
 */
export function parseConfigSource(
  text: string,
  file: string,
  overrides: readonly string[] = [],
): ConfigSource {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const err = doc.errors[0];
  if (err !== undefined) {
    const pos = err.linePos?.[0] ?? (err.pos !== undefined ? lines.linePos(err.pos[0]) : undefined);
    const where: ErrorLocation = pos !== undefined ? { file, line: pos.line, column: pos.col } : { file };
    const msg = err.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
    throw new MiaError('E_CONFIG', `YAML syntax error: ${msg}`, { where });
  }
  if (doc.contents === null) doc.contents = doc.createNode({}) as ParsedNode;
  const overridden: string[] = [];
  for (const o of overrides) {
    const eq = o.indexOf('=');
    const path = eq > 0 ? o.slice(0, eq).trim() : '';
    if (eq <= 0 || path === '' || path.split('.').some((k) => k === '')) {
      throw new MiaError('E_USAGE', `--set takes key.path=value, got '${o}'`, {
        where: '--set',
        expected: 'e.g. --set target.epochs=5',
      });
    }
    let value: unknown;
    try {
      value = parse(o.slice(eq + 1));
    } catch (e) {
      throw new MiaError('E_CONFIG', `the value is not valid YAML: ${(e as Error).message.split('\n')[0]}`, {
        where: `--set ${path}`,
      });
    }
    const keys = path.split('.');
    // every parent on the path must be a mapping (or absent)
    for (let i = 1; i < keys.length; i++) {
      const parent = doc.getIn(keys.slice(0, i), true);
      if (
        parent !== undefined &&
        parent !== null &&
        !isMap(parent) &&
        !(isScalar(parent) && parent.value === null)
      ) {
        throw new MiaError(
          'E_CONFIG',
          `cannot set '${path}': '${keys.slice(0, i).join('.')}' is not a mapping`,
          {
            where: `--set ${path}`,
          },
        );
      }
      if (isScalar(parent) && parent.value === null) doc.setIn(keys.slice(0, i), doc.createNode({}));
    }
    doc.setIn(keys, doc.createNode(value));
    overridden.push(path);
  }
  return { file, doc, lines, overridden };
}

/** A short description of what a node holds, for "found …": `"ten"`, `12`, `a list`, `a mapping`. */
export function describeNode(node: unknown): string {
  if (isMap(node)) return 'a mapping';
  if (isSeq(node)) return 'a list';
  if (isScalar(node)) {
    const v = node.value;
    if (typeof v === 'string') return JSON.stringify(v);
    return String(v);
  }
  return String(node);
}

/** Edit distance (Levenshtein) between two short strings. */
function distance(a: string, b: string): number {
  const d = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = d[0]!;
    d[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const t = d[j]!;
      d[j] = Math.min(d[j]! + 1, d[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = t;
    }
  }
  return d[b.length]!;
}

/** The known name closest to `name` when it is a plausible typo (distance ≤ 2, or a case/`-`/`_` variant). */
export function closest(name: string, known: readonly string[]): string | undefined {
  const norm = (s: string) => s.toLowerCase().replace(/[-_]/g, '');
  let best: string | undefined;
  let bestD = Number.POSITIVE_INFINITY;
  for (const k of known) {
    const dd = norm(k) === norm(name) ? 0 : distance(name.toLowerCase(), k.toLowerCase());
    if (dd < bestD) {
      bestD = dd;
      best = k;
    }
  }
  return bestD <= Math.min(2, Math.max(1, Math.floor(name.length / 3))) ? best : undefined;
}

/**
 * Reads one mapping of the config. Construction checks that the node is a mapping and that it holds
 * only `allowed` keys. Accessors return undefined for absent keys (and keys with an empty value) and
 * throw E_CONFIG at the value's position for a wrong type or range.
 */
export class SectionReader {
  readonly path: string;
  private readonly src: ConfigSource;
  private readonly map: YAMLMap | undefined;
  private readonly node: unknown;

  constructor(src: ConfigSource, node: unknown, path: string, allowed: readonly string[]) {
    this.src = src;
    this.path = path;
    this.node = node;
    if (node === undefined || node === null || (isScalar(node) && node.value === null)) {
      this.map = undefined;
      return;
    }
    if (!isMap(node)) {
      throw this.error(
        node,
        path === '' ? 'the config must be a mapping of sections' : `'${path}' must be a mapping`,
        {
          expected: `a mapping with keys ${allowed.join(', ')}`,
          found: describeNode(node),
        },
      );
    }
    this.map = node;
    for (const pair of node.items) {
      const key = isScalar(pair.key) ? String(pair.key.value) : describeNode(pair.key);
      if (!allowed.includes(key)) {
        const hint = closest(key, allowed);
        const full = path === '' ? key : `${path}.${key}`;
        throw this.error(
          pair.key,
          `unknown key '${full}'${hint !== undefined ? ` (did you mean '${hint}'?)` : ''}`,
          {
            expected: `${path === '' ? 'a section' : `a key of ${path}`}: ${allowed.join(', ')}`,
            found: `'${key}'`,
          },
          full,
        );
      }
    }
  }

  /** True when the section is absent or empty. */
  get absent(): boolean {
    return this.map === undefined;
  }

  /** The value node of `key`, or undefined when absent or null. */
  valueNode(key: string): Node | undefined {
    if (this.map === undefined) return undefined;
    const v = this.map.get(key, true) as Node | undefined;
    if (v === undefined || v === null) return undefined;
    if (isScalar(v) && v.value === null) return undefined;
    return v;
  }

  /** True when `key` has a (non-empty) value. */
  has(key: string): boolean {
    return this.valueNode(key) !== undefined;
  }

  /** Dotted path of `key` in this section. */
  pathOf(key: string): string {
    return this.path === '' ? key : `${this.path}.${key}`;
  }

  /** Where `key`'s value is (or the section when the key is absent; `--set …` for overrides): see whereOfNode. */
  whereOf(key?: string): ErrorWhere {
    if (key !== undefined) {
      const n = this.valueNode(key);
      if (n !== undefined) return whereOfNode(this.src, n, this.pathOf(key));
    }
    return whereOfNode(this.src, this.node, this.path);
  }

  /** A MiaError E_CONFIG at `node`'s position whose message starts with its path. */
  error(
    node: unknown,
    message: string,
    details: { expected?: string; found?: string } = {},
    path = this.path,
  ): MiaError {
    return new MiaError('E_CONFIG', message, { where: whereOfNode(this.src, node, path), ...details });
  }

  /** E_CONFIG at `key`'s value: "<path.key> <message>". */
  fail(key: string, message: string, details: { expected?: string; found?: string } = {}): never {
    const n = this.valueNode(key);
    throw new MiaError('E_CONFIG', `${this.pathOf(key)} ${message}`, {
      where: n !== undefined ? whereOfNode(this.src, n, this.pathOf(key)) : this.whereOf(),
      ...details,
    });
  }

  /** A nested section (see the constructor). */
  section(key: string, allowed: readonly string[]): SectionReader {
    return new SectionReader(this.src, this.valueNode(key), this.pathOf(key), allowed);
  }

  private scalar(key: string, expected: string): { node: Node; value: unknown } | undefined {
    const n = this.valueNode(key);
    if (n === undefined) return undefined;
    if (!isScalar(n)) this.fail(key, `must be ${expected}`, { expected, found: describeNode(n) });
    return { node: n, value: n.value };
  }

  /** An integer in [min, max]. */
  int(key: string, range: { min?: number; max?: number } = {}): number | undefined {
    const expected = rangeText('an integer', range);
    const s = this.scalar(key, expected);
    if (s === undefined) return undefined;
    const v = s.value;
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || !inRange(v, range)) {
      this.fail(key, `must be ${expected}`, { expected, found: describeNode(s.node) });
    }
    return v;
  }

  /** A finite number in [min, max] (or (min, max] with `exclusiveMin`). */
  number(
    key: string,
    range: { min?: number; max?: number; exclusiveMin?: boolean } = {},
  ): number | undefined {
    const expected = rangeText('a number', range);
    const s = this.scalar(key, expected);
    if (s === undefined) return undefined;
    const v = s.value;
    if (typeof v !== 'number' || !Number.isFinite(v) || !inRange(v, range)) {
      this.fail(key, `must be ${expected}`, { expected, found: describeNode(s.node) });
    }
    return v;
  }

  /** A non-empty string. */
  string(key: string): string | undefined {
    const s = this.scalar(key, 'a string');
    if (s === undefined) return undefined;
    if (typeof s.value !== 'string' || s.value.trim() === '') {
      this.fail(key, 'must be a non-empty string', { expected: 'a string', found: describeNode(s.node) });
    }
    return s.value;
  }

  /** true or false. */
  bool(key: string): boolean | undefined {
    const s = this.scalar(key, 'true or false');
    if (s === undefined) return undefined;
    if (typeof s.value !== 'boolean') {
      this.fail(key, 'must be true or false', { expected: 'true or false', found: describeNode(s.node) });
    }
    return s.value;
  }

  /** One of `values` (exact spelling; a close miss is suggested). */
  oneOf<T extends string>(key: string, values: readonly T[]): T | undefined {
    const expected = `one of ${values.join(', ')}`;
    const s = this.scalar(key, expected);
    if (s === undefined) return undefined;
    if (typeof s.value !== 'string' || !(values as readonly string[]).includes(s.value)) {
      const hint = typeof s.value === 'string' ? closest(s.value, values) : undefined;
      this.fail(key, `must be ${expected}${hint !== undefined ? ` (did you mean '${hint}'?)` : ''}`, {
        expected,
        found: describeNode(s.node),
      });
    }
    return s.value as T;
  }

  /**
   * A list whose items `item` reads (it gets the item node, its path `key[i]` and a fail function that
   * throws at the item). A single scalar where a list is expected is an error, not a one-item list.
   */
  list<T>(
    key: string,
    itemExpected: string,
    item: (node: Node, fail: (message: string, expected?: string) => never, index: number) => T,
  ): T[] | undefined {
    const n = this.valueNode(key);
    if (n === undefined) return undefined;
    if (!isSeq(n)) {
      this.fail(key, `must be a list of ${itemExpected}`, {
        expected: `a list of ${itemExpected}, e.g. [a, b]`,
        found: describeNode(n),
      });
    }
    return n.items.map((it, i) => {
      const path = `${this.pathOf(key)}[${i}]`;
      const fail = (message: string, expected = itemExpected): never => {
        throw new MiaError('E_CONFIG', `${path} ${message}`, {
          where: whereOfNode(this.src, it, path),
          expected,
          found: describeNode(it),
        });
      };
      return item(it as Node, fail, i);
    });
  }

  /** The raw value node of `key` (for values with their own shape, e.g. an architecture). */
  raw(key: string): Node | undefined {
    return this.valueNode(key);
  }
}

/**
 * Where a node is: { file, key: `path`, line, column } (written `file:line:column`); the string
 * `--set path` for nodes made by an override; else { file } (the file name alone: the path is not
 * written in the file).
 */
export function whereOfNode(src: ConfigSource, node: unknown, path: string): ErrorWhere {
  const range = (node as { range?: [number, number, number] } | null | undefined)?.range;
  if (range !== undefined && range !== null) {
    const p = src.lines.linePos(range[0]);
    return { file: src.file, key: path, line: p.line, column: p.col };
  }
  const o = src.overridden.find((x) => path === x || path.startsWith(`${x}.`) || path.startsWith(`${x}[`));
  return o !== undefined ? `--set ${o}` : { file: src.file };
}

function rangeText(what: string, r: { min?: number; max?: number; exclusiveMin?: boolean }): string {
  if (r.min !== undefined && r.max !== undefined)
    return `${what} in ${r.exclusiveMin ? '(' : '['}${r.min}, ${r.max}]`;
  if (r.min !== undefined) return `${what} ${r.exclusiveMin ? '>' : '≥'} ${r.min}`;
  if (r.max !== undefined) return `${what} ≤ ${r.max}`;
  return what;
}

function inRange(v: number, r: { min?: number; max?: number; exclusiveMin?: boolean }): boolean {
  if (r.min !== undefined && (r.exclusiveMin ? v <= r.min : v < r.min)) return false;
  if (r.max !== undefined && v > r.max) return false;
  return true;
}
