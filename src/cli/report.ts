import { statSync } from 'node:fs';
import { isAbsolute, relative, resolve } from 'node:path';
import { defineCommand } from './command.js';
import { bool, int, num, text } from './flags.js';
import { setCurrentRunDir } from './interrupt.js';
import { waitLockFlag } from './shared-flags.js';

export const reportCommand = defineCommand({
  name: 'report',
  summary: 'regenerate the HTML report and charts of an audit run directory',
  description: `Regenerates the audit report of a run directory from its results.json and saved arrays: writes
<run dir>/report/report.html (self-contained, opens without network) and every chart beside it as
SVG and PNG. Optional files (scores.npz, history.json, privacy-by-epoch.json, samples.npz) add their
charts when present; one that cannot be read is left out with a warning. Chart files of an earlier
report that this one does not draw are removed.`,
  positional: { name: 'runDir', placeholder: '<run dir>', noun: 'run directory' },
  flags: {
    out: text({
      placeholder: 'DIR',
      output: 'dir',
      description: 'write the report here instead of <run dir>/report',
    }),
    'no-png': bool({ description: 'write SVG charts only' }),
    'png-scale': num({
      default: 2,
      placeholder: 'S',
      check: (s) => (s > 0 && s <= 8 ? undefined : 'must be in (0, 8]'),
      description: 'PNG pixels per SVG unit (default {default})',
    }),
    'roc-points': int({
      default: 400,
      check: (n) => (n >= 4 ? undefined : 'must be at least 4'),
      description: 'at most N points per plotted ROC curve (default {default}; plots only, never metrics)',
    }),
    'wait-lock': waitLockFlag(),
  },
  resumable: true,
  async run(args) {
    setCurrentRunDir(resolve(args.runDir));
    const { writeReport } = await import('../report/write-report.js');
    const { withRunLock } = await import('../audit/run-lock.js');
    const t0 = performance.now();
    const write = () =>
      writeReport(args.runDir, {
        ...(args.out !== undefined ? { outDir: args.out } : {}),
        png: !args['no-png'],
        pngScale: args['png-scale'],
        maxRocPoints: args['roc-points'],
      });
    // writing into the run directory: one writer at a time (an audit in progress holds the lock)
    const intoRunDir =
      args.out === undefined || !relative(resolve(args.runDir), resolve(args.out)).startsWith('..');
    const r =
      intoRunDir && isDirectory(args.runDir)
        ? await withRunLock(
            resolve(args.runDir),
            {
              wait: args['wait-lock'],
              command: `mia report ${args.runDir}`,
              note: (line) => console.error(line),
            },
            write,
          )
        : await write();
    for (const w of r.warnings) console.error(`warning: ${w}`);
    const svgs = r.charts.filter((c) => c.endsWith('.svg')).length;
    const pngs = r.charts.length - svgs;
    const seconds = ((performance.now() - t0) / 1000).toFixed(1);
    const rel = relative(process.cwd(), r.html);
    const shown = rel === '' || rel.startsWith('..') || isAbsolute(rel) ? r.html : rel;
    console.log(`report: ${shown} (${svgs} charts as SVG${pngs > 0 ? ' and PNG' : ''}, ${seconds} s)`);
    return 0;
  },
});

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false; // writeReport says why the run directory cannot be read
  }
}
