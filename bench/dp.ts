// DP-SGD step time vs the plain step on the onnxruntime engine, side by side in one run, with ratios
// (target ≤ 2×): small_cnn and dense 4×512 on 28×28×1 inputs, batch 64, 2 threads; then the same DP step
// in PyTorch 1.13 (functorch's vmap(grad) per-sample gradients, clipped, summed, noised: bench/py/
// dp_step_torch.py, 2 threads) and the speed ratio against it (target ≥ 1×).
// Run: node --import tsx bench/dp.ts [steps] [--no-python]   (npm run bench -- dp)
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { GaussianStream } from '../src/models/dp/noise.js';
import type { ModelSpec } from '../src/models/engine.js';
import { createOrtEngine } from '../src/models/engines/ort/engine.js';
import { normalizeOptimizerSpec } from '../src/models/optimizers.js';
import { Rng } from '../src/rng.js';

const args = process.argv.slice(2);
const noPython = args.includes('--no-python');
const steps = Number(args.find((a) => !a.startsWith('--')) ?? 30);
const ours = new Map<string, number>();
const B = 64;
const specs: ModelSpec[] = [
  { arch: { name: 'small_cnn' }, inputShape: [28, 28, 1], numClasses: 10, seed: 1 },
  {
    arch: { name: 'dense', params: { depth: 4, width: 512 } },
    inputShape: [28, 28, 1],
    numClasses: 10,
    seed: 1,
  },
];
const engine = await createOrtEngine({ threads: 2 });
const rng = new Rng(1);
for (const spec of specs) {
  const x = Float32Array.from({ length: B * 784 }, () => rng.next());
  const y = Int32Array.from({ length: B }, () => rng.int(10));
  const batch = { x, y, n: B };
  const m = await engine.build(spec);
  m.setOptimizer(normalizeOptimizerSpec({ name: 'sgd', lr: 0.01 }));
  const noise = new GaussianStream(new Rng(2));
  const dp = { maxGradNorm: 1, noiseStd: 1, divisor: B, noise };
  const time = async (f: () => Promise<unknown>) => {
    for (let i = 0; i < 3; i++) await f();
    const t = performance.now();
    for (let i = 0; i < steps; i++) await f();
    return (performance.now() - t) / steps;
  };
  const plain = await time(() => m.trainStep(batch, 0.01));
  const priv = await time(() => m.dpStep!(batch, 0.01, dp));
  const name = `${spec.arch.name}${spec.arch.params ? ' 4×512' : ''}`;
  ours.set(name, priv);
  console.log(
    `${name}: plain ${plain.toFixed(1)} ms/step, DP-SGD ${priv.toFixed(1)} ms/step, ratio ${(priv / plain).toFixed(2)}× (target ≤ 2×)`,
  );
  m.dispose();
}
if (!noPython) {
  const script = fileURLToPath(new URL('./py/dp_step_torch.py', import.meta.url));
  const torch = JSON.parse(
    execFileSync('/usr/bin/python3', [script, String(steps)], { encoding: 'utf8' }),
  ) as Record<string, { plain_ms: number; dp_ms: number }>;
  for (const [name, t] of Object.entries(torch)) {
    const mine = ours.get(name);
    if (mine === undefined) continue;
    console.log(
      `${name}: PyTorch 1.13 vmap(grad) DP step ${t.dp_ms.toFixed(1)} ms (plain ${t.plain_ms.toFixed(1)} ms); mia-audit ${mine.toFixed(1)} ms: ${(t.dp_ms / mine).toFixed(2)}× PyTorch's speed (target ≥ 1×)`,
    );
  }
}
