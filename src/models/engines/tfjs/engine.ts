/**
 * The TensorFlow.js engine: models are a layer graph (layer-graph.ts) plus one tf.Variable per parameter,
 * run by forward.ts, trained with the optimisers of optimizers.ts. The backend is chosen by
 * init-backend.ts (tfjs-node when installed, else wasm, else cpu).
 */
import * as tf from '@tensorflow/tfjs-core';
import type { LabelledSamples } from '../../../data/samples.js';
import { isMiaError, MiaError } from '../../../errors.js';
import { buildLayerGraph } from '../../architectures.js';
import type { Engine, EngineModel, ModelSpec, StepStats } from '../../engine.js';
import { checkWeights, initialWeights, type NamedWeight } from '../../init.js';
import {
  analyzeGraph,
  countTrainable,
  type LayerGraph,
  type ParamInfo,
  shapeSize,
} from '../../layer-graph.js';
import type { NormalizedOptimizerSpec } from '../../optimizers.js';
import type { PredictOptions } from '../../predictor.js';
import { checkRows, checkTrainBatch } from '../check-batch.js';
import type { BackendPreference } from '../names.js';
import { BN_MOMENTUM, type BnUpdate, forward } from './forward.js';
import './gradients.js';
import { initBackend } from './init-backend.js';
import { maxTrainMicroBatch, microBatchSizes } from './memory.js';
import { createTfjsOptimizer, type TfjsOptimizer } from './optimizers.js';

/** Set once the WASM backend has crashed (heap exhausted, abort): the error every later call throws. */
let backendCrashed: MiaError | undefined;

/** True for the errors of a crashed WebAssembly module (tfjs-backend-wasm out of memory, an abort). */
export function isWasmCrash(e: unknown): boolean {
  if (e instanceof Error && e.name === 'RuntimeError') return true; // WebAssembly.RuntimeError
  const msg = e instanceof Error ? e.message : String(e);
  return /^Aborted\(|memory access out of bounds|out of memory|Cannot enlarge memory|unreachable/i.test(msg);
}

/** Default samples per forward pass in predict(). */
export const DEFAULT_PREDICT_BATCH = 256;

/**
 * The TensorFlow.js engine on the backend chosen by `initBackend(preference)` (E_BACKEND when a forced
 * backend cannot start).
 */
export async function createTfjsEngine(preference: BackendPreference = 'auto'): Promise<Engine> {
  const info = await initBackend(preference);
  return {
    name: 'tfjs',
    backend: { name: info.name, description: info.description },
    async build(spec: ModelSpec): Promise<EngineModel> {
      return TfjsModel.create(spec);
    },
  };
}

export class TfjsModel implements EngineModel {
  readonly engine = 'tfjs';
  readonly outputKind = 'logits' as const;
  readonly inputShape: readonly number[];
  readonly numClasses: number;
  readonly description: string;
  private readonly graph: LayerGraph;
  private readonly infos: ParamInfo[];
  private readonly vars = new Map<string, tf.Variable>();
  private readonly trainable: tf.Variable[] = [];
  private optimizer: TfjsOptimizer | undefined;
  private disposed = false;
  /**
   * Most samples one forward/backward pass holds; larger training batches are split (runTrainStep).
   * Unbounded except on the WASM backend, whose heap stops at 4 GiB (memory.ts).
   */
  maxMicroBatch = Number.POSITIVE_INFINITY;

  private constructor(
    readonly spec: ModelSpec,
    readonly backend: string,
  ) {
    this.graph = buildLayerGraph(spec.arch, spec.inputShape, spec.numClasses);
    const { params, outputShape } = analyzeGraph(this.graph);
    if (outputShape.length !== 1 || outputShape[0] !== spec.numClasses) {
      throw new Error(`internal: architecture ${spec.arch.name} outputs [${outputShape.join(', ')}]`);
    }
    this.infos = params;
    this.inputShape = [...spec.inputShape];
    this.numClasses = spec.numClasses;
    this.description = `${spec.arch.name} (tfjs ${backend})`;
  }

  /** Builds the model for `spec` with seeded initial weights (init.ts). */
  static create(spec: ModelSpec): TfjsModel {
    const m = new TfjsModel(spec, tf.getBackend());
    if (m.backend === 'wasm') m.maxMicroBatch = maxTrainMicroBatch(m.graph);
    const init = initialWeights(m.infos, spec.seed);
    m.infos.forEach((p, i) => {
      const v = tf.tidy(() => tf.variable(tf.tensor(init[i]!.data, p.shape, 'float32'), p.trainable));
      m.vars.set(p.name, v);
      if (p.trainable) m.trainable.push(v);
    });
    return m;
  }

  paramCount(): number {
    return countTrainable(this.infos);
  }

  setOptimizer(spec: NormalizedOptimizerSpec): void {
    this.optimizer?.dispose();
    this.optimizer = createTfjsOptimizer(spec);
  }

  private checkInput(x: Float32Array, n: number, where: string): void {
    this.checkAlive();
    checkRows(x, n, this.inputShape, where);
  }

  private checkAlive(): void {
    if (this.disposed) throw new Error('internal: model used after dispose()');
    if (backendCrashed !== undefined) throw backendCrashed;
  }

  async trainStep(batch: LabelledSamples, lr: number): Promise<StepStats> {
    this.checkAlive();
    const opt = checkTrainBatch(batch, this.inputShape, this.numClasses, this.optimizer);
    try {
      return this.runTrainStep(batch, lr, opt);
    } catch (e) {
      throw this.backendFailure(e, `training at batch size ${batch.n}`);
    }
  }

  /**
   * One step, in micro-batches of at most `maxMicroBatch` samples: the gradient of each micro-batch's
   * mean loss weighted by its share of the batch is accumulated, then the optimiser steps once. Without
   * batch-norm this is the full-batch update; with it, each micro-batch normalises with its own statistics
   * ("ghost" batch-norm), while the moving averages are updated once with the full batch's exact mean and
   * (biased) variance, pooled from the micro-batches.
   */
  private runTrainStep(batch: LabelledSamples, lr: number, opt: TfjsOptimizer): StepStats {
    const { n } = batch;
    const size = shapeSize(this.inputShape);
    const sizes = microBatchSizes(n, this.maxMicroBatch);
    let acc: tf.Tensor[] | undefined;
    let stats: tf.Tensor | undefined;
    /** Per batch-norm layer (in forward order): each micro-batch's statistics and weight. */
    const bn: { prefix: string; parts: { mean: tf.Tensor; variance: tf.Tensor; w: number }[] }[] = [];
    try {
      let offset = 0;
      for (const m of sizes) {
        const w = m / n;
        const updates: BnUpdate[] = [];
        const prevAcc = acc;
        const prevStats = stats;
        const next = tf.tidy(() => {
          const x = tf.tensor(
            batch.x.subarray(offset * size, (offset + m) * size),
            [m, ...this.inputShape],
            'float32',
          );
          const labels = tf.tensor1d(batch.y.subarray(offset, offset + m), 'int32');
          const onehot = tf.cast(tf.oneHot(labels, this.numClasses), 'float32');
          let correct: tf.Tensor | undefined;
          const { value, grads } = tf.variableGrads(() => {
            const logits = forward(this.graph, this.vars, x, true, updates);
            correct = tf.keep(tf.sum(tf.cast(tf.equal(tf.argMax(logits, 1), labels), 'float32')));
            const loss = tf.losses.softmaxCrossEntropy(onehot, logits) as tf.Scalar;
            return sizes.length === 1 ? loss : tf.mul(loss, w);
          }, this.trainable);
          const g = this.trainable.map((v) => grads[v.name]!);
          const s = tf.stack([value, correct!]);
          correct!.dispose();
          return {
            acc: prevAcc === undefined ? g : g.map((t, i) => tf.add(prevAcc[i]!, t)),
            stats: prevStats === undefined ? s : tf.add(prevStats, s),
          };
        });
        acc = next.acc;
        stats = next.stats;
        for (const t of prevAcc ?? []) t.dispose();
        prevStats?.dispose();
        updates.forEach((u, i) => {
          if (bn[i] === undefined) bn[i] = { prefix: u.prefix, parts: [] };
          bn[i]!.parts.push({ mean: u.mean, variance: u.variance, w });
        });
        offset += m;
      }
      const grads = acc!;
      tf.tidy(() => {
        opt.apply(this.trainable, grads, lr);
        for (const { prefix, parts } of bn) {
          let mean: tf.Tensor = parts[0]!.mean;
          let variance: tf.Tensor = parts[0]!.variance;
          if (parts.length > 1) {
            // pooled: μ = Σ wⱼ μⱼ, σ² = Σ wⱼ (σⱼ² + (μⱼ − μ)²)
            mean = tf.addN(parts.map((p) => tf.mul(p.mean, p.w)));
            const mu = mean;
            variance = tf.addN(
              parts.map((p) => tf.mul(tf.add(p.variance, tf.square(tf.sub(p.mean, mu))), p.w)),
            );
          }
          for (const [stat, batchStat] of [
            ['moving_mean', mean],
            ['moving_variance', variance],
          ] as const) {
            const mv = this.vars.get(`${prefix}.${stat}`)!;
            mv.assign(tf.add(tf.mul(mv, BN_MOMENTUM), tf.mul(batchStat, 1 - BN_MOMENTUM)));
          }
        }
      });
      const [loss, correct] = stats!.dataSync();
      return { loss: loss!, correct: correct! };
    } finally {
      if (!backendCrashed) {
        for (const t of acc ?? []) t.dispose();
        stats?.dispose();
        for (const { parts } of bn) {
          for (const p of parts) {
            p.mean.dispose();
            p.variance.dispose();
          }
        }
      }
    }
  }

  /**
   * `e` as thrown to the caller: a WebAssembly crash (the heap's 4 GiB limit reached, an abort) becomes
   * one E_BACKEND MiaError naming the model and what to try, and marks the backend unusable so that later
   * calls fail the same way and dispose() does not touch it; anything else is returned unchanged.
   */
  private backendFailure(e: unknown, doing: string): unknown {
    if (isMiaError(e) || !isWasmCrash(e)) return e;
    const first = (e instanceof Error ? e.message : String(e)).split('\n')[0] ?? '';
    backendCrashed = new MiaError(
      'E_BACKEND',
      `the ${this.backend} backend crashed ${doing} (most likely out of memory: its heap stops at 4 GiB); ` +
        'it cannot be used again in this process',
      {
        where: `${this.describeModel()}`,
        expected: `a smaller batch_size, or npm install @tensorflow/tfjs-node and run.backend: node`,
        found: first,
      },
    );
    return backendCrashed;
  }

  private describeModel(): string {
    const params = Object.entries(this.spec.arch.params ?? {})
      .map(([k, v]) => `${k}=${v}`)
      .join(', ');
    const arch = params === '' ? this.spec.arch.name : `${this.spec.arch.name}(${params})`;
    return `model ${arch} on [${this.inputShape.join(', ')}] (tfjs ${this.backend})`;
  }

  async predict(x: Float32Array, n: number, options: PredictOptions = {}): Promise<Float32Array> {
    this.checkInput(x, n, 'predict');
    const bs = Math.max(1, options.batchSize ?? DEFAULT_PREDICT_BATCH);
    try {
      return this.runPredict(x, n, bs);
    } catch (e) {
      throw this.backendFailure(e, `predicting at batch size ${Math.min(bs, n)}`);
    }
  }

  private runPredict(x: Float32Array, n: number, bs: number): Float32Array {
    const size = shapeSize(this.inputShape);
    const c = this.numClasses;
    const out = new Float32Array(n * c);
    for (let s = 0; s < n; s += bs) {
      const m = Math.min(bs, n - s);
      const logits = tf.tidy(() => {
        const xb = tf.tensor(x.subarray(s * size, (s + m) * size), [m, ...this.inputShape], 'float32');
        return forward(this.graph, this.vars, xb, false);
      });
      out.set(logits.dataSync() as Float32Array, s * c);
      logits.dispose();
    }
    return out;
  }

  getWeights(): NamedWeight[] {
    this.checkAlive();
    return this.infos.map((p) => ({
      name: p.name,
      shape: [...p.shape],
      data: Float32Array.from(this.vars.get(p.name)!.dataSync() as Float32Array),
    }));
  }

  setWeights(weights: readonly NamedWeight[]): void {
    this.checkAlive();
    const byName = checkWeights(this.infos, weights, this.spec.arch.name);
    tf.tidy(() => {
      for (const p of this.infos)
        this.vars.get(p.name)!.assign(tf.tensor(byName.get(p.name)!.data, p.shape, 'float32'));
    });
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    if (backendCrashed === undefined) {
      // a crashed WASM backend cannot free anything: its memory is gone with the process
      this.optimizer?.dispose();
      for (const v of this.vars.values()) v.dispose();
    }
    this.optimizer = undefined;
    this.vars.clear();
    this.trainable.length = 0;
  }
}
