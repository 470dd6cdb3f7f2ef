/**
 * The quickstart audit end to end (configs/quickstart.yaml, issue 5: under 5 minutes on 2 cores,
 * training included, RMIA's TPR at 1% FPR clearly above 1%): wall time per stage, peak memory, the
 * attacks' AUC and TPR at 1% FPR; then the same command again (a resumed run: everything reused).
 * Baseline side by side: the same models' training and inference in PyTorch (Debian python3-torch,
 * 2 threads, bench/py/audit_quickstart_torch.py), with the ratio of the model stage.
 *
 *   node --import tsx bench/audit.ts [--config configs/quickstart.yaml] [--keep DIR] [--no-baseline]
 *
 * Each audit runs in a child process (a fresh Node, so its peak RSS is the audit's) into a new
 * temporary log dir (or --keep DIR), with the report stage.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    config: {
      type: 'string',
      default: fileURLToPath(new URL('../configs/quickstart.yaml', import.meta.url)),
    },
    keep: { type: 'string' },
    'no-baseline': { type: 'boolean', default: false },
    worker: { type: 'string' },
  },
});

interface WorkerResult {
  seconds: number;
  maxRssMb: number;
  stages: { stage: string; seconds: number; reused: boolean }[];
  results: { attack: string; auc: number; tpr1: number; low: number; high: number }[];
  dataset: string;
  models: number;
  targetTrainAccuracy: number | undefined;
  targetValAccuracy: number | undefined;
  backend: string;
}

if (values.worker !== undefined) {
  // child: one audit of the config into the log dir given, with the report, as `mia audit` runs it
  const { loadAuditConfig } = await import('../src/audit/config.js');
  const { runAudit } = await import('../src/audit/pipeline.js');
  const { writeRunReport } = await import('../src/cli/audit.js');
  const t0 = performance.now();
  const loaded = loadAuditConfig(values.config);
  const run = await runAudit(loaded, { logDir: values.worker, logger: { info: () => {} } });
  const tr = performance.now();
  await writeRunReport(run.runDir);
  run.timing.push({ stage: 'report', seconds: (performance.now() - tr) / 1000, reused: false });
  const env = JSON.parse(readFileSync(join(run.runDir, 'environment.json'), 'utf8')) as { backend: string };
  const out: WorkerResult = {
    seconds: (performance.now() - t0) / 1000,
    maxRssMb: process.resourceUsage().maxRSS / 1024,
    stages: run.timing,
    results: run.results
      .filter((r) => r.slice.feature === 'entire_dataset')
      .map((r) => ({
        attack: r.attack,
        auc: r.auc,
        tpr1: r.tprAtFpr['0.01']!.tpr,
        low: r.tprAtFpr['0.01']!.low,
        high: r.tprAtFpr['0.01']!.high,
      })),
    dataset: `${run.dataset.name} (${run.dataset.source})`,
    models: run.models.length,
    targetTrainAccuracy: run.models[0]!.trainAccuracy,
    targetValAccuracy: run.models[0]!.valAccuracy,
    backend: env.backend,
  };
  console.log(JSON.stringify(out));
  process.exit(0);
}

const dir = values.keep ?? mkdtempSync(join(tmpdir(), 'mia-bench-audit-'));
const self = fileURLToPath(import.meta.url);

function audit(): WorkerResult {
  const r = spawnSync(
    process.execPath,
    ['--import', 'tsx', self, '--config', values.config, '--worker', dir],
    {
      encoding: 'utf8',
      maxBuffer: 1 << 26,
    },
  );
  if (r.status !== 0) throw new Error(`audit worker failed:\n${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as WorkerResult;
}

const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
console.log(`bench/audit: ${values.config}`);
console.log(`Node ${process.version}, ${availableParallelism()} cores, log dir ${dir}`);
const first = audit();
console.log(
  `\nfirst run (everything trained): ${first.seconds.toFixed(1)} s, peak RSS ${first.maxRssMb.toFixed(0)} MB, ` +
    `${first.models} models, backend ${first.backend}, ${first.dataset}`,
);
let models = 0;
for (const s of first.stages) {
  if (s.stage.startsWith('model ')) models += s.seconds;
  console.log(`  ${s.stage.padEnd(48)} ${s.seconds.toFixed(2).padStart(8)} s${s.reused ? '  (reused)' : ''}`);
}
console.log(
  `  target accuracy: train ${first.targetTrainAccuracy !== undefined ? pct(first.targetTrainAccuracy) : '?'} (last epoch), ` +
    `validation ${first.targetValAccuracy !== undefined ? pct(first.targetValAccuracy) : '?'}`,
);
console.log('\n  attack                         AUC   TPR@1%FPR (95% CI)');
for (const r of first.results) {
  console.log(`  ${r.attack.padEnd(28)} ${r.auc.toFixed(3)}   ${pct(r.tpr1)} (${pct(r.low)}–${pct(r.high)})`);
}
const second = audit();
console.log(
  `\nsecond run (resumed: ${second.stages.filter((s) => s.reused).length}/${second.stages.length} stages reused): ` +
    `${second.seconds.toFixed(1)} s, peak RSS ${second.maxRssMb.toFixed(0)} MB`,
);

if (!values['no-baseline']) {
  const cfg = readFileSync(values.config, 'utf8');
  const num = (key: string, fallback: number) =>
    Number(new RegExp(`\\b${key}: (\\d+)`).exec(cfg)?.[1] ?? fallback);
  const audit_n = num('audit_size', 2000);
  const pop = num('population_size', 2000);
  const m = 1 + num('reference_models', 3);
  const epochs = num('epochs', 30);
  const py = spawnSync(
    '/usr/bin/python3',
    [
      fileURLToPath(new URL('./py/audit_quickstart_torch.py', import.meta.url)),
      String(m),
      String(Math.floor(audit_n / 2)),
      String(epochs),
      String(audit_n),
      String(pop),
    ],
    { encoding: 'utf8', env: { ...process.env, OMP_WAIT_POLICY: 'PASSIVE' } },
  );
  if (py.status !== 0) {
    console.log(`\nPyTorch baseline failed: ${py.stderr.trim().split('\n').pop()}`);
  } else {
    const b = JSON.parse(py.stdout.trim()) as {
      train_seconds: number;
      infer_seconds: number;
      train_accuracy: number;
      test_accuracy: number;
    };
    const torch = b.train_seconds + b.infer_seconds;
    console.log(
      `\nbaseline, PyTorch (2 threads): ${m} models × ${epochs} epochs × ${Math.floor(audit_n / 2)} images + inference: ` +
        `${torch.toFixed(1)} s (train ${b.train_seconds.toFixed(1)} s, inference ${b.infer_seconds.toFixed(1)} s; ` +
        `train accuracy ${pct(b.train_accuracy)}, test ${pct(b.test_accuracy)})`,
    );
    console.log(
      `model stage (train + signals): mia-audit ${models.toFixed(1)} s vs PyTorch ${torch.toFixed(1)} s → ratio ${(models / torch).toFixed(2)}× (mia-audit / PyTorch)`,
    );
  }
}
if (values.keep === undefined) rmSync(dir, { recursive: true, force: true });
