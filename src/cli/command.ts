/**
 * One `mia` sub-command, declared once (the citty way): its name and summary, its flags (src/cli/flags.ts),
 * at most one positional argument, which flags exclude each other, and `run`, which receives the parsed
 * values. `defineCommand` generates from the declaration both the parser (one-line E_USAGE errors that
 * name the flag) and the `--help` text (src/cli/usage.ts). main.ts only looks commands up by name.
 *
 * A command file parses flags and calls the library: the work lives in the stages, which a command loads
 * with `await import(…)` inside `run`, so that `mia --help` (which reads every declaration) and each
 * command load only what they use.
 */
import { type ParseArgsConfig, parseArgs } from 'node:util';
import { MiaError } from '../errors.js';
import { isStdoutPath } from '../io/output-target.js';
import type { Flags, FlagValues, RawFlag } from './flags.js';
import { commandUsage } from './usage.js';

/** The one positional argument of a command (`mia audit CONFIG.yaml`). */
export interface PositionalSpec<P extends string> {
  /** Its key in the parsed values. */
  name: P;
  /** How the usage line shows it ("CONFIG.yaml", "<run dir>"). */
  placeholder: string;
  /** What it is, for "give exactly one config file". */
  noun: string;
}

/** What `run` receives: every flag's value, and the positional argument under its name. */
export type CommandArgs<F extends Flags, P extends string> = FlagValues<F> & { [K in P]: string };

/** The declaration of a command. */
export interface CommandSpec<F extends Flags, P extends string = never> {
  name: string;
  /** One line for `mia --help`. */
  summary: string;
  /** The paragraph under the usage line of `mia <name> --help` (`\n` between lines). */
  description: string;
  positional?: PositionalSpec<P>;
  flags: F;
  /** Pairs of flags of which exactly one is given: "--a (or --b) is required", "--a and --b cannot be combined". */
  oneOf?: readonly (readonly [keyof F & string, keyof F & string])[];
  /** Paragraphs after the flags in the usage text. */
  epilog?: string;
  /**
   * The command writes a run directory that a rerun resumes, and records it (src/cli/interrupt.ts
   * `setCurrentRunDir`): main.ts installs the Ctrl-C handler that names it.
   */
  resumable?: boolean;
  /** Runs the command on the parsed values; resolves to the exit code. Throw MiaError for user errors. */
  run(args: CommandArgs<F, P>): Promise<number>;
}

/** A command as main.ts and the tests use it. */
export interface CliCommand {
  readonly name: string;
  readonly summary: string;
  readonly resumable: boolean;
  /** The declaration it was made from. */
  readonly spec: CommandSpec<Flags, string>;
  /** The text of `mia <name> --help`, generated from the declaration. */
  usage(): string;
  /**
   * Runs the command on its command-line arguments: with `--help` or `-h` anywhere, prints the usage
   * and resolves to 0; otherwise parses them (every flag checked before `run` starts) and runs.
   */
  run(argv: string[]): Promise<number>;
}

/** Makes a command from its declaration (see the module header). */
export function defineCommand<const F extends Flags, const P extends string = never>(
  spec: CommandSpec<F, P>,
): CliCommand {
  const general = spec as unknown as CommandSpec<Flags, string>;
  return {
    name: spec.name,
    summary: spec.summary,
    resumable: spec.resumable === true,
    spec: general,
    usage: () => commandUsage(general),
    async run(argv) {
      if (argv.includes('--help') || argv.includes('-h')) {
        console.log(commandUsage(general));
        return 0;
      }
      const values = parseCommand(general, argv);
      if (stdoutOutputFlag(general, values) !== undefined) {
        // the data goes to stdout: the command's own lines go to stderr, so a pipe gets only the data
        console.log = console.error;
        console.info = console.error;
      }
      return spec.run(values as CommandArgs<F, P>);
    },
  };
}

/**
 * Parses `argv` against a declaration, in this order: parseArgs (unknown flags, missing values), the
 * positional count, required flags, `oneOf` pairs, `requires`, then each flag's value in declaration
 * order. Throws the first error as a one-line MiaError.
 */
export function parseCommand(spec: CommandSpec<Flags, string>, argv: string[]): Record<string, unknown> {
  const { name, flags } = spec;
  const options: Options = {};
  for (const [key, f] of Object.entries(flags)) {
    options[key] = f.multiple ? { type: f.type, multiple: true } : { type: f.type };
    if (f.short !== undefined) options[key]!.short = f.short;
  }
  const { values, positionals } = parseCommandArgs(name, argv, options, spec.positional !== undefined);
  const out: Record<string, unknown> = {};
  if (spec.positional !== undefined) {
    if (positionals.length !== 1) {
      throw new MiaError('E_USAGE', `give exactly one ${spec.positional.noun}; see \`mia ${name} --help\``, {
        where: `mia ${name}`,
        found: positionals.length === 0 ? 'none' : positionals.join(' '),
      });
    }
    out[spec.positional.name] = positionals[0];
  }
  const given = (key: string) => values[key] !== undefined;
  for (const [key, f] of Object.entries(flags)) {
    if (f.required && !given(key)) {
      throw new MiaError('E_USAGE', `--${key} is required; see \`mia ${name} --help\``, {
        where: `mia ${name}`,
      });
    }
  }
  for (const [a, b] of spec.oneOf ?? []) {
    if (!given(a) && !given(b)) {
      throw new MiaError('E_USAGE', `--${a} (or --${b}) is required; see \`mia ${name} --help\``, {
        where: `mia ${name}`,
      });
    }
    if (given(a) && given(b)) {
      throw new MiaError('E_USAGE', `--${a} and --${b} cannot be combined`, { where: `mia ${name}` });
    }
  }
  for (const [key, f] of Object.entries(flags)) {
    if (f.requires !== undefined && given(key) && !given(f.requires)) {
      throw new MiaError('E_USAGE', `--${key} goes with --${f.requires}`, { where: `mia ${name}` });
    }
  }
  for (const [key, f] of Object.entries(flags)) out[key] = f.parse(values[key] as RawFlag, name, key);
  return out;
}

/**
 * The output-file flag (Flag.output) whose value is standard output (`-`, /dev/stdout), if any. Throws
 * E_USAGE when a folder flag names standard output, or when two flags do (their bytes would mix).
 */
export function stdoutOutputFlag(
  spec: CommandSpec<Flags, string>,
  values: Record<string, unknown>,
): string | undefined {
  const toStdout = Object.entries(spec.flags)
    .filter(
      ([key, f]) => f.output !== undefined && typeof values[key] === 'string' && isStdoutPath(values[key]),
    )
    .map(([key, f]) => ({ key, dir: f.output === 'dir' }));
  const dir = toStdout.find((x) => x.dir);
  if (dir !== undefined) {
    throw new MiaError('E_USAGE', `--${dir.key} names a folder; standard output cannot be one`, {
      where: `mia ${spec.name}`,
      found: String(values[dir.key]),
    });
  }
  if (toStdout.length > 1) {
    throw new MiaError('E_USAGE', `only one output can be standard output (- or /dev/stdout)`, {
      where: `mia ${spec.name}`,
      found: toStdout.map((x) => `--${x.key}`).join(', '),
    });
  }
  return toStdout[0]?.key;
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
