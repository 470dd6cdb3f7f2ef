/**
 * MIA_SET: config overrides from the environment, applied after the command line's --set. A long
 * example of the docs runs smaller with it while its command line stays as the page shows it
 * (test/docs-commands.test.ts reads them from a `<!-- run-env: MIA_SET='…' -->` line above the block).
 * The command prints the overrides it took, so a run shrunk this way always says so.
 */

/** The variable's name. */
export const ENV_SETS = 'MIA_SET';

/**
 * `sets` followed by MIA_SET's `;`-separated KEY=VALUE items (VALUE is YAML, as for --set; empty items
 * are skipped). Calls `note` with one line naming them when there are any.
 */
export function withEnvOverrides(
  sets: readonly string[],
  note: (line: string) => void = (l) => console.log(l),
  env: NodeJS.ProcessEnv = process.env,
): string[] {
  const fromEnv = (env[ENV_SETS] ?? '')
    .split(';')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  if (fromEnv.length > 0) note(`${ENV_SETS}: ${fromEnv.join(', ')} (config overrides from the environment)`);
  return [...sets, ...fromEnv];
}
