import { type ParseArgsConfig, parseArgs } from 'node:util';
import { MiaError } from '../errors.js';

/** One `mia` sub-command. Each lives in its own file under src/cli/ and is listed in src/cli/main.ts. */
export interface CliCommand {
  name: string;
  /** One line for `mia --help`. */
  summary: string;
  /** The usage text printed by `mia <name> --help`. */
  usage: string;
  /** Runs the command; resolves to the process exit code. Throw MiaError for user errors. */
  run(argv: string[]): Promise<number>;
}

type Options = NonNullable<ParseArgsConfig['options']>;

/** What parseCommandArgs returns: parseArgs' values (typed by `T`) and positionals. */
export type ParsedCommandArgs<T extends Options> = ReturnType<
  typeof parseArgs<{ args: string[]; options: T; strict: true; allowPositionals: boolean }>
>;

/** A value that reads as a negative number ("-1", "-0.5", "-.5", "-1e3"). */
const NEGATIVE_NUMBER = /^-\d|^-\.\d/;

/**
 * parseArgs takes `--seed -1` for an option followed by another option and refuses it as ambiguous; a
 * value that looks like a negative number after a string option (`--opt` or its short form) is joined
 * to it (`--opt=-1`) so that the flag's own range check reports what is wrong. Nothing after `--` is
 * touched.
 */
function joinNegativeValues(argv: readonly string[], options: Options): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      out.push(...argv.slice(i));
      break;
    }
    const next = argv[i + 1];
    if (next !== undefined && NEGATIVE_NUMBER.test(next)) {
      let name: string | undefined;
      if (arg.startsWith('--') && !arg.includes('=')) name = arg.slice(2);
      else if (/^-[^-]$/.test(arg))
        name = Object.keys(options).find((k) => options[k]!.short === arg.slice(1));
      if (name !== undefined && Object.hasOwn(options, name) && options[name]!.type === 'string') {
        out.push(`--${name}=${next}`);
        i++;
        continue;
      }
    }
    out.push(arg);
  }
  return out;
}

/**
 * node:util parseArgs with user errors turned into one-line MiaErrors (E_USAGE) that name the command.
 * Unknown flags and missing values are errors, never ignored. A negative number is accepted as the
 * value of a string option (`--seed -1`), so that the range checks of intFlag / numberFlag judge it.
 */
export function parseCommandArgs<T extends Options>(
  command: string,
  argv: string[],
  options: T,
  allowPositionals = false,
): ParsedCommandArgs<T> {
  try {
    return parseArgs({ args: joinNegativeValues(argv, options), options, strict: true, allowPositionals });
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    throw new MiaError('E_USAGE', `${msg.replace(/\.?\s*$/, '')}; see \`mia ${command} --help\``, {
      where: `mia ${command}`,
    });
  }
}

/** Bounds of a numeric flag: [min, max], either end optional, each end inclusive unless `exclusive…`. */
export interface FlagRange {
  min?: number;
  max?: number;
  exclusiveMin?: boolean;
  exclusiveMax?: boolean;
}

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

function flagError(command: string, flag: string, kind: string, range: FlagRange, value: string): MiaError {
  const bounds = describeRange(range);
  return new MiaError('E_USAGE', `--${flag} must be ${kind}${bounds !== '' ? ` ${bounds}` : ''}`, {
    where: `mia ${command}`,
    found: value,
  });
}

/** Seeds: integers in [0, 2³¹ − 1], as the YAML config's run.seed (larger ones would wrap around). */
export const SEED_RANGE: FlagRange = { min: 0, max: 2 ** 31 - 1 };

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
  if (value === undefined) return fallback;
  const n = Number(value);
  if (value.trim() === '' || !Number.isInteger(n) || !inRange(n, range)) {
    throw flagError(command, flag, 'an integer', range, value);
  }
  return n;
}

/** Parses a number flag value (the fallback when absent), or throws E_USAGE naming the flag and its range. */
export function numberFlag(
  command: string,
  flag: string,
  value: string | undefined,
  fallback: number,
  range: FlagRange = {},
): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || !inRange(n, range)) {
    throw flagError(command, flag, 'a number', range, value);
  }
  return n;
}

/** Splits a comma-separated list flag ("a,b , c" → ["a","b","c"]); undefined gives the fallback. */
export function listFlag(value: string | undefined, fallback: readonly string[]): string[] {
  if (value === undefined) return [...fallback];
  return value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}
