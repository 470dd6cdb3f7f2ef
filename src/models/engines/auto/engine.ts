/**
 * The fastest engine per architecture: models the onnxruntime engine can build (every architecture
 * with linear / relu activations: `dense`, `conv`, `small_cnn`, `logistic`, `mlp`, `resnet18`,
 * `wrn28`, `resnet18_imagenet`) train in onnxruntime-node (engines/ort/); the others (tanh / sigmoid
 * activations) and every model when onnxruntime-node cannot load run in the TensorFlow.js engine on the backend chosen by
 * `initBackend`. Both engines use the same seeded initial weights and the same weight names and
 * layouts, so a model saved by one loads into the other.
 */
import type { Engine, EngineModel, ModelSpec } from '../../engine.js';
import type { BackendPreference } from '../names.js';
import type { WasmOptions } from '../tfjs/init-backend.js';

export interface AutoEngineOptions {
  /** Backend of the tfjs engine (for the architectures onnxruntime cannot build). Default 'auto'. */
  backend?: BackendPreference;
  /** WASM set-up when tfjs runs on wasm. */
  wasm?: WasmOptions;
  /** onnxruntime intra-op threads (default: all cores). */
  threads?: number;
  /** Use onnxruntime where it can build the model (default true). */
  ort?: boolean;
}

/**
 * An engine named 'auto' whose `build` returns an onnxruntime model (engine 'ort') when the
 * architecture is supported and onnxruntime-node loads, else a tfjs model (engine 'tfjs'). The tfjs
 * engine is created lazily, on the first model that needs it. `backend.description` names both.
 */
export async function createAutoEngine(options: AutoEngineOptions = {}): Promise<Engine> {
  const { createOrtEngine, ortUnsupported } = await import('../ort/engine.js');
  let ort: Engine | undefined;
  if (options.ort !== false) {
    try {
      ort = await createOrtEngine(options.threads !== undefined ? { threads: options.threads } : {});
    } catch {
      ort = undefined;
    }
  }
  let tfjs: Promise<Engine> | undefined;
  const tfjsEngine = async (): Promise<Engine> => {
    const { createTfjsEngine } = await import('../tfjs/engine.js');
    const { initBackend } = await import('../tfjs/init-backend.js');
    tfjs ??= initBackend(options.backend ?? 'auto', options.wasm ?? {}).then(() =>
      createTfjsEngine(options.backend ?? 'auto'),
    );
    return tfjs;
  };
  const description =
    ort !== undefined
      ? `${ort.backend.description} for relu nets; tfjs for the rest`
      : 'tfjs (onnxruntime-node unavailable)';
  return {
    name: 'auto',
    backend: { name: ort !== undefined ? 'onnxruntime-cpu+tfjs' : 'tfjs', description },
    async build(spec: ModelSpec): Promise<EngineModel> {
      if (ort !== undefined && ortUnsupported(spec) === undefined) return ort.build(spec);
      return (await tfjsEngine()).build(spec);
    },
  };
}
