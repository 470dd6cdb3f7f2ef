/**
 * The TensorFlow.js engine: models are a layer graph (layer-graph.ts) plus one tf.Variable per parameter,
 * run by forward.ts, trained with the optimisers of optimizers.ts. The backend is chosen by
 * src/models/backend (tfjs-node when installed, else wasm, else cpu).
 */
import * as tf from '@tensorflow/tfjs-core';
import { MiaError } from '../../errors.js';
import { buildLayerGraph } from '../architectures.js';
import { initBackend } from '../backend/index.js';
import type { Batch, Engine, EngineModel, ModelSpec, StepStats } from '../engine.js';
import { checkWeights, initialWeights, type NamedWeight } from '../init.js';
import { analyzeGraph, countTrainable, type LayerGraph, type ParamInfo, shapeSize } from '../layer-graph.js';
import type { NormalizedOptimizerSpec } from '../optimizers.js';
import type { PredictOptions } from '../predictor.js';
import { BN_MOMENTUM, type BnUpdate, forward } from './forward.js';
import './gradients.js';
import { createTfjsOptimizer, type TfjsOptimizer } from './optimizers.js';

/** Default samples per forward pass in predict(). */
export const DEFAULT_PREDICT_BATCH = 256;

/**
 * The TensorFlow.js engine on the backend chosen by `initBackend(preference)` (E_BACKEND when a forced
 * backend cannot start).
 */
export async function createTfjsEngine(
  preference: 'auto' | 'node' | 'wasm' | 'cpu' = 'auto',
): Promise<Engine> {
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
    const size = shapeSize(this.inputShape);
    if (!Number.isInteger(n) || n < 0 || x.length < n * size) {
      throw new MiaError(
        'E_SHAPE_MISMATCH',
        `x holds ${x.length} values, fewer than n × ${size} = ${n * size}`,
        {
          where,
          expected: `${n} × [${this.inputShape.join(', ')}]`,
        },
      );
    }
  }

  private checkAlive(): void {
    if (this.disposed) throw new Error('internal: model used after dispose()');
  }

  async trainStep(batch: Batch, lr: number): Promise<StepStats> {
    const { n } = batch;
    this.checkInput(batch.x, n, 'trainStep');
    if (batch.y.length < n) {
      throw new MiaError('E_SHAPE_MISMATCH', `y holds ${batch.y.length} labels, fewer than n = ${n}`, {
        where: 'trainStep',
      });
    }
    const opt = this.optimizer;
    if (opt === undefined)
      throw new MiaError('E_CONFIG', 'no optimizer set (call setOptimizer first)', { where: 'trainStep' });
    const size = shapeSize(this.inputShape);
    const updates: BnUpdate[] = [];
    const out = tf.tidy(() => {
      const x = tf.tensor(batch.x.subarray(0, n * size), [n, ...this.inputShape], 'float32');
      const labels = tf.tensor1d(batch.y.subarray(0, n), 'int32');
      const onehot = tf.cast(tf.oneHot(labels, this.numClasses), 'float32');
      let correct: tf.Tensor | undefined;
      const { value, grads } = tf.variableGrads(() => {
        const logits = forward(this.graph, this.vars, x, true, updates);
        correct = tf.keep(tf.sum(tf.cast(tf.equal(tf.argMax(logits, 1), labels), 'float32')));
        return tf.losses.softmaxCrossEntropy(onehot, logits) as tf.Scalar;
      }, this.trainable);
      opt.apply(
        this.trainable,
        this.trainable.map((v) => grads[v.name]!),
        lr,
      );
      for (const u of updates) {
        for (const [stat, batchStat] of [
          ['moving_mean', u.mean],
          ['moving_variance', u.variance],
        ] as const) {
          const mv = this.vars.get(`${u.prefix}.${stat}`)!;
          mv.assign(tf.add(tf.mul(mv, BN_MOMENTUM), tf.mul(batchStat, 1 - BN_MOMENTUM)));
        }
        u.mean.dispose();
        u.variance.dispose();
      }
      const result = tf.stack([value, correct!]);
      correct!.dispose();
      return result;
    });
    const [loss, correct] = out.dataSync();
    out.dispose();
    return { loss: loss!, correct: correct! };
  }

  async predict(x: Float32Array, n: number, options: PredictOptions = {}): Promise<Float32Array> {
    this.checkInput(x, n, 'predict');
    const bs = Math.max(1, options.batchSize ?? DEFAULT_PREDICT_BATCH);
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
    this.optimizer?.dispose();
    for (const v of this.vars.values()) v.dispose();
    this.vars.clear();
    this.trainable.length = 0;
  }
}
