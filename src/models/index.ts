/**
 * `mia-audit/models`: training engines (onnxruntime, TensorFlow.js, auto), architectures, the training
 * loop, the content-hashed model cache and store, and loading a model to predict with (mia, ONNX, tfjs
 * layers). Re-exports only; code inside src/ imports the concrete files, never this index.
 */
export { type Logger, memoryLogger, silentLogger } from '../core/logger.js';
export {
  type ArchParamValue,
  type ArchSpec,
  architectureNames,
  describeArchitectures,
  parseArchParams,
} from './architectures.js';
export {
  type TrainOrLoadOptions,
  type TrainOrLoadResult,
  type TrainRequest,
  trainOrLoad,
} from './cache.js';
export { type DpRecord, dpOfModel } from './dp/dp-record.js';
export { type DpConfig, type DpSampling, resolveDp } from './dp/dp-sgd.js';
export type { Engine, EngineModel, ModelSpec } from './engine.js';
export { createEngine, type EngineOptions } from './engines/create-engine.js';
export { ENGINE_NAMES } from './engines/names.js';
export { loadOnnxModel, type OnnxLayout, type OnnxOptions } from './engines/ort/onnx-model.js';
export { loadTfjsLayersModel, type TfjsLayersOptions } from './engines/tfjs/layers-model.js';
export {
  detectModelKind,
  type LoadedPredictor,
  type LoadPredictorOptions,
  loadPredictor,
  type ModelKind,
} from './load.js';
export { OPTIMIZER_NAMES, type OptimizerSpec } from './optimizers.js';
export type { OutputKind, PredictOptions, Predictor } from './predictor.js';
export { isModelDir, loadModel, type ModelRecord, saveModel } from './store.js';
export {
  type EpochEndContext,
  type EpochEndHook,
  type EpochRecord,
  type Samples,
  type TrainOptions,
  type TrainResult,
  trainEpoch,
  trainModel,
} from './train.js';
