import { isAbsolute, relative } from 'node:path';
import { MiaError } from '../errors.js';
import { writeReport } from '../report/write-report.js';
import { type CliCommand, intFlag, numberFlag, parseCommandArgs } from './command.js';

const USAGE = `usage: mia report <run dir> [options]

Regenerates the audit report of a run directory from its results.json and saved arrays: writes
<run dir>/report/report.html (self-contained, opens without network) and every chart beside it as
SVG and PNG. Optional files (scores.npz, history.json, privacy-by-epoch.json, samples.npz) add their
charts when present; one that cannot be read is left out with a warning. Chart files of an earlier
report that this one does not draw are removed.

  --out DIR          write the report here instead of <run dir>/report
  --no-png           write SVG charts only
  --png-scale S      PNG pixels per SVG unit (default 2)
  --roc-points N     at most N points per plotted ROC curve (default 400; plots only, never metrics)`;

export const reportCommand: CliCommand = {
  name: 'report',
  summary: 'regenerate the HTML report and charts of an audit run directory',
  usage: USAGE,
  async run(argv) {
    const { values, positionals } = parseCommandArgs(
      'report',
      argv,
      {
        out: { type: 'string' },
        'no-png': { type: 'boolean' },
        'png-scale': { type: 'string' },
        'roc-points': { type: 'string' },
      },
      true,
    );
    if (positionals.length !== 1) {
      throw new MiaError('E_USAGE', 'give exactly one run directory; see `mia report --help`', {
        where: 'mia report',
        found: positionals.length === 0 ? 'none' : positionals.join(' '),
      });
    }
    const runDir = positionals[0]!;
    const pngScale = numberFlag('report', 'png-scale', values['png-scale'], 2);
    if (!(pngScale > 0 && pngScale <= 8)) {
      throw new MiaError('E_USAGE', '--png-scale must be in (0, 8]', {
        where: 'mia report',
        found: String(pngScale),
      });
    }
    const rocPoints = intFlag('report', 'roc-points', values['roc-points'], 400);
    if (rocPoints < 4) {
      throw new MiaError('E_USAGE', '--roc-points must be at least 4', {
        where: 'mia report',
        found: String(rocPoints),
      });
    }
    const t0 = performance.now();
    const r = await writeReport(runDir, {
      ...(values.out !== undefined ? { outDir: values.out } : {}),
      png: values['no-png'] !== true,
      pngScale,
      maxRocPoints: rocPoints,
    });
    for (const w of r.warnings) console.error(`warning: ${w}`);
    const svgs = r.charts.filter((c) => c.endsWith('.svg')).length;
    const pngs = r.charts.length - svgs;
    const seconds = ((performance.now() - t0) / 1000).toFixed(1);
    const rel = relative(process.cwd(), r.html);
    const shown = rel === '' || rel.startsWith('..') || isAbsolute(rel) ? r.html : rel;
    console.log(`report: ${shown} (${svgs} charts as SVG${pngs > 0 ? ' and PNG' : ''}, ${seconds} s)`);
    return 0;
  },
};
