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

/**
 * A small reference-mode audit config (synthetic [16] data, an mlp, 3 reference models, rmia + loss)
 * writing to `dir`, whose target trains `epochs` epochs: the runs that interrupt and lock tests stop.
 */
export function smallAuditConfig(dir: string, epochs: number, report = false): string {
  return `run:
  seed: 5
  log_dir: ${dir}
data:
  dataset: synthetic
  audit_size: 300
  population_size: 100
  validation_size: 50
  synthetic: {shape: [16], classes: 4, noise: 2}
target:
  architecture: {name: mlp, params: {hidden: "32"}}
  epochs: ${epochs}
  batch_size: 20
audit:
  reference_models: 3
  attacks: [rmia, loss]
  slices: [entire]
report:
  enabled: ${report}
`;
}
