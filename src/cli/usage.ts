/**
 * The text of `mia <command> --help`, generated from the command's declaration (src/cli/command.ts):
 *
 *   usage: mia NAME [POSITIONAL] [(--a A | --b B)] [--required R]… [options]
 *
 *   description
 *
 *     --flag VALUE    its description; further lines are indented
 *                     to the same column
 *
 *   Heading of a second group of flags:
 *     --other N      …
 *
 *   epilog
 */
import type { AnyFlag, Flags } from './flags.js';

/** The parts of a command declaration (src/cli/command.ts `CommandSpec`) that its usage text shows. */
export interface UsageSpec {
  name: string;
  description: string;
  positional?: { placeholder: string } | undefined;
  flags: Flags;
  oneOf?: readonly (readonly [string, string])[] | undefined;
  epilog?: string | undefined;
}

/** `--name PLACEHOLDER` (or `--name` for a boolean). */
function flagLeft(key: string, f: AnyFlag): string {
  const name = f.short !== undefined ? `-${f.short}, --${key}` : `--${key}`;
  return f.placeholder === undefined ? name : `${name} ${f.placeholder}`;
}

/** `--name EXAMPLE` as the usage line shows it (the placeholder when the flag has no example). */
function flagExample(key: string, f: AnyFlag): string {
  return f.example === undefined ? flagLeft(key, f) : `--${key} ${f.example}`;
}

function formatDefault(value: unknown): string {
  return Array.isArray(value) ? value.join(',') : String(value);
}

/** A flag's description lines, `{default}` replaced. */
export function flagDescription(f: AnyFlag): string[] {
  const text = typeof f.description === 'function' ? f.description() : f.description;
  return text.replaceAll('{default}', formatDefault(f.default)).split('\n');
}

/**
 * The usage line: the positional argument, each `oneOf` pair, the required flags, then `[options]` for
 * the other flags (`[--json out.json]` when there is only one):
 * `usage: mia attack (--input run.npz | --reference reference.npz) [options]`.
 */
function usageLine(spec: UsageSpec): string {
  const parts = [`usage: mia ${spec.name}`];
  if (spec.positional !== undefined) parts.push(spec.positional.placeholder);
  const paired = new Set<string>();
  for (const [a, b] of spec.oneOf ?? []) {
    parts.push(`(${flagExample(a, spec.flags[a]!)} | ${flagExample(b, spec.flags[b]!)})`);
    paired.add(a).add(b);
  }
  const optional: string[] = [];
  for (const [key, f] of Object.entries(spec.flags)) {
    if (f.required) parts.push(flagExample(key, f));
    else if (!paired.has(key)) optional.push(key);
  }
  if (optional.length === 1) parts.push(`[${flagExample(optional[0]!, spec.flags[optional[0]!]!)}]`);
  else if (optional.length > 1) parts.push('[options]');
  return parts.join(' ');
}

/** Spaces between the longest `--flag VALUE` and its description. */
const GAP = 3;

/** The whole `--help` text of a command (see the module header). */
export function commandUsage(spec: UsageSpec): string {
  const entries = Object.entries(spec.flags);
  const width = Math.max(0, ...entries.map(([key, f]) => flagLeft(key, f).length));
  const indent = ' '.repeat(2 + width + GAP);
  const out = [usageLine(spec), '', spec.description];
  if (entries.length > 0) out.push('');
  for (const [key, f] of entries) {
    if (f.group !== undefined) out.push('', f.group);
    const [first, ...rest] = flagDescription(f);
    out.push(`  ${flagLeft(key, f).padEnd(width + GAP)}${first}`);
    for (const line of rest) out.push(`${indent}${line}`);
  }
  if (spec.epilog !== undefined) out.push('', spec.epilog);
  return out.join('\n');
}
