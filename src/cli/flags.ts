/**
 * The flags of a `mia` command, declared once: each builder below (`text`, `texts`, `bool`, `int`, `num`,
 * `list`, `choice`, `parsed`) returns a {@link Flag} that says how node:util parseArgs reads it, how its
 * text becomes the command's value (with a one-line E_USAGE naming the flag when it cannot), and what
 * `mia <command> --help` says about it (src/cli/usage.ts). The parser of src/cli/command.ts and the
 * usage text are both generated from these declarations, so they cannot drift apart.
 */
import { MiaError } from '../errors.js';

/** What parseArgs gives for one flag: a string, the strings of a repeatable flag, a boolean, or nothing. */
export type RawFlag = string | string[] | boolean | undefined;

/** One declared flag whose parsed value has type `T`. */
export interface Flag<T> {
  /** How parseArgs reads it. */
  readonly type: 'string' | 'boolean';
  /** Repeatable (`--set a=1 --set b=2`). */
  readonly multiple: boolean;
  /** The value's name in the usage text (FILE, N, LIST); none for booleans. */
  readonly placeholder: string | undefined;
  /** What the usage line shows as the value of a flag it names (`--out scores.csv`); else the placeholder. */
  readonly example: string | undefined;
  /**
   * The flag's lines in the usage text, `\n` between lines (continuation lines are indented to the
   * description column, keeping their own leading spaces). `{default}` is replaced by the default.
   */
  readonly description: string | (() => string);
  /** The value when the flag is absent, as `{default}` shows it (lists joined by commas). */
  readonly default: unknown;
  /** Absent is an error: "--X is required; see `mia C --help`". */
  readonly required: boolean;
  /** Another flag this one only goes with: "--X goes with --Y" when that one is absent. */
  readonly requires: string | undefined;
  /** Starts a new group of flags in the usage text, under this heading (it and the flags after it). */
  readonly group: string | undefined;
  /**
   * The flag names a file the command writes (`-` or /dev/stdout: standard output, and the command's
   * own lines go to stderr) or a folder it writes (which standard output cannot be).
   */
  readonly output: 'file' | 'dir' | undefined;
  /** A one-letter alias (`-f` for `--follow`). */
  readonly short?: string | undefined;
  /** The command's value from parseArgs' (undefined when absent); throws MiaError (E_USAGE …). */
  parse(raw: RawFlag, command: string, flag: string): T;
}

/** Any flag; a command's `flags` are a record of them, keyed by the name after `--`. */
// biome-ignore lint/suspicious/noExplicitAny: a flag of any value type
export type AnyFlag = Flag<any>;
export type Flags = Readonly<Record<string, AnyFlag>>;

/** The parsed values of `flags`, one per key, typed by each flag. */
export type FlagValues<F extends Flags> = {
  -readonly [K in keyof F]: F[K] extends Flag<infer T> ? T : never;
};

/** What every builder takes. */
export interface FlagOptions {
  description: string | (() => string);
  /** Overrides the builder's placeholder (FILE, N, LIST, …). */
  placeholder?: string;
  /** The value the usage line shows (`scores.csv`) where it names the flag; the placeholder otherwise. */
  example?: string;
  requires?: string;
  group?: string;
  /** See {@link Flag.output}. */
  output?: 'file' | 'dir';
  /** See {@link Flag.short}. */
  short?: string;
}

/** Bounds of a numeric flag: [min, max], either end optional, each end inclusive unless `exclusive…`. */
export interface FlagRange {
  min?: number;
  max?: number;
  exclusiveMin?: boolean;
  exclusiveMax?: boolean;
}

/** Seeds: integers in [0, 2³¹ − 1], as the YAML config's run.seed (larger ones would wrap around). */
export const SEED_RANGE: FlagRange = { min: 0, max: 2 ** 31 - 1 };

/** "≥ 1", "> 0", "in [0, 1)", "" (no bounds). */
export function describeRange(range: FlagRange): string {
  const { min, max } = range;
  if (min !== undefined && max !== undefined)
    return `in ${range.exclusiveMin === true ? '(' : '['}${min}, ${max}${range.exclusiveMax === true ? ')' : ']'}`;
  if (min !== undefined) return `${range.exclusiveMin === true ? '>' : '≥'} ${min}`;
  if (max !== undefined) return `${range.exclusiveMax === true ? '<' : '≤'} ${max}`;
  return '';
}

function inRange(n: number, r: FlagRange): boolean {
  if (r.min !== undefined && (r.exclusiveMin === true ? n <= r.min : n < r.min)) return false;
  if (r.max !== undefined && (r.exclusiveMax === true ? n >= r.max : n > r.max)) return false;
  return true;
}

/** A one-line E_USAGE of `mia <command>`: "mia train: --epochs must be … (found 0)". */
export function usageError(command: string, message: string, found?: string): MiaError {
  return new MiaError('E_USAGE', message, {
    where: `mia ${command}`,
    ...(found !== undefined ? { found } : {}),
  });
}

function flagError(command: string, flag: string, kind: string, range: FlagRange, value: string): MiaError {
  const bounds = describeRange(range);
  return usageError(command, `--${flag} must be ${kind}${bounds !== '' ? ` ${bounds}` : ''}`, value);
}

/** Parses a numeric flag value: `value` as a number that `ok` accepts and in `range`, else E_USAGE. */
function numericFlag(
  command: string,
  flag: string,
  value: string,
  kind: string,
  ok: (n: number) => boolean,
  range: FlagRange,
): number {
  const n = Number(value);
  if (value.trim() === '' || !ok(n) || !inRange(n, range)) throw flagError(command, flag, kind, range, value);
  return n;
}

/**
 * Parses an integer flag value (the fallback when absent, which is not checked), or throws E_USAGE
 * naming the flag and its range ("--epochs must be an integer ≥ 1 (found 0)").
 */
export function intFlag(
  command: string,
  flag: string,
  value: string | undefined,
  fallback: number,
  range: FlagRange = {},
): number {
  return value === undefined
    ? fallback
    : numericFlag(command, flag, value, 'an integer', Number.isInteger, range);
}

/** Parses a number flag value (the fallback when absent), or throws E_USAGE naming the flag and its range. */
export function numberFlag(
  command: string,
  flag: string,
  value: string | undefined,
  fallback: number,
  range: FlagRange = {},
): number {
  return value === undefined
    ? fallback
    : numericFlag(command, flag, value, 'a number', Number.isFinite, range);
}

/** Splits a comma-separated list flag ("a,b , c" → ["a","b","c"]); undefined gives the fallback. */
export function listFlag(value: string | undefined, fallback: readonly string[]): string[] {
  if (value === undefined) return [...fallback];
  return value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

const str = (raw: RawFlag): string | undefined => (typeof raw === 'string' ? raw : undefined);

function make<T>(
  o: FlagOptions,
  fields: {
    type?: 'string' | 'boolean';
    multiple?: boolean;
    placeholder?: string;
    default?: unknown;
    required?: boolean;
  },
  parse: Flag<T>['parse'],
): Flag<T> {
  return {
    type: fields.type ?? 'string',
    multiple: fields.multiple ?? false,
    placeholder: fields.type === 'boolean' ? undefined : (o.placeholder ?? fields.placeholder),
    example: fields.type === 'boolean' ? undefined : o.example,
    description: o.description,
    default: fields.default,
    required: fields.required ?? false,
    requires: o.requires,
    group: o.group,
    output: o.output,
    ...(o.short !== undefined ? { short: o.short } : {}),
    parse,
  };
}

/** A string flag (placeholder VALUE): required, with a default, or undefined when absent. */
export function text(o: FlagOptions & { required: true }): Flag<string>;
export function text(o: FlagOptions & { default: string }): Flag<string>;
export function text(o: FlagOptions): Flag<string | undefined>;
export function text(o: FlagOptions & { required?: boolean; default?: string }): Flag<string | undefined> {
  return make(
    o,
    { placeholder: 'VALUE', default: o.default, required: o.required === true },
    (raw) => str(raw) ?? o.default,
  );
}

/** A repeatable string flag: every value in order, [] when absent. */
export function texts(o: FlagOptions): Flag<string[]> {
  return make(o, { placeholder: 'VALUE', multiple: true }, (raw) => (Array.isArray(raw) ? raw : []));
}

/** A boolean flag (`--force`): true when given. */
export function bool(o: FlagOptions): Flag<boolean> {
  return make(o, { type: 'boolean' }, (raw) => raw === true);
}

/** What `int` and `num` take besides the common options. */
export interface NumberOptions extends FlagOptions {
  /** Outside it: "--X must be an integer ≥ 1 (found 0)". */
  range?: FlagRange;
  /** A further test of the parsed value: an error message after "--X " (e.g. "must be at least 1"), or undefined. */
  check?: (n: number) => string | undefined;
}

function numeric(kind: 'int' | 'num', o: NumberOptions & { default?: number }): Flag<number | undefined> {
  return make(o, { placeholder: 'N', default: o.default }, (raw, command, flag) => {
    const value = str(raw);
    if (value === undefined) return o.default;
    const n =
      kind === 'int'
        ? intFlag(command, flag, value, 0, o.range)
        : numberFlag(command, flag, value, 0, o.range);
    const bad = o.check?.(n);
    if (bad !== undefined) throw usageError(command, `--${flag} ${bad}`, value);
    return n;
  });
}

/** An integer flag (placeholder N), checked against `range` and `check`; undefined when absent without a default. */
export function int(o: NumberOptions & { default: number }): Flag<number>;
export function int(o: NumberOptions): Flag<number | undefined>;
export function int(o: NumberOptions & { default?: number }): Flag<number | undefined> {
  return numeric('int', o);
}

/** A finite-number flag (placeholder X), checked against `range` and `check`. */
export function num(o: NumberOptions & { default: number }): Flag<number>;
export function num(o: NumberOptions): Flag<number | undefined>;
export function num(o: NumberOptions & { default?: number }): Flag<number | undefined> {
  return numeric('num', { placeholder: 'X', ...o });
}

/** A comma-separated list (placeholder LIST): its non-empty items, trimmed; the default (or undefined) when absent. */
export function list(o: FlagOptions & { default: readonly string[] }): Flag<string[]>;
export function list(o: FlagOptions): Flag<string[] | undefined>;
export function list(o: FlagOptions & { default?: readonly string[] }): Flag<string[] | undefined> {
  return make(o, { placeholder: 'LIST', default: o.default }, (raw) => {
    const value = str(raw);
    if (value === undefined) return o.default === undefined ? undefined : [...o.default];
    return listFlag(value, []);
  });
}

/** One of `choices` (placeholder NAME); anything else is "--X must be one of a, b, c (found v)". */
export function choice<const C extends string>(
  choices: readonly C[],
  o: FlagOptions & { default: NoInfer<C> },
): Flag<C>;
export function choice<const C extends string>(choices: readonly C[], o: FlagOptions): Flag<C | undefined>;
export function choice<const C extends string>(
  choices: readonly C[],
  o: FlagOptions & { default?: C },
): Flag<C | undefined> {
  return make(o, { placeholder: 'NAME', default: o.default }, (raw, command, flag) => {
    const value = str(raw);
    if (value === undefined) return o.default;
    if (!(choices as readonly string[]).includes(value)) {
      throw usageError(command, `--${flag} must be one of ${choices.join(', ')}`, value);
    }
    return value as C;
  });
}

/**
 * A string flag turned into a value by `parse` (which throws its own MiaError naming the flag), e.g. a
 * dataset name with a did-you-mean; the default, or undefined, when absent (`parse` is not called).
 */
export function parsed<T>(
  o: FlagOptions & { parse: (value: string, command: string) => T; default: T },
): Flag<T>;
export function parsed<T>(
  o: FlagOptions & { parse: (value: string, command: string) => T; required: true },
): Flag<T>;
export function parsed<T>(
  o: FlagOptions & { parse: (value: string, command: string) => T },
): Flag<T | undefined>;
export function parsed<T>(
  o: FlagOptions & { parse: (value: string, command: string) => T; default?: T; required?: boolean },
): Flag<T | undefined> {
  return make(
    o,
    { placeholder: 'VALUE', default: o.default, required: o.required === true },
    (raw, command) => {
      const value = str(raw);
      return value === undefined ? o.default : o.parse(value, command);
    },
  );
}
