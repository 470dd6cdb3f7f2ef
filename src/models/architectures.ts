/**
 * Architectures by name. Each entry declares its hyper-parameters (with defaults and ranges) and builds
 * an engine-neutral layer graph (layer-graph.ts) for an input shape and a number of classes. Every
 * network ends in a linear Dense(numClasses) layer: models output logits.
 *
 * - `dense`     seed 000's dense_nn_builder: Flatten, `depth` × Dense(width, act), Dense(classes).
 *               `depth` counts every hidden layer, as the case study names its models ("depth 4" and
 *               "depth 7"): dense_nn_builder(depth=d) adds one more hidden layer "to make this a fair
 *               comparison" with the conv net, so it equals our `dense` with depth = d + 1.
 * - `conv`      seed 000's conv_nn_builder: `depth` × [Conv2D(filters, 3×3, act, valid) + MaxPool2D(2)],
 *               Flatten, Dense(width, act), Dense(classes).
 * - `small_cnn` TF Privacy codelab / Privacy Meter: `num_conv` × [Conv2D(32, 3×3, relu) + MaxPool2D(2)],
 *               Flatten, Dense(64, relu), Dense(classes).
 * - `resnet18`  the CIFAR ResNet-18 (He et al. 2016; kuangliu/pytorch-cifar layout): conv3×3(w)–BN–ReLU,
 *               stages of 2 basic blocks with w, 2w, 4w, 8w filters and strides 1, 2, 2, 2, global average
 *               pool, Dense(classes). `width` = 64 gives the usual 11.2 M parameters.
 * - `wrn28`, `resnet18_imagenet`: WideResNet-28-k and torchvision's ResNet-18 (resnet-layers.ts).
 * - `logistic`  multinomial logistic regression: Flatten, Dense(classes).
 * - `mlp`       Flatten, Dense(h, act) for each h in `hidden` (comma-separated), Dense(classes).
 *               Default 512,256,128 (Privacy Meter's MLP for Purchase-100 / Texas-100).
 * - `from_onnx` the layers read from an ONNX model's graph (onnx/arch-from-onnx.ts; `mia train
 *               --arch-from FILE`, `architecture: {from: FILE}`), as JSON in `layers`; the last Dense
 *               gets the data's class count.
 */
import { MiaError } from '../errors.js';
import type { Activation, Layer, LayerGraph } from './layer-graph.js';
import { parseLayers } from './layer-json.js';
import { imagenetResNet18Layers, wideResNetLayers } from './resnet-layers.js';

/** A hyper-parameter value as given in a config or on the command line. */
export type ArchParamValue = number | string;

/** An architecture by name, with hyper-parameters (unset ones take their defaults). */
export interface ArchSpec {
  name: string;
  params?: Record<string, ArchParamValue>;
}

interface ParamDecl {
  kind: 'int' | 'activation' | 'int-list' | 'number' | 'layers';
  default: ArchParamValue;
  min?: number;
  /** Exclusive upper bound of a 'number'. */
  below?: number;
  doc: string;
}

interface ArchEntry {
  summary: string;
  params: Record<string, ParamDecl>;
  /** For image-only architectures: the input must be [h, w, c]. */
  images: boolean;
  build(p: Record<string, ArchParamValue>, inputShape: readonly number[], numClasses: number): Layer[];
  /** What is wrong with a combination of (valid) parameters, or undefined. */
  check?(p: Record<string, ArchParamValue>): string | undefined;
}

const ACTIVATIONS: readonly Activation[] = ['relu', 'tanh', 'sigmoid', 'linear'];

const act = (doc = 'activation of hidden layers: relu, tanh, sigmoid, linear'): ParamDecl => ({
  kind: 'activation',
  default: 'relu',
  doc,
});

const conv = (filters: number, activation: Activation): Layer => ({
  type: 'conv2d',
  filters,
  kernel: 3,
  stride: 1,
  padding: 'valid',
  activation,
  bias: true,
  init: 'glorot_uniform',
});
const dense = (units: number, activation: Activation): Layer => ({
  type: 'dense',
  units,
  activation,
  init: 'glorot_uniform',
});
const pool: Layer = { type: 'maxpool', size: 2, stride: 2 };

function convNet(depth: number, filters: number, width: number, a: Activation, classes: number): Layer[] {
  const layers: Layer[] = [];
  for (let i = 0; i < depth; i++) layers.push(conv(filters, a), pool);
  layers.push({ type: 'flatten' }, dense(width, a), dense(classes, 'linear'));
  return layers;
}

const num = (v: ArchParamValue | undefined): number => Number(v);

const REGISTRY: Record<string, ArchEntry> = {
  dense: {
    summary: "seed 000's dense net: Flatten, depth × Dense(width), Dense(classes)",
    images: false,
    params: {
      depth: { kind: 'int', default: 4, min: 0, doc: 'number of hidden Dense(width) layers' },
      width: { kind: 'int', default: 64, min: 1, doc: 'units per hidden layer (neurons_per_layer)' },
      activation: act(),
    },
    build(p, _shape, classes) {
      const a = p.activation as Activation;
      const layers: Layer[] = [{ type: 'flatten' }];
      for (let i = 0; i < num(p.depth); i++) layers.push(dense(num(p.width), a));
      layers.push(dense(classes, 'linear'));
      return layers;
    },
  },
  conv: {
    summary: "seed 000's conv net: depth × [Conv2D(filters,3×3)+MaxPool], Dense(width), Dense(classes)",
    images: true,
    params: {
      depth: { kind: 'int', default: 3, min: 1, doc: 'number of Conv2D + MaxPool2D stages' },
      filters: { kind: 'int', default: 32, min: 1, doc: 'filters per Conv2D' },
      width: { kind: 'int', default: 64, min: 1, doc: 'units of the hidden Dense layer (neurons_per_layer)' },
      activation: act(),
    },
    build: (p, _s, classes) =>
      convNet(num(p.depth), num(p.filters), num(p.width), p.activation as Activation, classes),
  },
  small_cnn: {
    summary:
      'TF Privacy / Privacy Meter small CNN: num_conv × [Conv2D(32,3×3)+MaxPool], Dense(64), Dense(classes)',
    images: true,
    params: {
      num_conv: { kind: 'int', default: 3, min: 1, doc: 'number of Conv2D(32, 3×3) + MaxPool2D stages' },
      activation: act(),
    },
    build: (p, _s, classes) => convNet(num(p.num_conv), 32, 64, p.activation as Activation, classes),
  },
  resnet18: {
    summary: 'CIFAR ResNet-18: conv3×3, 4 stages × 2 basic blocks, global average pool, Dense(classes)',
    images: true,
    params: {
      width: { kind: 'int', default: 64, min: 1, doc: 'filters of the first stage (64 → 11.2 M params)' },
    },
    build(p, _s, classes) {
      const w = num(p.width);
      const layers: Layer[] = [
        {
          type: 'conv2d',
          filters: w,
          kernel: 3,
          stride: 1,
          padding: 'same',
          activation: 'linear',
          bias: false,
          init: 'he_normal_fan_out',
        },
        { type: 'batchnorm' },
        { type: 'activation', activation: 'relu' },
      ];
      [1, 2, 4, 8].forEach((m, stage) => {
        layers.push({ type: 'basic_block', filters: w * m, stride: stage === 0 ? 1 : 2 });
        layers.push({ type: 'basic_block', filters: w * m, stride: 1 });
      });
      layers.push({ type: 'global_avg_pool' }, dense(classes, 'linear'));
      return layers;
    },
  },
  wrn28: {
    summary: 'WideResNet-28-k: conv3×3(16), 3 stages of pre-activation wide blocks, BN–ReLU, GAP, Dense',
    images: true,
    params: {
      widen: { kind: 'int', default: 2, min: 1, doc: 'widening factor k (filters 16k, 32k, 64k)' },
      depth: { kind: 'int', default: 28, min: 10, doc: 'depth 6n + 4 (n wide blocks per stage)' },
      dropout: { kind: 'number', default: 0, min: 0, below: 1, doc: 'dropout rate inside each block' },
      groups: { kind: 'int', default: 0, min: 0, doc: 'GroupNorm groups instead of batch norm (0: BN)' },
    },
    check: (p) =>
      (num(p.depth) - 4) % 6 !== 0 ? `depth must be 6n + 4 (10, 16, 22, 28, …), got ${p.depth}` : undefined,
    build: (p, _s, classes) =>
      wideResNetLayers(num(p.depth), num(p.widen), num(p.dropout), num(p.groups), classes),
  },
  resnet18_imagenet: {
    summary: "torchvision's ResNet-18: conv7×7/2, max-pool 3×3/2, 4 stages × 2 basic blocks, GAP, Dense",
    images: true,
    params: {
      width: { kind: 'int', default: 64, min: 1, doc: 'filters of the first stage (torchvision: 64)' },
      groups: { kind: 'int', default: 0, min: 0, doc: 'GroupNorm groups instead of batch norm (0: BN)' },
    },
    build: (p, _s, classes) => imagenetResNet18Layers(num(p.width), num(p.groups), classes),
  },
  from_onnx: {
    summary: "an ONNX model's architecture (--arch-from FILE): its layers as JSON, fresh weights",
    images: false,
    params: {
      layers: { kind: 'layers', default: '[]', doc: 'the layer list (JSON) read from the ONNX file' },
    },
    check: (p) => {
      const layers = JSON.parse(String(p.layers)) as Layer[];
      return layers[layers.length - 1]?.type === 'dense'
        ? undefined
        : 'layers must end in a dense layer (mia train --arch-from FILE writes them)';
    },
    build(p, _s, classes) {
      const layers = JSON.parse(String(p.layers)) as Layer[];
      const last = layers[layers.length - 1]!;
      if (last.type === 'dense') layers[layers.length - 1] = { ...last, units: classes };
      return layers;
    },
  },
  logistic: {
    summary: 'multinomial logistic regression: Flatten, Dense(classes)',
    images: false,
    params: {},
    build: (_p, _s, classes) => [{ type: 'flatten' }, dense(classes, 'linear')],
  },
  mlp: {
    summary: 'multi-layer perceptron: Flatten, Dense(h) for h in hidden, Dense(classes)',
    images: false,
    params: {
      hidden: { kind: 'int-list', default: '512,256,128', doc: 'comma-separated hidden layer widths' },
      activation: act(),
    },
    build(p, _s, classes) {
      const layers: Layer[] = [{ type: 'flatten' }];
      for (const h of parseIntList(String(p.hidden))) layers.push(dense(h, p.activation as Activation));
      layers.push(dense(classes, 'linear'));
      return layers;
    },
  },
};

function parseIntList(s: string): number[] {
  if (s.trim() === '') return [];
  return s.split(',').map((t) => Number(t.trim()));
}

/**
 * `spec`'s hyper-parameters for a log line: `{"depth":4,"width":64}` as JSON, or for `from_onnx`
 * "(N layers from an ONNX file)" instead of the whole layer list.
 */
export function archParamsLabel(spec: ArchSpec): string {
  if (spec.name !== 'from_onnx') return JSON.stringify(spec.params ?? {});
  return `(${parseLayers(spec.params?.layers ?? '[]', 'architecture from_onnx').length} layers from an ONNX file)`;
}

/** The registered architecture names, sorted. */
export function architectureNames(): string[] {
  return Object.keys(REGISTRY).sort();
}

/** One line per architecture and its parameters with defaults, for `--help` texts. */
export function describeArchitectures(): string[] {
  return architectureNames().map((name) => {
    const e = REGISTRY[name]!;
    const ps = Object.entries(e.params).map(([k, d]) => `${k}=${d.default}`);
    return `${name}${ps.length > 0 ? ` (${ps.join(', ')})` : ''}: ${e.summary}`;
  });
}

/** The default value of every hyper-parameter of architecture `name` (E_UNKNOWN_NAME for an unknown one). */
export function architectureDefaults(name: string): Record<string, ArchParamValue> {
  return Object.fromEntries(Object.entries(entry(name).params).map(([k, d]) => [k, d.default]));
}

function entry(name: string): ArchEntry {
  const e = REGISTRY[name];
  if (e === undefined) {
    throw new MiaError('E_UNKNOWN_NAME', `unknown architecture '${name}'`, {
      where: 'architecture',
      expected: `one of ${architectureNames().join(', ')}`,
      found: name,
    });
  }
  return e;
}

/**
 * The spec with every hyper-parameter present (defaults filled in), values validated and converted
 * (numbers given as strings, e.g. from `--arch-param depth=4`, become numbers), keys sorted — the form
 * that is saved and hashed. Throws E_UNKNOWN_NAME for an unknown architecture and E_CONFIG for an unknown
 * parameter (listing the known ones) or a bad value.
 */
export function normalizeArchSpec(spec: ArchSpec): Required<ArchSpec> {
  const e = entry(spec.name);
  const given = spec.params ?? {};
  for (const k of Object.keys(given)) {
    if (!(k in e.params)) {
      const known = Object.keys(e.params);
      throw new MiaError('E_CONFIG', `unknown parameter '${k}' for architecture '${spec.name}'`, {
        where: `architecture ${spec.name}`,
        expected: known.length > 0 ? `one of ${known.join(', ')}` : 'no parameters',
        found: k,
      });
    }
  }
  const params: Record<string, ArchParamValue> = {};
  for (const k of Object.keys(e.params).sort()) {
    const d = e.params[k]!;
    const raw = given[k] ?? d.default;
    const where = `architecture ${spec.name}.${k}`;
    if (d.kind === 'int') {
      const v = typeof raw === 'number' ? raw : Number(String(raw).trim());
      if (!Number.isInteger(v) || v < (d.min ?? Number.NEGATIVE_INFINITY)) {
        throw new MiaError('E_CONFIG', `${k} must be an integer ≥ ${d.min ?? '-∞'}`, {
          where,
          found: String(raw),
        });
      }
      params[k] = v;
    } else if (d.kind === 'number') {
      const v = typeof raw === 'number' ? raw : Number(String(raw).trim());
      if (!Number.isFinite(v) || v < (d.min ?? Number.NEGATIVE_INFINITY) || v >= (d.below ?? Infinity)) {
        throw new MiaError('E_CONFIG', `${k} must be a number in [${d.min ?? '-∞'}, ${d.below ?? '∞'})`, {
          where,
          found: String(raw),
        });
      }
      params[k] = v;
    } else if (d.kind === 'activation') {
      const v = String(raw);
      if (!ACTIVATIONS.includes(v as Activation)) {
        throw new MiaError('E_CONFIG', `unknown activation '${v}'`, {
          where,
          expected: ACTIVATIONS.join(', '),
          found: v,
        });
      }
      params[k] = v;
    } else if (d.kind === 'layers') {
      params[k] = JSON.stringify(parseLayers(raw, where));
    } else {
      const list = parseIntList(String(raw));
      if (list.some((h) => !Number.isInteger(h) || h < 1)) {
        throw new MiaError('E_CONFIG', `${k} must be comma-separated positive integers`, {
          where,
          found: String(raw),
        });
      }
      params[k] = list.join(',');
    }
  }
  const bad = e.check?.(params);
  if (bad !== undefined) {
    throw new MiaError('E_CONFIG', bad, { where: `architecture ${spec.name}` });
  }
  return { name: spec.name, params };
}

/**
 * Builds the layer graph of `spec` for per-sample `inputShape` ([h, w, c] images or [d] rows) and
 * `numClasses` outputs. Throws E_UNKNOWN_NAME / E_CONFIG as {@link normalizeArchSpec}, and E_CONFIG when an
 * image architecture gets a non-image input.
 */
export function buildLayerGraph(
  spec: ArchSpec,
  inputShape: readonly number[],
  numClasses: number,
): LayerGraph {
  const norm = normalizeArchSpec(spec);
  const e = entry(spec.name);
  if (e.images && inputShape.length !== 3) {
    throw new MiaError('E_CONFIG', `architecture '${spec.name}' needs image inputs [h, w, c]`, {
      where: `architecture ${spec.name}`,
      found: `input shape [${inputShape.join(', ')}]`,
    });
  }
  if (!Number.isInteger(numClasses) || numClasses < 2) {
    throw new MiaError('E_CONFIG', 'numClasses must be an integer ≥ 2', {
      where: `architecture ${spec.name}`,
      found: String(numClasses),
    });
  }
  return { inputShape: [...inputShape], layers: e.build(norm.params, inputShape, numClasses) };
}

/**
 * Parses `k=v` strings (as `--arch-param` gives them) into a params record. Values stay strings;
 * {@link normalizeArchSpec} converts them. Throws E_USAGE for an item without '='.
 */
export function parseArchParams(items: readonly string[]): Record<string, ArchParamValue> {
  const out: Record<string, ArchParamValue> = {};
  for (const item of items) {
    const eq = item.indexOf('=');
    if (eq <= 0) {
      throw new MiaError('E_USAGE', `--arch-param takes key=value, got '${item}'`, { where: '--arch-param' });
    }
    out[item.slice(0, eq).trim()] = item.slice(eq + 1).trim();
  }
  return out;
}
