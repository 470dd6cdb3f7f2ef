/** Runs benchmark variants (bench/backend/worker.ts) in child processes and prints the comparison. */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { printTable, runTorch, type TorchResult } from './harness.js';
import type { VariantRequest } from './worker.js';

export interface Variant {
  label: string;
  req: Omit<VariantRequest, 'mode' | 'model' | 'batch' | 'seconds'>;
}

export const VARIANTS: Variant[] = [
  { label: 'cpu (pure JS)', req: { backend: 'cpu', threads: 1, kernels: false, fusedAdam: false } },
  { label: 'wasm stock (1 thread)', req: { backend: 'wasm', threads: 1, kernels: false, fusedAdam: false } },
  { label: 'wasm + threads', req: { backend: 'wasm', threads: 2, kernels: false, fusedAdam: false } },
  {
    label: 'wasm + kernels (1 thread; tfjs default on 2 cores)',
    req: { backend: 'wasm', threads: 1, kernels: true, fusedAdam: false },
  },
  {
    label: 'wasm + threads + kernels',
    req: { backend: 'wasm', threads: 2, kernels: true, fusedAdam: false },
  },
  {
    label: 'wasm + threads + kernels + fused Adam',
    req: { backend: 'wasm', threads: 2, kernels: true, fusedAdam: true },
  },
  { label: 'ort engine (1 thread)', req: { backend: 'ort', threads: 1, kernels: false, fusedAdam: false } },
  {
    label: 'ort engine (2 threads; default)',
    req: { backend: 'ort', threads: 2, kernels: false, fusedAdam: false },
  },
];

interface WorkerResult {
  ok: boolean;
  samples_per_s?: number;
  cpu_s_per_1k?: number;
  max_rss_mb?: number;
  description?: string;
  error?: string;
}

function runVariant(req: VariantRequest): WorkerResult {
  const worker = fileURLToPath(new URL('./worker.ts', import.meta.url));
  const r = spawnSync(process.execPath, ['--import', 'tsx', worker, JSON.stringify(req)], {
    encoding: 'utf8',
  });
  const line = r.stdout.trim().split('\n').pop() ?? '';
  try {
    return JSON.parse(line) as WorkerResult;
  } catch {
    return { ok: false, error: (r.stderr.trim().split('\n').pop() ?? `exit ${r.status}`).slice(0, 120) };
  }
}

/**
 * For one configuration: PyTorch, then every variant, then PyTorch again (the baseline is the mean of
 * the two, so slow drift in a shared machine's load hits both sides alike). Prints the table.
 */
export function compare(
  title: string,
  mode: 'train' | 'infer',
  model: 'small_cnn' | 'dense',
  batch: number,
  seconds: number,
  torchArgs: string[],
  variants: Variant[],
): void {
  console.log(`\n${title}`);
  const torchRuns: TorchResult[] = [];
  const t1 = runTorch([...torchArgs, '--seconds', String(seconds)], 2);
  if (t1 !== null) torchRuns.push(t1);
  const rows: { label: string; r: WorkerResult }[] = [];
  for (const v of variants) {
    const secs = v.req.backend === 'cpu' ? Math.min(seconds, 2) : seconds;
    rows.push({ label: v.label, r: runVariant({ ...v.req, mode, model, batch, seconds: secs }) });
  }
  const t2 = runTorch([...torchArgs, '--seconds', String(seconds)], 2);
  if (t2 !== null) torchRuns.push(t2);
  const torch =
    torchRuns.length > 0 ? torchRuns.reduce((a, t) => a + t.samples_per_s, 0) / torchRuns.length : Number.NaN;
  const torchCpu =
    torchRuns.length > 0 ? torchRuns.reduce((a, t) => a + t.cpu_s_per_1k, 0) / torchRuns.length : Number.NaN;
  const table = rows.map(({ label, r }) => [
    label,
    r.ok ? r.samples_per_s!.toFixed(0) : 'fails',
    r.ok ? `${(r.samples_per_s! / torch).toFixed(2)}×` : (r.error ?? '').slice(0, 70),
    r.ok ? r.cpu_s_per_1k!.toFixed(3) : '',
    r.ok ? `${(torchCpu / r.cpu_s_per_1k!).toFixed(2)}×` : '',
    r.ok ? r.max_rss_mb!.toFixed(0) : '',
  ]);
  table.push([
    `PyTorch ${torchRuns[0]?.torch ?? '?'} (2 threads; runs ${torchRuns.map((t) => t.samples_per_s.toFixed(0)).join(', ')})`,
    torch.toFixed(0),
    '1.00×',
    torchCpu.toFixed(3),
    '1.00×',
    torchRuns.length > 0 ? Math.max(...torchRuns.map((t) => t.max_rss_mb)).toFixed(0) : '',
  ]);
  printTable(
    ['variant', 'samples/s', 'vs PyTorch', 'CPU s/1k samples', 'CPU efficiency vs PyTorch', 'peak RSS MB'],
    table,
  );
  console.log(
    `  (samples/s is wall clock and suffers on a shared machine; CPU s/1k samples counts every thread's CPU time and barely depends on load)`,
  );
  for (const { label, r } of rows) {
    if (label.includes('default') && r.ok && r.description !== undefined)
      console.log(`  ${label}: ${r.description}`);
  }
}
