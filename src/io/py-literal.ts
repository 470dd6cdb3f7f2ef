/**
 * A parser for the small subset of Python literal syntax that .npy headers use (what numpy reads with
 * `ast.literal_eval`): dicts, tuples, lists, str ('…' or "…" with backslash escapes), int (an old
 * Python 2 `L` suffix allowed, as numpy's `_filter_header` allows), True, False, None.
 */

export type PyValue =
  | string
  | number
  | boolean
  | null
  | { kind: 'dict'; entries: [PyValue, PyValue][] }
  | { kind: 'tuple'; items: PyValue[] }
  | { kind: 'list'; items: PyValue[] };

/** Thrown by {@link parsePyLiteral}; `offset` is the character position of the problem. */
export class PyLiteralError extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
  }
}

const ESCAPES: Record<string, string> = {
  n: '\n',
  t: '\t',
  r: '\r',
  '0': '\0',
  '\\': '\\',
  "'": "'",
  '"': '"',
};

/**
 * Parses `text` as one Python literal (surrounding whitespace allowed). Integers beyond
 * Number.MAX_SAFE_INTEGER are returned as Infinity (with their sign), so callers that need exact
 * values can reject them. Throws {@link PyLiteralError} on anything else.
 */
export function parsePyLiteral(text: string): PyValue {
  let i = 0;
  const n = text.length;
  const fail = (what: string): never => {
    throw new PyLiteralError(`expected ${what} at offset ${i}, found ${i < n ? `'${text[i]}'` : 'end'}`, i);
  };
  const ws = (): void => {
    while (i < n && (text[i] === ' ' || text[i] === '\t' || text[i] === '\n' || text[i] === '\r')) i++;
  };
  const seq = (close: string): PyValue[] => {
    const items: PyValue[] = [];
    for (;;) {
      ws();
      if (text[i] === close) {
        i++;
        return items;
      }
      items.push(value());
      ws();
      if (text[i] === ',') i++;
      else if (text[i] !== close) fail(`',' or '${close}'`);
    }
  };
  const value = (): PyValue => {
    ws();
    const c = text[i];
    if (c === '{') {
      i++;
      const entries: [PyValue, PyValue][] = [];
      for (;;) {
        ws();
        if (text[i] === '}') {
          i++;
          return { kind: 'dict', entries };
        }
        const k = value();
        ws();
        if (text[i] !== ':') fail("':'");
        i++;
        entries.push([k, value()]);
        ws();
        if (text[i] === ',') i++;
        else if (text[i] !== '}') fail("',' or '}'");
      }
    }
    if (c === '(') {
      i++;
      const start = i;
      const items = seq(')');
      // `(x)` without a comma is just x in Python, not a tuple
      if (
        items.length === 1 &&
        !text
          .slice(start, i - 1)
          .trimEnd()
          .endsWith(',')
      )
        return items[0]!;
      return { kind: 'tuple', items };
    }
    if (c === '[') {
      i++;
      return { kind: 'list', items: seq(']') };
    }
    if (c === "'" || c === '"') {
      i++;
      let out = '';
      for (;;) {
        if (i >= n) fail(`closing ${c}`);
        const ch = text[i]!;
        if (ch === c) {
          i++;
          return out;
        }
        if (ch === '\\') {
          const e = text[i + 1];
          const mapped = e !== undefined ? ESCAPES[e] : undefined;
          if (mapped === undefined) fail('a supported escape');
          out += mapped;
          i += 2;
        } else {
          out += ch;
          i++;
        }
      }
    }
    const m = /^(?:([+-]?\d+)[lL]?|True|False|None)/.exec(text.slice(i, i + 64));
    if (m !== null) {
      i += m[0].length;
      if (m[1] !== undefined) {
        const v = Number(m[1]);
        return Number.isSafeInteger(v) ? v : v < 0 ? -Infinity : Infinity;
      }
      return m[0] === 'True' ? true : m[0] === 'False' ? false : null;
    }
    return fail('a Python literal');
  };
  const v = value();
  ws();
  if (i < n) fail('end of literal');
  return v;
}
