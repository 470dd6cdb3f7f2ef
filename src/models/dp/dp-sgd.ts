/**
 * DP-SGD in the training loop (Abadi et al. 2016, "Deep Learning with Differential Privacy"): the
 * configuration (σ, or a target ε that the RDP accountant calibrates σ for; C; δ; the sampling), the
 * batches of one epoch, and the ε spent so far.
 *
 * Sampling:
 * - `poisson` (the default, Opacus's DPDataLoader and what the RDP analysis of the subsampled Gaussian
 *   assumes): every step includes each training sample independently with probability q = batch_size/n,
 *   so batch sizes vary (an empty batch is a noise-only step); the noisy sum is divided by the expected
 *   batch size q·n = batch_size. An epoch is ⌈n / batch_size⌉ steps.
 * - `shuffle`: fixed-size batches of a seeded permutation (as non-DP training), the sum divided by the
 *   batch's size. The accountant's ε is then still the Poisson one, which does not describe this
 *   sampling (shuffling is not a privacy amplification the RDP analysis covers): the run says so.
 *
 * Per step: the engine's `dpStep` (per-sample gradients clipped to C, summed, N(0, σ²C²) added, divided,
 * the optimiser's update). ε after T steps: the RDP accountant (rdp.ts, Opacus's orders) at (q, σ, T, δ).
 */
import { MiaError } from '../../errors.js';
import type { Rng } from '../../rng.js';
import { buildLayerGraph } from '../architectures.js';
import type { DpStepOptions, EngineModel } from '../engine.js';
import type { Layer } from '../layer-graph.js';
import { noiseForEpsilon, rdpEpsilon } from './calibrate.js';
import type { GaussianStream } from './noise.js';

export const DP_SAMPLINGS = ['poisson', 'shuffle'] as const;
export type DpSampling = (typeof DP_SAMPLINGS)[number];

/** DP-SGD as configured (config `target.dp`, `mia train --dp-…`): σ or a target ε, not both. */
export interface DpConfig {
  /** σ: the noise standard deviation is σ·C. */
  noiseMultiplier?: number;
  /** ε at `delta` after the configured epochs; σ is calibrated for it (calibrate.ts). */
  targetEpsilon?: number;
  /** C: per-sample gradients are clipped to this L2 norm. */
  maxGradNorm: number;
  /** δ of the (ε, δ) guarantee; must be < 1/n. */
  delta: number;
  sampling: DpSampling;
  /** Names the setting in errors: `target.dp`, `mia train --dp`. Default `dp`. */
  where?: string;
}

/** DP-SGD resolved for a training set: every number the steps and the accountant use. */
export interface ResolvedDp {
  noiseMultiplier: number;
  maxGradNorm: number;
  delta: number;
  sampling: DpSampling;
  /** q = batch_size / n. */
  sampleRate: number;
  stepsPerEpoch: number;
  /** The expected batch size q·n (= batch_size), the divisor of the noisy sum under Poisson sampling. */
  expectedBatchSize: number;
  /** The target ε σ was calibrated for, when it was. */
  targetEpsilon?: number;
}

/** The default δ (Opacus's examples, TF Privacy's tutorials). */
export const DEFAULT_DELTA = 1e-5;

/**
 * Resolves `c` for `n` training samples, batches of `batchSize` and `epochs` epochs. Throws E_CONFIG
 * (where: `<c.where>.<key>`) when σ and target ε are both given or both missing, σ < 0, C ≤ 0, δ not in
 * (0, 1/n), the batch size exceeds n, or no σ reaches the target ε.
 */
export function resolveDp(c: DpConfig, n: number, batchSize: number, epochs: number): ResolvedDp {
  const at = (k: string) => `${c.where ?? 'dp'}.${k}`;
  const bad = (k: string, msg: string, expected: string, found: unknown): never => {
    throw new MiaError('E_CONFIG', `${at(k)} ${msg}`, { where: at(k), expected, found: String(found) });
  };
  if ((c.noiseMultiplier === undefined) === (c.targetEpsilon === undefined))
    bad(
      'noise_multiplier',
      'or target_epsilon: give exactly one',
      'noise_multiplier σ or target_epsilon ε',
      c.noiseMultiplier === undefined ? 'neither' : 'both',
    );
  if (c.noiseMultiplier !== undefined && !(c.noiseMultiplier >= 0 && Number.isFinite(c.noiseMultiplier)))
    bad('noise_multiplier', 'must be a finite number ≥ 0', 'σ ≥ 0', c.noiseMultiplier);
  if (!(c.maxGradNorm > 0)) bad('max_grad_norm', 'must be > 0', 'C > 0', c.maxGradNorm);
  if (!(c.delta > 0 && c.delta < 1 / n))
    bad('delta', `must be in (0, 1/n) for the n = ${n} training samples`, `δ < ${1 / n}`, c.delta);
  if (batchSize > n)
    bad('sampling', `needs a batch size ≤ the ${n} training samples`, `batch_size ≤ ${n}`, batchSize);
  const sampleRate = batchSize / n;
  const stepsPerEpoch = Math.ceil(n / batchSize);
  const base = {
    maxGradNorm: c.maxGradNorm,
    delta: c.delta,
    sampling: c.sampling,
    sampleRate,
    stepsPerEpoch,
    expectedBatchSize: batchSize,
  };
  if (c.noiseMultiplier !== undefined) return { ...base, noiseMultiplier: c.noiseMultiplier };
  const target = c.targetEpsilon!;
  if (!(target > 0 && Number.isFinite(target)))
    bad('target_epsilon', 'must be a finite number > 0', 'ε > 0', target);
  try {
    const cal = noiseForEpsilon({
      targetEpsilon: target,
      sampleRate,
      steps: stepsPerEpoch * epochs,
      delta: c.delta,
    });
    return { ...base, noiseMultiplier: cal.noiseMultiplier, targetEpsilon: target };
  } catch (e) {
    if (!(e instanceof MiaError)) throw e;
    throw new MiaError('E_CONFIG', `${at('target_epsilon')}: ${e.message}`, {
      where: at('target_epsilon'),
      ...(e.found !== undefined ? { found: e.found } : {}),
    });
  }
}

/**
 * ε of the RDP accountant (Opacus's orders) after `steps` steps of `dp` at its δ: ∞ with σ = 0 or
 * C = ∞, 0 after no step. Under `shuffle` sampling it is the Poisson figure (see the file header).
 */
export function epsilonAfter(dp: ResolvedDp, steps: number): number {
  if (steps === 0) return 0;
  if (dp.noiseMultiplier === 0 || !Number.isFinite(dp.maxGradNorm)) return Infinity;
  return rdpEpsilon(dp.sampleRate, dp.noiseMultiplier, steps, dp.delta);
}

/**
 * The rows of a Poisson-sampled batch: each of 0 … n−1 independently with probability q, ascending,
 * drawn by geometric gaps (cost ∝ batch size, not n).
 */
export function poissonRows(n: number, q: number, rng: Rng): Int32Array {
  if (q >= 1) return Int32Array.from({ length: n }, (_, i) => i);
  const rows: number[] = [];
  if (q <= 0) return new Int32Array(0);
  const logq = Math.log1p(-q);
  let i = -1;
  for (;;) {
    i += 1 + Math.floor(Math.log(1 - rng.next()) / logq);
    if (i >= n) break;
    rows.push(i);
  }
  return Int32Array.from(rows);
}

/** model.json `dp`: how the model was trained and the ε the RDP accountant gives at the end. */
export interface DpRecord {
  /** σ (noise std / C); calibrated from the target ε when one was configured. */
  noiseMultiplier: number;
  /** C, the per-sample L2 clipping norm (null in JSON when +∞). */
  maxGradNorm: number;
  delta: number;
  /** q = batch_size / n. */
  sampleRate: number;
  /** DP-SGD steps taken (epochs × ⌈n / batch_size⌉ unless training stopped early). */
  steps: number;
  /** Epochs trained. */
  epochs: number;
  /** 'shuffle': fixed-size batches, whose privacy the (Poisson) ε does not describe. */
  sampling: DpSampling;
  accountant: 'rdp';
  /** ε at `delta` after `steps` steps (RDP, Opacus's orders); +∞ (null in JSON) with σ = 0. */
  epsilon: number;
}

/** The record of a finished DP training. */
export function dpRecordOf(dp: ResolvedDp, steps: number, epochs: number, epsilon: number): DpRecord {
  return {
    noiseMultiplier: dp.noiseMultiplier,
    maxGradNorm: dp.maxGradNorm,
    delta: dp.delta,
    sampleRate: dp.sampleRate,
    steps,
    epochs,
    sampling: dp.sampling,
    accountant: 'rdp',
    epsilon,
  };
}

/** What one DP epoch did. */
export interface DpEpochResult {
  /** Samples in the epoch's batches (Poisson: a random number near n). */
  seen: number;
  /** Σ over non-empty batches of mean loss × batch size. */
  lossSum: number;
  correct: number;
  steps: number;
  /** Samples whose gradient was clipped. */
  clipped: number;
}

/** One epoch's inputs. */
export interface DpEpochOptions {
  dp: ResolvedDp;
  lr: number;
  /** The epoch's permutation (`shuffle` sampling; unused under Poisson). */
  order: Int32Array;
  /** Draws the Poisson batches. */
  sampling: Rng;
  noise: GaussianStream;
  /** Gathers the given rows of the training set into a batch. */
  gather: (rows: Int32Array) => { x: Float32Array; y: Int32Array; n: number };
  onBatch?: (seen: number, lossSum: number, correct: number) => void;
  where?: string;
}

/**
 * One epoch of DP-SGD: `dp.stepsPerEpoch` steps of model.dpStep. Throws E_NOT_FINITE when a batch's
 * loss becomes NaN or infinite.
 */
export async function dpEpoch(model: EngineModel, n: number, o: DpEpochOptions): Promise<DpEpochResult> {
  const { dp } = o;
  const r: DpEpochResult = { seen: 0, lossSum: 0, correct: 0, steps: 0, clipped: 0 };
  const bs = dp.expectedBatchSize;
  for (let s = 0; s < dp.stepsPerEpoch; s++) {
    const rows =
      dp.sampling === 'poisson'
        ? poissonRows(n, dp.sampleRate, o.sampling)
        : o.order.subarray(s * bs, Math.min(n, (s + 1) * bs));
    const batch = o.gather(rows);
    const step: DpStepOptions = {
      maxGradNorm: dp.maxGradNorm,
      noiseStd: dp.noiseMultiplier === 0 ? 0 : dp.noiseMultiplier * dp.maxGradNorm, // 0·∞ is no noise
      divisor: dp.sampling === 'poisson' ? bs : Math.max(1, batch.n),
      noise: o.noise,
    };
    const st = await model.dpStep!(batch, o.lr, step);
    r.steps++;
    if (batch.n > 0) {
      if (!Number.isFinite(st.loss)) {
        throw new MiaError('E_NOT_FINITE', `training loss became ${st.loss} at step ${s + 1} of the epoch`, {
          where: o.where ?? 'training',
          expected: 'a finite loss (try a smaller learning rate or max_grad_norm)',
        });
      }
      r.lossSum += st.loss * batch.n;
      r.correct += st.correct;
      r.seen += batch.n;
      r.clipped += st.clipped;
    }
    o.onBatch?.(r.seen, r.lossSum, r.correct);
  }
  return r;
}

/**
 * Throws unless `model` can train with DP-SGD: E_CONFIG (one line, suggesting GroupNorm, as Opacus
 * does) when its architecture has batch normalisation, whose batch statistics mix the samples so that
 * per-sample gradients (and the clipping bound) do not exist; E_BACKEND when its engine has no DP step
 * (the TF.js engine: train on the onnxruntime engine).
 */
export function checkDpModel(model: EngineModel, where = 'dp'): void {
  const graph = buildLayerGraph(model.spec.arch, model.spec.inputShape, model.spec.numClasses);
  const hasBn = (ls: readonly Layer[]): boolean =>
    ls.some(
      (l) =>
        l.type === 'batchnorm' ||
        l.type === 'basic_block' ||
        (l.type === 'residual' && (hasBn(l.main) || hasBn(l.shortcut))),
    );
  if (hasBn(graph.layers)) {
    throw new MiaError(
      'E_CONFIG',
      `DP-SGD cannot train ${model.spec.arch.name}: batch normalisation mixes the samples of a batch, so per-sample gradients cannot be clipped`,
      {
        where,
        expected:
          'an architecture without BatchNorm (replace it by GroupNorm, as Opacus requires): small_cnn, conv, dense, mlp, logistic',
        found: model.spec.arch.name,
      },
    );
  }
  if (model.dpStep === undefined) {
    throw new MiaError('E_BACKEND', `DP-SGD runs on the onnxruntime engine, not ${model.engine}`, {
      where,
      expected: 'engine ort or auto (with onnxruntime-node installed)',
      found: model.engine,
    });
  }
}
