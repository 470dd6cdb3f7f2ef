/**
 * One entry point for "a model to query": a directory saved by mia-audit (store.ts), an .onnx file
 * (engines/ort/onnx-model.ts), or a TensorFlow.js layers model (engines/tfjs/layers-model.ts: its
 * model.json or its folder).
 */
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { MiaError } from '../errors.js';
import { readJsonFile } from '../io/json.js';
import { createEngine } from './engines/create-engine.js';
import type { BackendPreference } from './engines/names.js';
import { loadOnnxModel, type OnnxLayout } from './engines/ort/onnx-model.js';
import { isTfjsLayersModelJson, loadTfjsLayersModel } from './engines/tfjs/layers-model.js';
import type { OutputKind, Predictor } from './predictor.js';
import { loadModel, MODEL_FORMAT, type ModelRecord } from './store.js';

export type ModelKind = 'mia' | 'onnx' | 'tfjs-layers';

export interface LoadPredictorOptions {
  /** Engine for mia-audit models: 'auto' (default), 'tfjs', 'ort' (engines/names.ts). */
  engine?: string;
  /** Per-sample shape of the data to be fed ([h, w, c] or [d]); needed for ONNX layout detection. */
  inputShape?: readonly number[];
  backend?: BackendPreference;
  /** ONNX only: force the input layout. */
  layout?: OnnxLayout;
  /** ONNX / tfjs layers: what the output holds ('auto' by default). */
  output?: 'auto' | OutputKind;
}

export interface LoadedPredictor {
  predictor: Predictor;
  kind: ModelKind;
  /** The saved record for mia-audit models (dataset, indices count, history, …). */
  record?: ModelRecord;
  /** mia-audit models: the training rows they were trained on, when saved. */
  indices?: Int32Array;
}

/**
 * What `path` holds: 'onnx' for a *.onnx file, 'mia' for a directory (or its model.json) written by
 * mia-audit, 'tfjs-layers' for a tfjs layers model.json (or its folder). Throws E_MODEL otherwise, E_IO
 * when the path does not exist.
 */
export function detectModelKind(path: string): ModelKind {
  if (!existsSync(path)) throw new MiaError('E_IO', 'no such file or directory', { where: path });
  if (path.toLowerCase().endsWith('.onnx')) return 'onnx';
  const json = statSync(path).isDirectory() ? join(path, 'model.json') : path;
  if (!json.endsWith('.json') || !existsSync(json)) {
    throw new MiaError(
      'E_MODEL',
      'not a model: expected a mia-audit model directory, an .onnx file or a tfjs model.json',
      {
        where: path,
      },
    );
  }
  const parsed = readJsonFile(json) as { format?: unknown } | null;
  if (parsed !== null && typeof parsed === 'object' && parsed.format === MODEL_FORMAT) return 'mia';
  if (isTfjsLayersModelJson(parsed)) return 'tfjs-layers';
  throw new MiaError('E_MODEL', 'model.json is neither a mia-audit model nor a tfjs layers model', {
    where: json,
  });
}

/** Loads the model at `path` (see detectModelKind) for inference. */
export async function loadPredictor(
  path: string,
  options: LoadPredictorOptions = {},
): Promise<LoadedPredictor> {
  const kind = detectModelKind(path);
  if (kind === 'onnx') {
    if (options.inputShape === undefined) {
      throw new MiaError('E_ARGUMENT', 'the data shape is needed to run an ONNX model', { where: path });
    }
    const predictor = await loadOnnxModel(path, {
      inputShape: options.inputShape,
      ...(options.layout !== undefined ? { layout: options.layout } : {}),
      ...(options.output !== undefined ? { output: options.output } : {}),
    });
    return { predictor, kind };
  }
  if (kind === 'tfjs-layers') {
    const predictor = await loadTfjsLayersModel(path, {
      ...(options.backend !== undefined ? { backend: options.backend } : {}),
      ...(options.output !== undefined ? { output: options.output } : {}),
    });
    return { predictor, kind };
  }
  const dir = path.endsWith('model.json') ? join(path, '..') : path;
  const engine = await createEngine(options.engine ?? 'auto', { backend: options.backend ?? 'auto' });
  const { model, record, indices } = await loadModel(dir, engine);
  return { predictor: model, kind, record, ...(indices !== undefined ? { indices } : {}) };
}
