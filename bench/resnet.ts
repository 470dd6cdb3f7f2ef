/**
 * Residual networks on the onnxruntime engine against PyTorch 1.13 (Debian python3-torch, 2 threads,
 * OMP_WAIT_POLICY=PASSIVE; bench/py/torch_resnet.py) run side by side in the same invocation: the same
 * architecture, batch and random data, SGD momentum 0.9 with weight decay 5e-4, batch norm in training
 * mode. Per net: PyTorch, the engine (its own process, bench/backend/resnet-worker.ts), PyTorch again;
 * the baseline is the mean of the two PyTorch runs.
 *
 *   node --import tsx bench/resnet.ts [--seconds 20] [--only resnet18|wrn28|resnet18_imagenet]
 *                                     [--infer] [--quick]
 *
 * Targets (issue 11): ResNet-18 (width 64, 32×32×3, batch 128) and WRN-28-2 training samples/s
 * ≥ 0.8× PyTorch, inference ≥ 1.5×, peak RSS no more than PyTorch's. resnet18_imagenet (seed 004's
 * target layout; 64×64×3, 44 classes, batch 32 here) is held to the same training ratio.
 * --quick: width 16 / widen 1, batch 32, 3 s — to check the benchmark runs, not for figures.
 */
import { spawnSync } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { printTable, runTorch, type TorchResult } from './backend/harness.js';
import type { ResnetRequest } from './backend/resnet-worker.js';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '20' },
    only: { type: 'string' },
    infer: { type: 'boolean', default: false },
    quick: { type: 'boolean', default: false },
  },
});
const quick = values.quick;
const seconds = quick ? 3 : Number(values.seconds);
const THREADS = 2;
const TARGET = { train: 0.8, infer: 1.5 };

interface Net {
  name: 'resnet18' | 'wrn28' | 'resnet18_imagenet';
  title: string;
  params: Record<string, number>;
  size: number;
  classes: number;
  batch: number;
  torchArgs: string[];
}

const width = quick ? 16 : 64;
const NETS: Net[] = [
  {
    name: 'resnet18',
    title: `resnet18 (CIFAR layout, width ${width}) on 32×32×3, 10 classes`,
    params: { width },
    size: 32,
    classes: 10,
    batch: quick ? 32 : 128,
    torchArgs: ['--width', String(width)],
  },
  {
    name: 'wrn28',
    title: `wrn28-${quick ? 1 : 2} (WideResNet-28-${quick ? 1 : 2}) on 32×32×3, 10 classes`,
    params: { widen: quick ? 1 : 2 },
    size: 32,
    classes: 10,
    batch: quick ? 32 : 128,
    torchArgs: ['--widen', quick ? '1' : '2'],
  },
  {
    name: 'resnet18_imagenet',
    title: `resnet18_imagenet (torchvision layout, width ${width}) on 64×64×3, 44 classes`,
    params: { width },
    size: 64,
    classes: 44,
    batch: 32,
    torchArgs: ['--width', String(width)],
  },
];

interface EngineResult {
  ok: boolean;
  samples_per_s?: number;
  cpu_s_per_1k?: number;
  max_rss_mb?: number;
  params?: number;
  error?: string;
}

function runEngine(req: ResnetRequest): EngineResult {
  const worker = fileURLToPath(new URL('./backend/resnet-worker.ts', import.meta.url));
  const r = spawnSync(process.execPath, ['--import', 'tsx', worker, JSON.stringify(req)], {
    encoding: 'utf8',
  });
  const line = r.stdout.trim().split('\n').pop() ?? '';
  try {
    return JSON.parse(line) as EngineResult;
  } catch {
    return { ok: false, error: (r.stderr.trim().split('\n').pop() ?? `exit ${r.status}`).slice(0, 120) };
  }
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

function measure(net: Net, mode: 'train' | 'infer'): string[] {
  const args = [
    '--model',
    net.name,
    '--mode',
    mode,
    '--batch',
    String(net.batch),
    '--size',
    String(net.size),
    '--classes',
    String(net.classes),
    '--seconds',
    String(seconds),
    ...net.torchArgs,
  ];
  const torch: TorchResult[] = [];
  const t1 = runTorch(args, THREADS, 'torch_resnet.py');
  if (t1 !== null) torch.push(t1);
  const r = runEngine({
    mode,
    arch: { name: net.name, params: net.params },
    inputShape: [net.size, net.size, 3],
    classes: net.classes,
    batch: net.batch,
    seconds,
    threads: THREADS,
  });
  const t2 = runTorch(args, THREADS, 'torch_resnet.py');
  if (t2 !== null) torch.push(t2);
  const base = torch.length > 0 ? mean(torch.map((t) => t.samples_per_s)) : Number.NaN;
  const baseCpu = torch.length > 0 ? mean(torch.map((t) => t.cpu_s_per_1k)) : Number.NaN;
  const baseRss = torch.length > 0 ? Math.max(...torch.map((t) => t.max_rss_mb)) : Number.NaN;
  if (!r.ok) return [net.name, mode, 'fails', (r.error ?? '').slice(0, 60), '', '', '', '', ''];
  const ratio = r.samples_per_s! / base;
  const target = TARGET[mode];
  return [
    net.name,
    `${mode} b${net.batch}`,
    r.samples_per_s!.toFixed(1),
    `${base.toFixed(1)} (${torch.map((t) => t.samples_per_s.toFixed(1)).join(', ')})`,
    `${ratio.toFixed(2)}×`,
    `${target}× ${ratio >= target ? 'met' : `missed (${((ratio / target) * 100).toFixed(0)} % of it)`}`,
    `${(baseCpu / r.cpu_s_per_1k!).toFixed(2)}×`,
    `${r.max_rss_mb!.toFixed(0)} / ${baseRss.toFixed(0)}`,
    String(r.params),
  ];
}

console.log(
  `resnet: Node ${process.version}, ${availableParallelism()} cores, onnxruntime engine vs PyTorch, ${THREADS} threads each, ${seconds} s per run, SGD momentum 0.9${quick ? ' (--quick: small sizes, not figures)' : ''}`,
);
const rows: string[][] = [];
for (const net of NETS) {
  if (values.only !== undefined && values.only !== net.name) continue;
  console.log(`  ${net.title}`);
  rows.push(measure(net, 'train'));
  if (values.infer) rows.push(measure(net, 'infer'));
}
printTable(
  [
    'net',
    'mode',
    'ort samples/s',
    'PyTorch samples/s (runs)',
    'vs PyTorch',
    'target',
    'CPU efficiency vs PyTorch',
    'peak RSS MB ort / PyTorch',
    'weights (incl. BN running stats)',
  ],
  rows,
);
console.log(
  '  (samples/s is wall clock and suffers on a shared machine; CPU efficiency = PyTorch CPU s per sample / ours, all threads)',
);
