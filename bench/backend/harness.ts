/**
 * Shared pieces of bench/train-speed.ts and bench/infer-speed.ts: the PyTorch baseline run as a child
 * process (bench/py/torch_speed.py, 2 threads, OMP_WAIT_POLICY=PASSIVE), random batches, timing loops,
 * and the table printer.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Rng } from '../../src/rng.js';

export interface TorchResult {
  torch: string;
  threads: number;
  samples_per_s: number;
  /** Process CPU seconds (all threads) per 1000 samples over the timed loop. */
  cpu_s_per_1k: number;
  max_rss_mb: number;
}

/**
 * Runs a PyTorch baseline (bench/py/`file`, default torch_speed.py); null (with the reason printed)
 * when python3-torch is missing.
 */
export function runTorch(args: string[], threads: number, file = 'torch_speed.py'): TorchResult | null {
  const script = fileURLToPath(new URL(`../py/${file}`, import.meta.url));
  const r = spawnSync('/usr/bin/python3', [script, '--threads', String(threads), ...args], {
    encoding: 'utf8',
    env: { ...process.env, OMP_WAIT_POLICY: 'PASSIVE', OMP_NUM_THREADS: String(threads) },
  });
  if (r.status !== 0) {
    console.log(
      `  PyTorch baseline failed: ${(r.stderr || r.error?.message || '').trim().split('\n').pop()}`,
    );
    return null;
  }
  return JSON.parse(r.stdout.trim().split('\n').pop() ?? '{}') as TorchResult;
}

/** Uniform [0, 1) images / rows and labels in [0, classes), from a seeded Rng. */
export function randomBatch(
  n: number,
  size: number,
  classes: number,
  seed: number,
): { x: Float32Array; y: Int32Array } {
  const rng = new Rng(seed);
  const x = new Float32Array(n * size);
  for (let i = 0; i < x.length; i++) x[i] = rng.next();
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) y[i] = Math.floor(rng.next() * classes);
  return { x, y };
}

/**
 * Calls `step` (which processes `batch` samples) for about `seconds` after `warmup` calls. Returns
 * samples per second (wall clock) and process CPU seconds (all threads) per 1000 samples over the
 * timed calls; the second barely depends on how busy a shared machine is.
 */
export async function timeLoop(
  step: (i: number) => Promise<void>,
  batch: number,
  seconds: number,
  warmup = 3,
): Promise<{ samplesPerS: number; cpuSPer1k: number }> {
  for (let i = 0; i < warmup; i++) await step(i);
  let steps = 0;
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  while (performance.now() - t0 < seconds * 1000) {
    await step(steps);
    steps++;
  }
  const wall = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(c0);
  const samples = steps * batch;
  return { samplesPerS: samples / wall, cpuSPer1k: ((cpu.user + cpu.system) / 1e6 / samples) * 1000 };
}

export function maxRssMb(): number {
  return process.resourceUsage().maxRSS / 1024;
}

/** Prints rows as an aligned text table. */
export function printTable(header: string[], rows: string[][]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ');
  console.log(`  ${line(header)}`);
  for (const r of rows) console.log(`  ${line(r)}`);
}
