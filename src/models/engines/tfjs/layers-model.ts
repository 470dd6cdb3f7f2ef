/**
 * TensorFlow.js layers models (Keras models converted by `tensorflowjs_converter --output_format
 * tfjs_layers_model`, or saved by tfjs `model.save`): a model.json with `modelTopology` and a
 * `weightsManifest`, plus the binary weight shards it lists. Loaded for inference through a small file
 * IOHandler, so tfjs-node (whose file:// handler this replaces) is not needed. Keras models are
 * channels-last: inputs are NHWC rows as our datasets hold them.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type * as tfc from '@tensorflow/tfjs-core';
import { MiaError } from '../../../errors.js';
import { readFileOrThrow } from '../../../io/atomic.js';
import { readJsonFile } from '../../../io/json.js';
import { shapeSize } from '../../layer-graph.js';
import type { OutputKind, PredictOptions, Predictor } from '../../predictor.js';
import type { BackendPreference } from '../names.js';

interface WeightsGroup {
  paths: string[];
  weights: tfc.io.WeightsManifestEntry[];
}

/** True when the JSON file at `path` looks like a tfjs layers model (has modelTopology and weightsManifest). */
export function isTfjsLayersModelJson(json: unknown): boolean {
  return (
    json !== null &&
    typeof json === 'object' &&
    'modelTopology' in json &&
    'weightsManifest' in json &&
    Array.isArray((json as { weightsManifest: unknown }).weightsManifest)
  );
}

/**
 * A tfjs IOHandler that reads `modelJsonPath` and its weight shards (paths relative to the model.json's
 * folder, concatenated in manifest order, as tfjs's http and file handlers do). Throws E_MODEL for a
 * model.json that is not a layers model, E_IO for a missing shard.
 */
export function fileIOHandler(modelJsonPath: string): tfc.io.IOHandler {
  return {
    async load(): Promise<tfc.io.ModelArtifacts> {
      const json = readJsonFile(modelJsonPath) as Record<string, unknown>;
      if (!isTfjsLayersModelJson(json)) {
        throw new MiaError(
          'E_MODEL',
          'not a TensorFlow.js layers model (needs modelTopology and weightsManifest)',
          {
            where: modelJsonPath,
          },
        );
      }
      const groups = json.weightsManifest as WeightsGroup[];
      const specs: tfc.io.WeightsManifestEntry[] = [];
      const chunks: Uint8Array[] = [];
      let total = 0;
      for (const g of groups) {
        specs.push(...g.weights);
        for (const p of g.paths) {
          const file = join(dirname(modelJsonPath), p);
          const bytes = readFileOrThrow(file);
          chunks.push(bytes);
          total += bytes.length;
        }
      }
      const data = new Uint8Array(total);
      let off = 0;
      for (const c of chunks) {
        data.set(c, off);
        off += c.length;
      }
      const artifacts: tfc.io.ModelArtifacts = {
        modelTopology: json.modelTopology as object,
        weightSpecs: specs,
        weightData: data.buffer,
      };
      if (typeof json.format === 'string') artifacts.format = json.format;
      if (typeof json.generatedBy === 'string') artifacts.generatedBy = json.generatedBy;
      if (typeof json.convertedBy === 'string') artifacts.convertedBy = json.convertedBy;
      return artifacts;
    },
  };
}

export interface TfjsLayersOptions {
  /** Backend to run on (default 'auto'). */
  backend?: BackendPreference;
  /**
   * What the model outputs. 'auto' (default): 'probs' when the last layer's activation is softmax (or the
   * last layer is a Softmax / Activation('softmax') layer), else 'logits'.
   */
  output?: 'auto' | OutputKind;
  /** Samples per forward pass (default 256). */
  batchSize?: number;
}

/**
 * Loads the tfjs layers model at `path` (its model.json, or a folder holding one). Throws E_MODEL when it
 * is not a layers model, or has several inputs or outputs, and tfjs-layers' own errors (as E_MODEL) for
 * topologies it cannot build.
 */
export async function loadTfjsLayersModel(path: string, options: TfjsLayersOptions = {}): Promise<Predictor> {
  const jsonPath = path.endsWith('.json') ? path : join(path, 'model.json');
  if (!existsSync(jsonPath)) throw new MiaError('E_MODEL', 'model.json not found', { where: path });
  const { initBackend } = await import('./init-backend.js');
  await initBackend(options.backend ?? 'auto');
  const tf = await import('@tensorflow/tfjs-core');
  const tfl = await import('@tensorflow/tfjs-layers');
  let model: import('@tensorflow/tfjs-layers').LayersModel;
  try {
    model = await tfl.loadLayersModel(fileIOHandler(jsonPath));
  } catch (e) {
    if (e instanceof MiaError) throw e;
    throw new MiaError(
      'E_MODEL',
      `cannot build the layers model: ${(e instanceof Error ? e.message : String(e)).split('\n')[0]}`,
      {
        where: jsonPath,
      },
    );
  }
  if (model.inputs.length !== 1 || model.outputs.length !== 1) {
    model.dispose();
    throw new MiaError('E_MODEL', 'only models with one input and one output are supported', {
      where: jsonPath,
      found: `${model.inputs.length} inputs, ${model.outputs.length} outputs`,
    });
  }
  const inShape = model.inputs[0]!.shape.slice(1).map((d) => d ?? -1);
  const outShape = model.outputs[0]!.shape;
  const numClasses = outShape[outShape.length - 1] ?? 0;
  const last = model.layers[model.layers.length - 1];
  const cfg = (last?.getConfig() ?? {}) as { activation?: unknown };
  const softmax = cfg.activation === 'softmax' || last?.getClassName() === 'Softmax';
  const outputKind: OutputKind =
    options.output === undefined || options.output === 'auto'
      ? softmax
        ? 'probs'
        : 'logits'
      : options.output;
  const size = shapeSize(inShape);
  return {
    description: `${jsonPath} (tfjs layers model, ${tf.getBackend()})`,
    inputShape: inShape,
    numClasses,
    outputKind,
    async predict(x: Float32Array, n: number, popts: PredictOptions = {}): Promise<Float32Array> {
      if (inShape.some((d) => d < 0)) {
        throw new MiaError('E_MODEL', 'the model input shape is not fully defined', {
          where: jsonPath,
          found: `[${inShape.join(', ')}]`,
        });
      }
      if (x.length < n * size) {
        throw new MiaError('E_SHAPE_MISMATCH', `x holds ${x.length} values, fewer than n × ${size}`, {
          where: jsonPath,
        });
      }
      const bs = Math.max(1, popts.batchSize ?? options.batchSize ?? 256);
      const out = new Float32Array(n * numClasses);
      for (let s = 0; s < n; s += bs) {
        const m = Math.min(bs, n - s);
        const y = tf.tidy(() => {
          const xb = tf.tensor(x.subarray(s * size, (s + m) * size), [m, ...inShape], 'float32');
          return model.predict(xb) as tfc.Tensor;
        });
        out.set(y.dataSync() as Float32Array, s * numClasses);
        y.dispose();
      }
      return out;
    },
    dispose() {
      model.dispose();
    },
  };
}
