/**
 * One benchmark variant in its own process (a backend's set-up cannot change within a process, and
 * each variant's peak memory is its own). Argument: a JSON VariantRequest. Prints one JSON line:
 * { ok, samples_per_s, cpu_s_per_1k, max_rss_mb, description } or { ok: false, error }.
 * Trains / predicts through the real engine (src/models/engines/tfjs/engine.ts), as `mia train` does.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Engine, EngineModel } from '../../src/models/engine.js';
import { createOrtEngine } from '../../src/models/engines/ort/engine.js';
import { createTfjsEngine } from '../../src/models/engines/tfjs/engine.js';
import { initBackend } from '../../src/models/engines/tfjs/init-backend.js';
import { adamUpdate } from '../../src/models/engines/tfjs/kernels/adam.js';
import { normalizeOptimizerSpec } from '../../src/models/optimizers.js';
import { maxRssMb, randomBatch, timeLoop } from './harness.js';

export interface VariantRequest {
  mode: 'train' | 'infer';
  model: 'small_cnn' | 'dense';
  backend: 'cpu' | 'wasm' | 'ort';
  threads: number;
  kernels: boolean;
  /** Replace the engine's per-op Adam by adamUpdate (one kernel per variable). */
  fusedAdam: boolean;
  batch: number;
  seconds: number;
}

export function modelSpec(model: 'small_cnn' | 'dense') {
  return model === 'dense'
    ? {
        arch: { name: 'dense', params: { depth: 4, width: 512 } },
        inputShape: [28, 28, 1],
        numClasses: 10,
        seed: 1,
      }
    : {
        arch: { name: 'small_cnn', params: { num_conv: 3 } },
        inputShape: [32, 32, 3],
        numClasses: 10,
        seed: 1,
      };
}

/** Swaps the engine model's optimiser for one that calls adamUpdate (bench-only; same update rule). */
function useFusedAdam(model: EngineModel): void {
  let m: tf.Variable[] | undefined;
  let v: tf.Variable[] | undefined;
  let t = 0;
  (model as unknown as { optimizer: unknown }).optimizer = {
    apply(vars: readonly tf.Variable[], grads: readonly tf.Tensor[], lr: number) {
      m ??= vars.map((w) => tf.variable(tf.zerosLike(w), false));
      v ??= vars.map((w) => tf.variable(tf.zerosLike(w), false));
      t++;
      adamUpdate(vars, grads, m, v, { lr, beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: 0, step: t });
    },
    dispose() {
      for (const x of [...(m ?? []), ...(v ?? [])]) x.dispose();
    },
  };
}

async function main(): Promise<void> {
  const req = JSON.parse(process.argv[2] ?? '{}') as VariantRequest;
  let engine: Engine;
  let description: string;
  if (req.backend === 'ort') {
    engine = await createOrtEngine({ threads: req.threads });
    description = engine.backend.description;
  } else {
    description = (await initBackend(req.backend, { threads: req.threads, customKernels: req.kernels }))
      .description;
    engine = await createTfjsEngine(req.backend);
  }
  const spec = modelSpec(req.model);
  const model = await engine.build(spec);
  const size = spec.inputShape.reduce((a, b) => a * b, 1);
  const n = req.batch;
  const batches = Array.from({ length: 4 }, (_, i) => randomBatch(n, size, 10, i + 1));
  let r: { samplesPerS: number; cpuSPer1k: number };
  if (req.mode === 'train') {
    model.setOptimizer(normalizeOptimizerSpec({ name: 'adam', lr: 1e-3 }));
    if (req.fusedAdam) useFusedAdam(model);
    const step = async (i: number) => {
      const b = batches[i % batches.length]!;
      await model.trainStep({ x: b.x, y: b.y, n }, 1e-3);
    };
    r = await timeLoop(step, n, req.seconds, req.backend === 'cpu' ? 1 : 3);
  } else {
    const step = async (i: number) => {
      const b = batches[i % batches.length]!;
      await model.predict(b.x, n, { batchSize: n });
    };
    r = await timeLoop(step, n, req.seconds, 2);
  }
  const tensors = req.backend === 'ort' ? 0 : tf.memory().numTensors;
  model.dispose();
  console.log(
    JSON.stringify({
      ok: true,
      samples_per_s: r.samplesPerS,
      cpu_s_per_1k: r.cpuSPer1k,
      max_rss_mb: maxRssMb(),
      description,
      tensors,
    }),
  );
}

main().catch((e: unknown) => {
  const msg = e instanceof Error ? e.message : String(e);
  console.log(JSON.stringify({ ok: false, error: msg.split('\n')[0] }));
});
