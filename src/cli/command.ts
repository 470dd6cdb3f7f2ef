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

/**
 * node:util parseArgs with user errors turned into one-line MiaErrors (E_USAGE) that name the command.
 * Unknown flags and missing values are errors, never ignored.
 */
export function parseCommandArgs<T extends Options>(
  command: string,
  argv: string[],
  options: T,
  allowPositionals = false,
) {
  try {
    return parseArgs({ args: argv, options, strict: true, allowPositionals });
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    throw new MiaError('E_USAGE', `${msg.replace(/\.?\s*$/, '')}; see \`mia ${command} --help\``, {
      where: `mia ${command}`,
    });
  }
}

/** Parses an integer flag value, or throws E_USAGE naming the flag. */
export function intFlag(command: string, flag: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n)) {
    throw new MiaError('E_USAGE', `--${flag} must be an integer`, { where: `mia ${command}`, found: value });
  }
  return n;
}

/** Parses a number flag value, or throws E_USAGE naming the flag. */
export function numberFlag(
  command: string,
  flag: string,
  value: string | undefined,
  fallback: number,
): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n)) {
    throw new MiaError('E_USAGE', `--${flag} must be a number`, { where: `mia ${command}`, found: value });
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
