/**
 * `mia demo [--out DIR]`: the README's first command. Runs configs/quickstart.yaml — a small CNN on
 * Fashion-MNIST, its reference models, RMIA + LiRA + loss attacks and the report — with its log dir under
 * DIR (default ./mia-demo), printing progress and the summary.
 */
import { basename, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { auditAndReport, topFlag } from './audit.js';
import { defineCommand } from './command.js';
import { text, texts } from './flags.js';
import { setCurrentRunDir } from './interrupt.js';
import { waitLockFlag } from './shared-flags.js';

/** The quickstart config shipped with the package. */
export const QUICKSTART_CONFIG = fileURLToPath(new URL('../../configs/quickstart.yaml', import.meta.url));

export const demoCommand = defineCommand({
  name: 'demo',
  summary: 'run the quickstart audit (small CNN on Fashion-MNIST, RMIA + LiRA + report) — start here',
  description: `Runs the quickstart audit (configs/quickstart.yaml): a small CNN trained on Fashion-MNIST (from Debian's
dataset-fashion-mnist, the cache, or a verified download; a built-in synthetic stand-in, with a notice,
when none is found), 7 reference models, the RMIA, LiRA and loss attacks, and the report. 30 s to 2
minutes on 2 cores, training included. The run goes to DIR/quickstart (DIR defaults to ./mia-demo); a
second run reuses the trained models.`,
  flags: {
    out: text({
      output: 'dir',
      default: 'mia-demo',
      placeholder: 'DIR',
      description: 'where the run directory goes (default ./{default})',
    }),
    set: texts({
      placeholder: 'KEY=VALUE',
      description: 'override a value of the quickstart config (repeatable), e.g. --set target.epochs=5',
    }),
    top: topFlag(),
    'wait-lock': waitLockFlag(),
  },
  resumable: true,
  async run(args) {
    // every flag is checked before this runs: nothing is printed before they are all valid
    const { loadAuditConfig } = await import('../audit/config.js');
    const loaded = loadAuditConfig(QUICKSTART_CONFIG, args.set);
    const dir = resolve(args.out);
    const logDir = join(dir, basename(loaded.config.run.logDir));
    console.log(`mia demo: the quickstart audit (${QUICKSTART_CONFIG}), run directory ${logDir}`);
    setCurrentRunDir(logDir);
    return auditAndReport(loaded, { logDir, report: true, top: args.top, waitLock: args['wait-lock'] });
  },
});
