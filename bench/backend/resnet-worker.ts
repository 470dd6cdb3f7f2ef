/**
 * One residual-net measurement of bench/resnet.ts in its own process (its peak memory is its own).
 * Argument: a JSON ResnetRequest. Prints one JSON line { ok, samples_per_s, cpu_s_per_1k, max_rss_mb,
 * params } or { ok: false, error }. Trains (SGD momentum 0.9, weight decay 5e-4) or predicts through
 * the onnxruntime engine (src/models/engines/ort/engine.ts), as `mia train` does.
 */
import type { ArchSpec } from '../../src/models/architectures.js';
import { createOrtEngine } from '../../src/models/engines/ort/engine.js';
import { normalizeOptimizerSpec } from '../../src/models/optimizers.js';
import { maxRssMb, randomBatch, timeLoop } from './harness.js';

export interface ResnetRequest {
  mode: 'train' | 'infer';
  arch: ArchSpec;
  inputShape: number[];
  classes: number;
  batch: number;
  seconds: number;
  threads: number;
}

async function main(): Promise<void> {
  const req = JSON.parse(process.argv[2] ?? '{}') as ResnetRequest;
  const engine = await createOrtEngine({ threads: req.threads });
  const model = await engine.build({
    arch: req.arch,
    inputShape: req.inputShape,
    numClasses: req.classes,
    seed: 1,
  });
  const size = req.inputShape.reduce((a, b) => a * b, 1);
  const n = req.batch;
  const batches = [randomBatch(n, size, req.classes, 1), randomBatch(n, size, req.classes, 2)];
  let r: { samplesPerS: number; cpuSPer1k: number };
  if (req.mode === 'train') {
    model.setOptimizer(normalizeOptimizerSpec({ name: 'sgd', lr: 0.05, momentum: 0.9, weightDecay: 5e-4 }));
    r = await timeLoop(
      async (i) => {
        const b = batches[i % 2]!;
        await model.trainStep({ x: b.x, y: b.y, n }, 0.05);
      },
      n,
      req.seconds,
      1,
    );
  } else {
    r = await timeLoop(
      async (i) => {
        await model.predict(batches[i % 2]!.x, n, { batchSize: n });
      },
      n,
      req.seconds,
      1,
    );
  }
  const params = model.getWeights().reduce((a, w) => a + w.data.length, 0);
  model.dispose();
  console.log(
    JSON.stringify({
      ok: true,
      samples_per_s: r.samplesPerS,
      cpu_s_per_1k: r.cpuSPer1k,
      max_rss_mb: maxRssMb(),
      params,
    }),
  );
}

main().catch((e: unknown) => {
  const msg = e instanceof Error ? e.message : String(e);
  console.log(JSON.stringify({ ok: false, error: msg.split('\n')[0] }));
});
