/**
 * JSON files and text: parsing with errors located at the file, line and column of the first syntax error.
 */
import { MiaError } from '../errors.js';
import { readFileOrThrow } from './atomic.js';

/**
 * Reads and parses the JSON file at `path` (UTF-8, a leading BOM ignored). Throws MiaError E_IO when the
 * file cannot be read, and E_JSON located at { file: path, line, column } (1-based, column in UTF-16
 * code units; `where` = `path:line:column`) at the first syntax error.
 */
export function readJsonFile(path: string): unknown {
  const bytes = readFileOrThrow(path);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new MiaError('E_JSON', 'file is not valid UTF-8', { where: { file: path } });
  }
  return parseJsonText(text, path);
}

/**
 * `JSON.parse(text)` (a leading BOM ignored) with syntax errors turned into MiaError E_JSON located at
 * { file, line, column } of the first offending character (1-based; `where` = `file:line:column`), found
 * by a small RFC 8259 scanner because V8's messages do not always carry a position.
 */
export function parseJsonText(text: string, file: string): unknown {
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  try {
    return JSON.parse(text);
  } catch {
    const { offset, message } = locateJsonError(text);
    const { line, column } = lineColumn(text, offset);
    throw new MiaError('E_JSON', `invalid JSON: ${message}`, { where: { file, line, column } });
  }
}

function lineColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let start = 0;
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) {
    line++;
    start = i + 1;
  }
  return { line, column: offset - start + 1 };
}

class JsonSyntax extends Error {
  constructor(
    readonly offset: number,
    message: string,
  ) {
    super(message);
  }
}

/** Finds the offset and a description of the first syntax error in `text` (RFC 8259 grammar). */
function locateJsonError(text: string): { offset: number; message: string } {
  let i = 0;
  const n = text.length;
  const ws = (): void => {
    while (i < n) {
      const c = text.charCodeAt(i);
      if (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d) i++;
      else break;
    }
  };
  const describe = (): string => (i >= n ? 'end of input' : `'${text[i]}'`);
  const fail = (what: string): never => {
    throw new JsonSyntax(i, `expected ${what}, found ${describe()}`);
  };
  const literal = (word: string): void => {
    for (let k = 0; k < word.length; k++, i++) if (text[i] !== word[k]) fail(`'${word}'`);
  };
  const string = (): void => {
    i++; // opening quote
    for (;;) {
      if (i >= n) fail("closing '\"'");
      const c = text.charCodeAt(i);
      if (c === 0x22) {
        i++;
        return;
      }
      if (c < 0x20) fail('no control character inside a string');
      if (c === 0x5c) {
        i++;
        const e = text[i];
        if (e === 'u') {
          i++;
          for (let k = 0; k < 4; k++, i++)
            if (!/[0-9a-fA-F]/.test(text[i] ?? '')) fail('4 hex digits after \\u');
        } else if (e !== undefined && '"\\/bfnrt'.includes(e)) i++;
        else fail('a valid escape');
      } else i++;
    }
  };
  const digits = (): void => {
    const s = i;
    while (i < n && text.charCodeAt(i) >= 0x30 && text.charCodeAt(i) <= 0x39) i++;
    if (i === s) fail('a digit');
  };
  const number = (): void => {
    if (text[i] === '-') i++;
    if (text[i] === '0') i++;
    else digits();
    if (text[i] === '.') {
      i++;
      digits();
    }
    if (text[i] === 'e' || text[i] === 'E') {
      i++;
      if (text[i] === '+' || text[i] === '-') i++;
      digits();
    }
  };
  const value = (depth: number): void => {
    ws();
    const c = text[i];
    if (c === '{') {
      i++;
      ws();
      if (text[i] === '}') {
        i++;
        return;
      }
      for (;;) {
        ws();
        if (text[i] !== '"') fail('a property name in double quotes');
        string();
        ws();
        if (text[i] !== ':') fail("':'");
        i++;
        value(depth + 1);
        ws();
        if (text[i] === ',') i++;
        else if (text[i] === '}') {
          i++;
          return;
        } else fail("',' or '}'");
      }
    } else if (c === '[') {
      i++;
      ws();
      if (text[i] === ']') {
        i++;
        return;
      }
      for (;;) {
        value(depth + 1);
        ws();
        if (text[i] === ',') i++;
        else if (text[i] === ']') {
          i++;
          return;
        } else fail("',' or ']'");
      }
    } else if (c === '"') string();
    else if (c === 't') literal('true');
    else if (c === 'f') literal('false');
    else if (c === 'n') literal('null');
    else if (c === '-' || (c !== undefined && c >= '0' && c <= '9')) number();
    else fail('a JSON value');
  };
  try {
    value(0);
    ws();
    if (i < n) fail('end of input');
  } catch (e) {
    if (e instanceof JsonSyntax) return { offset: e.offset, message: e.message };
    if (e instanceof RangeError) return { offset: i, message: 'nesting too deep' };
    throw e;
  }
  // JSON.parse failed but the scanner accepted: should not happen; report the start.
  return { offset: 0, message: 'unparseable JSON' };
}
