// Benchmark: the metrics of one attack — ROC curve (every threshold), AUC, TPR at FPR 0.1% / 1% / 5% / 10%
// with Clopper–Pearson intervals, advantage, PPV — on 10,000,000 seeded float64 scores (half members,
// members shifted by +0.5σ), against numpy / scikit-learn (bench/py/roc_baseline.py) on the same
// arrays in the same invocation.
//
// The scores are generated here once and written to .npy files; each side then runs in its own child
// process (node+tsx / /usr/bin/python3), loads them, and times the computation only (best and median of
// --repeats; loading excluded). The parent also times each child end to end (process start, imports,
// loading, all repeats) and reports each child's peak RSS. ε lower bound and summarize() are timed in a
// third, separate child for information (sklearn has no counterpart). Results of both sides are
// cross-checked.
//
// Run: node --import tsx bench/roc.ts [--n 10000000] [--repeats 3] [--no-python]
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { npyArray, readNpy, toBool, toFloat64, writeNpy } from '../src/io/npy.js';
import { attackerAdvantage } from '../src/metrics/advantage.js';
import { auc } from '../src/metrics/auc.js';
import { epsilonLowerBound } from '../src/metrics/epsilon.js';
import { ppv } from '../src/metrics/ppv.js';
import { rocCurve } from '../src/metrics/roc.js';
import { summarize } from '../src/metrics/summary.js';
import { tprAtFpr } from '../src/metrics/tpr-at-fpr.js';
import { Rng } from '../src/rng.js';

const TARGETS = [0.001, 0.01, 0.05, 0.1];

interface SideResult {
  auc: number;
  advantage: number;
  ppv: number;
  points: number;
  tprAtFpr: Record<string, { tpr: number; fpr: number; low: number; high: number }>;
  seconds: number[];
  loadSeconds: number;
  /** Peak RSS after loading the inputs, and after the timed repeats. */
  loadedRssMB: number;
  maxRssMB: number;
  epsilonSeconds?: number;
  summarizeSeconds?: number;
  epsilon?: { epsilon: number; low: number; high: number };
}

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    n: { type: 'string', default: '10000000' },
    repeats: { type: 'string', default: '3' },
    'no-python': { type: 'boolean', default: false },
    worker: { type: 'boolean', default: false },
    extras: { type: 'boolean', default: false },
  },
});

/** The timed work: what sklearn's side does too. */
function metrics(scores: Float64Array, isMember: Uint8Array) {
  const roc = rocCurve(scores, isMember);
  const a = auc(roc);
  const at: SideResult['tprAtFpr'] = {};
  for (const t of TARGETS) {
    const r = tprAtFpr(roc, t);
    at[String(t)] = { tpr: r.tpr, fpr: r.fpr, low: r.low, high: r.high };
  }
  return { roc, auc: a, advantage: attackerAdvantage(roc), ppv: ppv(roc), tprAtFpr: at };
}

function worker(scoresPath: string, labelsPath: string, repeats: number, extras: boolean): void {
  const t0 = performance.now();
  const scores = toFloat64(readNpy(scoresPath), scoresPath);
  const isMember = toBool(readNpy(labelsPath), labelsPath);
  const loadSeconds = (performance.now() - t0) / 1000;
  // Like CPython's reference counting frees the previous repeat's arrays, collect them before the next
  // repeat (the worker runs with --expose-gc), so the peak RSS is that of one computation.
  const gc = (globalThis as { gc?: () => void }).gc ?? (() => {});
  gc();
  const loadedRssMB = process.resourceUsage().maxRSS / 1024;
  const seconds: number[] = [];
  let last: ReturnType<typeof metrics> | undefined;
  for (let r = 0; r < repeats; r++) {
    last = undefined;
    gc();
    const t = performance.now();
    last = metrics(scores, isMember);
    seconds.push((performance.now() - t) / 1000);
  }
  const maxRssMB = process.resourceUsage().maxRSS / 1024;
  const { roc, ...m } = last!;
  last = undefined;
  const out: SideResult = {
    auc: m.auc,
    advantage: m.advantage,
    ppv: m.ppv,
    points: roc.fpr.length,
    tprAtFpr: m.tprAtFpr,
    seconds,
    loadSeconds,
    loadedRssMB,
    maxRssMB,
  };
  if (extras) {
    // Not part of the comparison (separate process run, so the end-to-end times above stay comparable).
    let t = performance.now();
    const eps = epsilonLowerBound(roc);
    out.epsilonSeconds = (performance.now() - t) / 1000;
    out.epsilon = { epsilon: eps.epsilon, low: eps.low, high: eps.high };
    gc();
    t = performance.now();
    summarize(scores, isMember);
    out.summarizeSeconds = (performance.now() - t) / 1000;
  }
  process.stdout.write(`${JSON.stringify(out)}\n`);
}

function runChild(cmd: string, args: string[]): { result: SideResult; wallSeconds: number } {
  const t = performance.now();
  const stdout = execFileSync(cmd, args, { encoding: 'utf8', maxBuffer: 1 << 20 });
  const wallSeconds = (performance.now() - t) / 1000;
  const line = stdout.trim().split('\n').pop()!;
  return { result: JSON.parse(line) as SideResult, wallSeconds };
}

const best = (a: number[]) => Math.min(...a);
const median = (a: number[]) => {
  const s = [...a].sort((x, y) => x - y);
  return s[Math.floor(s.length / 2)]!;
};
const fmt = (s: number) => `${s.toFixed(3)} s`;

function main(): void {
  const n = Number(values.n);
  const repeats = Number(values.repeats);
  console.log(
    `bench/roc: n = ${n.toLocaleString('en')} float64 scores (half members, +0.5σ), ${repeats} repeats`,
  );
  console.log(
    'timed: ROC (every threshold) + AUC + TPR@FPR {0.1,1,5,10}% with Clopper–Pearson + advantage + PPV',
  );
  const rng = new Rng(20240611);
  const scores = new Float64Array(n);
  const isMember = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const m = rng.next() < 0.5 ? 1 : 0;
    isMember[i] = m;
    scores[i] = rng.normal() + 0.5 * m;
  }
  const dir = mkdtempSync(join(tmpdir(), 'mia-bench-roc-'));
  try {
    const scoresPath = join(dir, 'scores.npy');
    const labelsPath = join(dir, 'is_member.npy');
    writeNpy(scoresPath, npyArray(scores, [n]));
    writeNpy(labelsPath, npyArray(isMember, [n], 'bool'));
    const self = fileURLToPath(import.meta.url);
    const nodeArgs = ['--expose-gc', '--import', 'tsx', self, '--worker', scoresPath, labelsPath];
    const ours = runChild(process.execPath, [...nodeArgs, '--repeats', String(repeats)]);
    const o = ours.result;
    const extra = runChild(process.execPath, [...nodeArgs, '--repeats', '1', '--extras']).result;
    const mem = (r: SideResult) =>
      `peak RSS ${r.maxRssMB.toFixed(0)} MB (${r.loadedRssMB.toFixed(0)} MB after loading the inputs)`;
    console.log(
      `mia-audit  compute best ${fmt(best(o.seconds))} median ${fmt(median(o.seconds))} | load ${fmt(o.loadSeconds)} | process end-to-end ${fmt(ours.wallSeconds)} | ${mem(o)}`,
    );
    console.log(
      `           (separate run, no sklearn counterpart: epsilonLowerBound ${fmt(extra.epsilonSeconds!)}, summarize() in full ${fmt(extra.summarizeSeconds!)}; ε = ${extra.epsilon!.epsilon.toFixed(4)}, low ${extra.epsilon!.low.toFixed(4)}, high ${extra.epsilon!.high.toFixed(4)})`,
    );
    if (values['no-python']) return;
    const here = fileURLToPath(new URL('./py/roc_baseline.py', import.meta.url));
    const py = runChild('/usr/bin/python3', [here, scoresPath, labelsPath, String(repeats)]);
    const p = py.result;
    console.log(
      `sklearn    compute best ${fmt(best(p.seconds))} median ${fmt(median(p.seconds))} | load ${fmt(p.loadSeconds)} | process end-to-end ${fmt(py.wallSeconds)} | ${mem(p)}`,
    );
    console.log(
      `ratio (sklearn / ours): compute best ${(best(p.seconds) / best(o.seconds)).toFixed(2)}×, median ${(median(p.seconds) / median(o.seconds)).toFixed(2)}×, end-to-end ${(py.wallSeconds / ours.wallSeconds).toFixed(2)}×, compute memory (peak − loaded) ${((p.maxRssMB - p.loadedRssMB) / (o.maxRssMB - o.loadedRssMB)).toFixed(2)}×`,
    );
    // Cross-check: same curve size, same numbers.
    const problems: string[] = [];
    if (p.points !== o.points) problems.push(`points ${o.points} vs ${p.points}`);
    if (Math.abs(p.auc - o.auc) > 1e-12) problems.push(`auc ${o.auc} vs ${p.auc}`);
    if (p.advantage !== o.advantage) problems.push(`advantage ${o.advantage} vs ${p.advantage}`);
    if (p.ppv !== o.ppv) problems.push(`ppv ${o.ppv} vs ${p.ppv}`);
    for (const t of TARGETS) {
      const a = o.tprAtFpr[String(t)]!;
      const b = p.tprAtFpr[String(t)]!;
      if (a.tpr !== b.tpr || a.fpr !== b.fpr) problems.push(`tpr@${t} ${a.tpr} vs ${b.tpr}`);
      if (Math.abs(a.low - b.low) > 1e-10 * b.low || Math.abs(a.high - b.high) > 1e-10 * b.high) {
        problems.push(`CI@${t} [${a.low}, ${a.high}] vs [${b.low}, ${b.high}]`);
      }
    }
    console.log(
      problems.length === 0
        ? `results agree: ${o.points.toLocaleString('en')} points, AUC ${o.auc.toFixed(6)}, advantage ${o.advantage.toFixed(6)}, PPV ${o.ppv.toFixed(6)}, TPR@0.1% ${o.tprAtFpr['0.001']!.tpr}`
        : `RESULTS DIFFER: ${problems.join('; ')}`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (values.worker) {
  const [scoresPath, labelsPath] = positionals;
  worker(scoresPath!, labelsPath!, Number(values.repeats), values.extras);
} else {
  main();
}
