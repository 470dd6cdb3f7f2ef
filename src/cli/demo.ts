/**
 * `mia demo [--out DIR]`: the README's first command. Runs configs/quickstart.yaml — a small CNN on
 * Fashion-MNIST, 5 reference models, RMIA + LiRA + loss attacks and the report — with its log dir under
 * DIR (default ./mia-demo), printing progress and the summary.
 */
import { basename, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadAuditConfig } from '../audit/config.js';
import { auditAndReport } from './audit.js';
import { type CliCommand, intFlag, parseCommandArgs } from './command.js';
import { setCurrentRunDir } from './interrupt.js';

/** The quickstart config shipped with the package. */
export const QUICKSTART_CONFIG = fileURLToPath(new URL('../../configs/quickstart.yaml', import.meta.url));

const USAGE = `usage: mia demo [--out DIR] [--set KEY=VALUE]...

Runs the quickstart audit (configs/quickstart.yaml): a small CNN trained on Fashion-MNIST (from Debian's
dataset-fashion-mnist, the cache, or a verified download; a built-in synthetic stand-in, with a notice,
when none is found), 5 reference models, the RMIA, LiRA and loss attacks, and the report. 1.5 to 3
minutes on 2 cores, training included. The run goes to DIR/quickstart (DIR defaults to ./mia-demo); a
second run reuses the trained models.

  --out DIR         where the run directory goes (default ./mia-demo)
  --set KEY=VALUE   override a value of the quickstart config (repeatable), e.g. --set target.epochs=5
  --top N           rows of the leakiest-slices table (default 10)`;

export const demoCommand: CliCommand = {
  name: 'demo',
  summary: 'run the quickstart audit (small CNN on Fashion-MNIST, RMIA + LiRA) — start here',
  usage: USAGE,
  async run(argv) {
    const { values } = parseCommandArgs('demo', argv, {
      out: { type: 'string' },
      set: { type: 'string', multiple: true },
      top: { type: 'string' },
    });
    // flags first: nothing is printed before they are all valid
    const top = intFlag('demo', 'top', values.top, 10, { min: 1 });
    const loaded = loadAuditConfig(QUICKSTART_CONFIG, values.set ?? []);
    const dir = resolve(values.out ?? 'mia-demo');
    const logDir = join(dir, basename(loaded.config.run.logDir));
    console.log(`mia demo: the quickstart audit (${QUICKSTART_CONFIG}), run directory ${logDir}`);
    setCurrentRunDir(logDir);
    return auditAndReport(loaded, { logDir, report: true, top });
  },
};
