/**
 * What a model needs before it is built: its parameter count and the memory training takes, computed
 * from the architecture's layer graph (architectures.ts builds it, layer-graph.ts's analyzeGraph walks
 * its shapes and parameters) without allocating a weight. Every architecture of the registry gets the
 * check through its graph: a new architecture (or layer type) that declares its parameters in
 * analyzeGraph is covered with no code here.
 *
 * `checkModelFits` stops an absurd size (`width: 1000000000`, `filters: 1e9`) or a conv stack too deep
 * for the input with one E_CONFIG line naming the hyper-parameter at fault, instead of a RangeError when
 * the weights are allocated.
 */
import { totalmem } from 'node:os';
import { type ErrorWhere, isMiaError, MiaError } from '../errors.js';
import {
  type ArchParamValue,
  type ArchSpec,
  architectureDefaults,
  buildLayerGraph,
} from './architectures.js';
import { analyzeGraph, shapeSize } from './layer-graph.js';

/** What training a model takes. */
export interface ModelFootprint {
  /** Every scalar of the network (trainable and batch-norm statistics). */
  params: number;
  /** Scalars of the largest parameter tensor. */
  largestTensor: number;
  /** Scalars of every layer's output for one sample (the activations kept for the backward pass). */
  activationsPerSample: number;
  /**
   * Bytes of float32 training state: 4 copies of the parameters (weights, gradients, Adam's two
   * moments) plus 2 copies of the activations of a batch (forward outputs and their gradients).
   */
  bytes: number;
}

/** The footprint of `spec` on per-sample `inputShape` with `numClasses` outputs, trained in batches of `batchSize`. */
export function modelFootprint(
  spec: ArchSpec,
  inputShape: readonly number[],
  numClasses: number,
  batchSize: number,
): ModelFootprint {
  const { params, shapes } = analyzeGraph(buildLayerGraph(spec, inputShape, numClasses));
  let p = 0;
  let largest = 0;
  for (const q of params) {
    const size = shapeSize(q.shape);
    p += size;
    largest = Math.max(largest, size);
  }
  let act = shapeSize(inputShape);
  for (const s of shapes) act += shapeSize(s);
  return {
    params: p,
    largestTensor: largest,
    activationsPerSample: act,
    bytes: 4 * (4 * p + 2 * batchSize * act),
  };
}

/** The default memory limit: this machine's memory (os.totalmem()). */
export function defaultMemoryLimit(): number {
  return totalmem();
}

/** Largest length of one typed array here: no single tensor may hold more scalars. */
const MAX_TENSOR = 2 ** 31 - 1;

/** "1.2 GB", "37 TB" (powers of 1000; bytes ≥ 0). */
export function formatBytes(bytes: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB', 'PB', 'EB'];
  let v = bytes;
  let u = 0;
  while (v >= 1000 && u < units.length - 1) {
    v /= 1000;
    u++;
  }
  return `${v >= 100 || u === 0 ? Math.round(v) : v.toPrecision(2)} ${units[u]}`;
}

/** "1.2e9" for big counts, the integer below a million. */
function formatCount(n: number): string {
  return n < 1e6 ? String(n) : n.toExponential(1).replace('e+', 'e');
}

export interface FitOptions {
  /** Where a hyper-parameter (or, with undefined, the architecture itself) was set, for the error. */
  where: (param: string | undefined) => ErrorWhere;
  /** How a hyper-parameter (or the architecture) is named in the message: "target.architecture.params.width", "--arch-param width". */
  label: (param: string | undefined) => string;
  /** Memory limit in bytes (default {@link defaultMemoryLimit}). */
  limitBytes?: number;
}

type Outcome = { ok: true; footprint: ModelFootprint } | { ok: false; error: MiaError };

function evaluate(spec: ArchSpec, inputShape: readonly number[], numClasses: number, batch: number): Outcome {
  try {
    return { ok: true, footprint: modelFootprint(spec, inputShape, numClasses, batch) };
  } catch (e) {
    if (isMiaError(e)) return { ok: false, error: e };
    throw e;
  }
}

/**
 * The hyper-parameter of `spec` whose default value helps most: the one that, reset to its default,
 * makes the model build (when `fits` says the model does not) or gives the smallest footprint. Undefined
 * when no given parameter differs from its default or none helps.
 */
function culprit(
  spec: Required<ArchSpec>,
  defaults: Record<string, ArchParamValue>,
  score: (s: ArchSpec) => number,
): string | undefined {
  const base = score(spec);
  let best: { key: string; score: number } | undefined;
  for (const [k, v] of Object.entries(spec.params)) {
    const d = defaults[k];
    if (d === undefined || String(d) === String(v)) continue;
    const s = score({ name: spec.name, params: { ...spec.params, [k]: d } });
    if (s < base && (best === undefined || s < best.score)) best = { key: k, score: s };
  }
  return best?.key;
}

/**
 * Checks that `spec` (normalised: every hyper-parameter present) can be built for `inputShape` and
 * `numClasses` and trained in batches of `batchSize` within the memory limit. Throws E_CONFIG naming the
 * hyper-parameter at fault (the one whose default would fit best) at `options.where(param)`: when a
 * layer does not fit its input (a conv stack too deep for the image), when one tensor would exceed
 * 2³¹ − 1 scalars, or when training would need more memory than the limit (both figures in the message).
 */
export function checkModelFits(
  spec: Required<ArchSpec>,
  inputShape: readonly number[],
  numClasses: number,
  batchSize: number,
  options: FitOptions,
): ModelFootprint {
  const limit = options.limitBytes ?? defaultMemoryLimit();
  const defaults = architectureDefaults(spec.name);
  const outcome = evaluate(spec, inputShape, numClasses, batchSize);
  const at = (key: string | undefined, message: string, extra: { expected?: string; found?: string }) =>
    new MiaError('E_CONFIG', `${options.label(key)}: ${message}`, {
      where: options.where(key),
      ...extra,
    });
  if (!outcome.ok) {
    const key = culprit(spec, defaults, (s) => (evaluate(s, inputShape, numClasses, batchSize).ok ? 0 : 1));
    throw at(
      key,
      `${outcome.error.message}: too ${key !== undefined ? `large a ${key}` : 'deep'} for the input`,
      {
        ...(key !== undefined ? { expected: `a smaller ${key} (default ${defaults[key]})` } : {}),
        found: `input shape [${inputShape.join(', ')}]${key !== undefined ? `, ${key} ${spec.params[key]}` : ''}`,
      },
    );
  }
  const { footprint } = outcome;
  const largest = footprint.largestTensor;
  if (footprint.bytes <= limit && largest <= MAX_TENSOR) return footprint;
  const key = culprit(spec, defaults, (s) => {
    const o = evaluate(s, inputShape, numClasses, batchSize);
    return o.ok ? o.footprint.bytes : Number.POSITIVE_INFINITY;
  });
  const needs =
    `${formatCount(footprint.params)} parameters, ${formatBytes(footprint.bytes)} to train ` +
    `(weights, gradients and Adam state, activations of a batch of ${batchSize})`;
  throw at(key, `the model would need ${needs}`, {
    expected:
      footprint.bytes > limit
        ? `at most ${formatBytes(limit)} (this machine's memory)`
        : `at most ${formatCount(MAX_TENSOR)} scalars in one weight tensor (the largest has ${formatCount(largest)})`,
    found: key !== undefined ? `${key} ${spec.params[key]}` : `architecture ${spec.name}`,
  });
}
