/**
 * An engine (src/models/engine.ts) that trains and runs models in onnxruntime-node's CPU build: each
 * training step is one `session.run` of the gradient graph (train-graph.ts: forward, cross-entropy and
 * backward in native kernels on onnxruntime's intra-op threads), followed by the optimiser as one fused
 * JS loop per parameter (PyTorch's Adam / SGD rules, as src/models/optimizers.ts documents them).
 *
 * Same architectures, seeded initial weights (init.ts) and weight names/layouts as the tfjs engine, so
 * saved weights move between the two. Layer graphs with layers it cannot build (`ortUnsupported`)
 * are refused with E_BACKEND; use the tfjs engine for them.
 */
import { availableParallelism } from 'node:os';
import type { LabelledSamples } from '../../../data/samples.js';
import { MiaError } from '../../../errors.js';
import { Rng } from '../../../rng.js';
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
import { adamLoop } from '../adam-loop.js';
import { checkRows, checkTrainBatch } from '../check-batch.js';
import { buildPredictGraph, type GraphParam, graphParams, unsupportedLayer } from './forward-graph.js';
import {
  type BnStat,
  buildNetGradGraph,
  buildNetPredictGraph,
  type MaskInput,
  netParams,
  netUnsupported,
} from './net-graph.js';
import { dropoutMask, updateRunningStats } from './net-step.js';
import { encodeModel, type OnnxGraph } from './onnx-proto.js';
import { buildGradGraph } from './train-graph.js';

type Ort = typeof import('onnxruntime-node');
type Session = import('onnxruntime-node').InferenceSession;
type OrtTensor = import('onnxruntime-node').Tensor;

/** Default samples per forward pass in predict(). */
export const ORT_PREDICT_BATCH = 256;

let ortPromise: Promise<Ort> | undefined;

async function loadOrt(): Promise<Ort> {
  ortPromise ??= import('onnxruntime-node').catch((e: unknown) => {
    ortPromise = undefined;
    throw new MiaError('E_BACKEND', 'onnxruntime-node is not available', {
      where: 'engine ort',
      expected: 'npm install onnxruntime-node',
      found: (e instanceof Error ? e.message : String(e)).split('\n')[0] ?? '',
    });
  });
  return ortPromise;
}

/** Why the ort engine cannot build `spec`'s architecture, or undefined when it can. */
export function ortUnsupported(spec: ModelSpec): string | undefined {
  return graphUnsupported(buildLayerGraph(spec.arch, spec.inputShape, spec.numClasses));
}

/** Why neither graph family (forward-graph.ts, net-graph.ts) can build `graph`, or undefined. */
function graphUnsupported(graph: LayerGraph): string | undefined {
  return unsupportedLayer(graph) === undefined ? undefined : netUnsupported(graph);
}

export interface OrtEngineOptions {
  /** onnxruntime intra-op threads (default: all cores). */
  threads?: number;
}

/** The onnxruntime engine. Throws E_BACKEND when onnxruntime-node cannot load. */
export async function createOrtEngine(options: OrtEngineOptions = {}): Promise<Engine> {
  const ort = await loadOrt();
  const threads = Math.max(1, Math.floor(options.threads ?? availableParallelism()));
  return {
    name: 'ort',
    backend: {
      name: 'onnxruntime-cpu',
      description:
        `onnxruntime-node ${ort.env.versions?.common ?? ''} CPU (${threads} thread${threads === 1 ? '' : 's'}, whole-step gradient graphs)`.replace(
          '  ',
          ' ',
        ),
    },
    async build(spec: ModelSpec): Promise<EngineModel> {
      return OrtModel.create(ort, spec, threads);
    },
  };
}

/** HWIO [kh, kw, c, o] → OIHW [o, c, kh, kw] (and back with `inverse`). */
export function convertConvKernel(
  src: Float32Array,
  shapeHWIO: readonly number[],
  inverse: boolean,
): Float32Array {
  const [kh, kw, c, o] = shapeHWIO as [number, number, number, number];
  const out = new Float32Array(src.length);
  for (let i = 0; i < kh; i++) {
    for (let j = 0; j < kw; j++) {
      for (let ci = 0; ci < c; ci++) {
        for (let co = 0; co < o; co++) {
          const hwio = ((i * kw + j) * c + ci) * o + co;
          const oihw = ((co * c + ci) * kh + i) * kw + j;
          if (inverse) out[hwio] = src[oihw]!;
          else out[oihw] = src[hwio]!;
        }
      }
    }
  }
  return out;
}

export class OrtModel implements EngineModel {
  readonly engine = 'ort';
  readonly backend = 'onnxruntime-cpu';
  readonly outputKind = 'logits' as const;
  readonly inputShape: readonly number[];
  readonly numClasses: number;
  readonly description: string;
  private readonly graph: LayerGraph;
  private readonly infos: ParamInfo[];
  private readonly params: GraphParam[];
  /** Names of the parameters the optimiser updates (all but batch-norm running statistics). */
  private readonly trainable: string[];
  /** True for graphs of net-graph.ts (batch norm, residual blocks, …), false for forward-graph.ts's. */
  private readonly net: boolean;
  private stats: BnStat[] = [];
  private masks: MaskInput[] = [];
  private readonly maskRng: Rng;
  /** Parameter values in ONNX layout, by name. */
  private readonly values = new Map<string, Float32Array>();
  private gradSession: Promise<Session> | undefined;
  private predictSession: Promise<Session> | undefined;
  private optimizer: NormalizedOptimizerSpec | undefined;
  private state = new Map<string, Float32Array[]>();
  private step = 0;
  private disposed = false;

  private constructor(
    private readonly ort: Ort,
    readonly spec: ModelSpec,
    private readonly threads: number,
  ) {
    this.graph = buildLayerGraph(spec.arch, spec.inputShape, spec.numClasses);
    const why = graphUnsupported(this.graph);
    if (why !== undefined) {
      throw new MiaError('E_BACKEND', `the ort engine cannot build ${spec.arch.name}: ${why}`, {
        where: 'engine ort',
        expected: 'linear or relu activations; use the tfjs engine',
        found: why,
      });
    }
    this.infos = analyzeGraph(this.graph).params;
    this.net = unsupportedLayer(this.graph) !== undefined;
    const all = this.net ? netParams(this.graph) : graphParams(this.graph);
    this.params = all;
    this.trainable = all.filter((p) => !('trainable' in p) || p.trainable).map((p) => p.name);
    this.maskRng = new Rng(spec.seed ^ 0x6d61736b);
    this.inputShape = [...spec.inputShape];
    this.numClasses = spec.numClasses;
    this.description = `${spec.arch.name} (onnxruntime cpu)`;
  }

  /** Builds the model for `spec` with seeded initial weights (init.ts), as the tfjs engine does. */
  static create(ort: Ort, spec: ModelSpec, threads: number): OrtModel {
    const m = new OrtModel(ort, spec, threads);
    m.setWeights(initialWeights(m.infos, spec.seed));
    return m;
  }

  private sessionOptions(): import('onnxruntime-node').InferenceSession.SessionOptions {
    return {
      intraOpNumThreads: this.threads,
      interOpNumThreads: 1,
      executionMode: 'sequential',
      // 'extended' without the NCHWc layout pass: its reorders cost more than they save on these nets
      // (measured: 0.32 vs 0.35 CPU s per 1k training samples for small_cnn, 0.066 vs 0.079 inference).
      graphOptimizationLevel: 'extended',
      // Threads sleep instead of spinning between ops (OMP_WAIT_POLICY=PASSIVE's equivalent).
      extra: { session: { intra_op: { allow_spinning: '0' } } },
    };
  }

  private grads(): Promise<Session> {
    if (this.gradSession === undefined) {
      let onnx: OnnxGraph;
      if (this.net) {
        const g = buildNetGradGraph(this.graph, this.numClasses);
        this.stats = g.stats;
        this.masks = g.masks;
        onnx = g.onnx;
      } else {
        onnx = buildGradGraph(this.graph, this.numClasses);
      }
      this.gradSession = this.ort.InferenceSession.create(encodeModel(onnx), this.sessionOptions());
    }
    return this.gradSession;
  }

  private forward(): Promise<Session> {
    this.predictSession ??= this.ort.InferenceSession.create(
      encodeModel(this.net ? buildNetPredictGraph(this.graph) : buildPredictGraph(this.graph)),
      this.sessionOptions(),
    );
    return this.predictSession;
  }

  paramCount(): number {
    return countTrainable(this.infos);
  }

  setOptimizer(spec: NormalizedOptimizerSpec): void {
    this.optimizer = spec;
    this.state.clear();
    this.step = 0;
  }

  private checkAlive(): void {
    if (this.disposed) throw new Error('internal: model used after dispose()');
  }

  private checkInput(x: Float32Array, n: number, where: string): void {
    this.checkAlive();
    checkRows(x, n, this.inputShape, where);
  }

  /** Feeds every parameter `session` reads. */
  private paramFeeds(feeds: Record<string, OrtTensor>, session: Session): void {
    const wanted = new Set(session.inputNames);
    for (const p of this.params) {
      if (wanted.has(`p:${p.name}`))
        feeds[`p:${p.name}`] = new this.ort.Tensor('float32', this.values.get(p.name)!, p.onnxShape);
    }
  }

  async trainStep(batch: LabelledSamples, lr: number): Promise<StepStats> {
    this.checkAlive();
    const opt = checkTrainBatch(batch, this.inputShape, this.numClasses, this.optimizer);
    const { n } = batch;
    const c = this.numClasses;
    const size = shapeSize(this.inputShape);
    const onehot = new Float32Array(n * c);
    const labels = new BigInt64Array(n);
    for (let i = 0; i < n; i++) {
      const y = batch.y[i]!;
      onehot[i * c + y] = 1;
      labels[i] = BigInt(y);
    }
    const T = this.ort.Tensor;
    const feeds: Record<string, OrtTensor> = {
      x: new T('float32', batch.x.subarray(0, n * size), [n, ...this.inputShape]),
      onehot: new T('float32', onehot, [n, c]),
      labels: new T('int64', labels, [n]),
      inv_n: new T('float32', new Float32Array([1 / n]), []),
    };
    const session = await this.grads();
    this.paramFeeds(feeds, session);
    for (const m of this.masks)
      feeds[m.name] = new T('float32', dropoutMask(m, n, this.maskRng), [n, ...m.shape]);
    const out = await session.run(feeds);
    this.step++;
    for (const name of this.trainable) this.update(name, out[`grad:${name}`]!.data as Float32Array, opt, lr);
    for (const st of this.stats) {
      const v = (k: string) => this.values.get(`${st.prefix}.${k}`)!;
      const o = (k: string) => out[`stat:${st.prefix}.${k}`]!.data as Float32Array;
      updateRunningStats(st, n, o('mean'), o('var'), v('moving_mean'), v('moving_variance'));
    }
    return { loss: (out.loss!.data as Float32Array)[0]!, correct: (out.correct!.data as Float32Array)[0]! };
  }

  /** The optimiser's rule for one parameter, in place (w, state) — see src/models/optimizers.ts. */
  private update(name: string, g: Float32Array, opt: NormalizedOptimizerSpec, lr: number): void {
    const w = this.values.get(name)!;
    let st = this.state.get(name);
    if (opt.name === 'adam') {
      if (st === undefined) {
        st = [new Float32Array(w.length), new Float32Array(w.length)];
        this.state.set(name, st);
      }
      const [m, v] = st as [Float32Array, Float32Array];
      const a = {
        lr,
        beta1: opt.beta1,
        beta2: opt.beta2,
        epsilon: opt.epsilon,
        weightDecay: opt.weightDecay,
        step: this.step,
      };
      adamLoop(w, g, m, v, w, m, v, a);
      return;
    }
    const { momentum, nesterov, weightDecay } = opt;
    if (momentum > 0 && st === undefined) {
      st = [new Float32Array(w.length)];
      this.state.set(name, st);
    }
    const b = st?.[0];
    for (let i = 0; i < w.length; i++) {
      let gi = g[i]!;
      if (weightDecay > 0) gi += weightDecay * w[i]!;
      if (b !== undefined) {
        // b starts at 0, so the first step gives PyTorch's b = g.
        const bi = momentum * b[i]! + gi;
        b[i] = bi;
        gi = nesterov ? gi + momentum * bi : bi;
      }
      w[i] = w[i]! - lr * gi;
    }
  }

  async predict(x: Float32Array, n: number, options: PredictOptions = {}): Promise<Float32Array> {
    this.checkInput(x, n, 'predict');
    const bs = Math.max(1, options.batchSize ?? ORT_PREDICT_BATCH);
    const size = shapeSize(this.inputShape);
    const c = this.numClasses;
    const out = new Float32Array(n * c);
    const session = await this.forward();
    const feeds: Record<string, OrtTensor> = {};
    this.paramFeeds(feeds, session);
    for (let s = 0; s < n; s += bs) {
      const m = Math.min(bs, n - s);
      feeds.x = new this.ort.Tensor('float32', x.subarray(s * size, (s + m) * size), [m, ...this.inputShape]);
      const r = await session.run(feeds);
      out.set(r.logits!.data as Float32Array, s * c);
    }
    return out;
  }

  getWeights(): NamedWeight[] {
    this.checkAlive();
    return this.params.map((p) => {
      const v = this.values.get(p.name)!;
      return {
        name: p.name,
        shape: [...p.shape],
        data: p.conv ? convertConvKernel(v, p.shape, true) : Float32Array.from(v),
      };
    });
  }

  setWeights(weights: readonly NamedWeight[]): void {
    this.checkAlive();
    const byName = checkWeights(this.params, weights, this.spec.arch.name);
    for (const p of this.params) {
      const w = byName.get(p.name)!;
      this.values.set(p.name, p.conv ? convertConvKernel(w.data, p.shape, false) : Float32Array.from(w.data));
    }
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const s of [this.gradSession, this.predictSession])
      void s?.then((x) => x.release()).catch(() => undefined);
    this.values.clear();
    this.state.clear();
  }
}
