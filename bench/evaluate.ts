/**
 * `mia evaluate` on a million scores (issue 5: "a few seconds at most"), end to end as a scoring
 * server runs it: read scores.csv and truth.csv (rows in different orders), join on id, compute AUC and
 * TPR at each FPR with intervals, write the JSON. Baseline side by side: Python's csv module + numpy +
 * scikit-learn (bench/py/evaluate_baseline.py) on the same files; AUCs cross-checked.
 *
 *   node --import tsx bench/evaluate.ts [--n 1000000] [--no-python]
 *
 * Ours is timed as the whole command in a fresh process (node start and module loading included) and
 * also in-process (the command's work alone); Python's time excludes its interpreter start and imports.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { evaluateCommand } from '../src/cli/evaluate.js';
import { Rng } from '../src/rng.js';

const { values } = parseArgs({ options: { n: { type: 'string' }, 'no-python': { type: 'boolean' } } });
const n = Number(values.n ?? 1_000_000);
const root = new URL('../', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'mia-bench-evaluate-'));
try {
  const rng = new Rng(7);
  const sc: string[] = ['id,score'];
  const member = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    member[i] = rng.next() < 0.5 ? 1 : 0;
    sc.push(`sample-${i},${(rng.next() + 0.1 * member[i]!).toFixed(7)}`);
  }
  const order = rng.permutation(n);
  const tr: string[] = ['id,member'];
  for (const i of order) tr.push(`sample-${i},${member[i]}`);
  const scores = join(dir, 'scores.csv');
  const truth = join(dir, 'truth.csv');
  writeFileSync(scores, `${sc.join('\n')}\n`);
  writeFileSync(truth, `${tr.join('\n')}\n`);
  console.log(`mia evaluate: ${n.toLocaleString('en-US')} scores (ids joined across shuffled files)`);

  const out = join(dir, 'out.json');
  const t0 = performance.now();
  const cli = spawnSync(
    process.execPath,
    [join(root, 'bin/mia.js'), 'evaluate', '--scores', scores, '--truth', truth, '--json', out],
    { encoding: 'utf8' },
  );
  const cliSeconds = (performance.now() - t0) / 1000;
  if (cli.status !== 0) throw new Error(`mia evaluate failed: ${cli.stderr}`);
  const ours = JSON.parse(readFileSync(out, 'utf8')) as { auc: number };

  const log = console.log;
  console.log = () => {};
  const t1 = performance.now();
  try {
    await evaluateCommand.run(['--scores', scores, '--truth', truth, '--json', out]);
  } finally {
    console.log = log;
  }
  const inSeconds = (performance.now() - t1) / 1000;
  console.log(
    `ours     ${cliSeconds.toFixed(2)} s whole command (fresh process), ${inSeconds.toFixed(2)} s in-process; AUC ${ours.auc.toFixed(6)}`,
  );

  if (values['no-python'] !== true) {
    const py = spawnSync('/usr/bin/python3', [join(root, 'bench/py/evaluate_baseline.py'), scores, truth], {
      encoding: 'utf8',
    });
    if (py.status !== 0) {
      console.log(`baseline skipped: ${py.stderr.trim().split('\n').at(-1)}`);
    } else {
      const base = JSON.parse(py.stdout) as { seconds: number; auc: number };
      console.log(
        `python   ${base.seconds.toFixed(2)} s (csv + numpy + sklearn, imports excluded); AUC ${base.auc.toFixed(6)}`,
      );
      console.log(
        `ratio    ${(base.seconds / cliSeconds).toFixed(2)}× (whole command), ${(base.seconds / inSeconds).toFixed(2)}× (in-process); ` +
          `|ΔAUC| ${Math.abs(base.auc - ours.auc).toExponential(1)}`,
      );
    }
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
