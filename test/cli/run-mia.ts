import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../../bin/mia.js', import.meta.url));

export interface MiaRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `mia <args>` as a user would (node bin/mia.js), in `cwd`. */
export function runMia(args: string[], cwd?: string, timeoutMs = 120_000): MiaRun {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    cwd,
    encoding: 'utf8',
    timeout: timeoutMs,
    env: { ...process.env, NO_COLOR: '1' },
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}
