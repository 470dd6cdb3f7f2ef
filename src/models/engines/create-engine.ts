/**
 * Engines by name: `createEngine('tfjs' | 'ort' | 'auto')`. Each engine is imported only when it is
 * created, so commands that never train load neither TensorFlow.js nor onnxruntime. A new engine is a
 * folder beside tfjs/ and ort/, its name in names.ts ENGINE_NAMES and one entry in ENGINES below.
 */
import { MiaError } from '../../errors.js';
import type { Engine } from '../engine.js';
import { type BackendPreference, ENGINE_NAMES, type EngineName } from './names.js';

export interface EngineOptions {
  /** Compute backend of the tfjs engine; 'auto' (default) takes tfjs-node, else wasm, else cpu. */
  backend?: BackendPreference;
  /** onnxruntime intra-op threads for the 'ort' and 'auto' engines (default: all cores). */
  threads?: number;
}

/** How each engine is created (names.ts describes them). */
const ENGINES: Record<EngineName, (options: EngineOptions) => Promise<Engine>> = {
  tfjs: async (options) => {
    const { createTfjsEngine } = await import('./tfjs/engine.js');
    return createTfjsEngine(options.backend ?? 'auto');
  },
  ort: async (options) => {
    const { createOrtEngine } = await import('./ort/engine.js');
    return createOrtEngine(options.threads !== undefined ? { threads: options.threads } : {});
  },
  auto: async (options) => {
    const { createAutoEngine } = await import('./auto/engine.js');
    const threads = options.threads !== undefined ? { threads: options.threads } : {};
    return createAutoEngine({ backend: options.backend ?? 'auto', ...threads });
  },
};

/**
 * The engine called `name` (default 'tfjs') with its backend initialised. Throws E_UNKNOWN_NAME listing
 * the engines, and E_BACKEND when the requested backend cannot start.
 */
export async function createEngine(name: string = 'tfjs', options: EngineOptions = {}): Promise<Engine> {
  if (!(ENGINE_NAMES as readonly string[]).includes(name)) {
    throw new MiaError('E_UNKNOWN_NAME', `unknown engine '${name}'`, {
      where: 'engine',
      expected: ENGINE_NAMES.join(', '),
      found: name,
    });
  }
  return ENGINES[name as EngineName](options);
}
