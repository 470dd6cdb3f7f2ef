/**
 * The names a config, a flag or a library caller may give for a training engine and for the compute
 * backend of the TensorFlow.js engine, declared once. No runtime is imported here, so the config reader
 * and the CLI can check names without loading TensorFlow.js or onnxruntime.
 */

/**
 * - 'tfjs': TensorFlow.js (engines/tfjs/) on the backend chosen by `backend`;
 * - 'ort': whole training steps in onnxruntime-node (engines/ort/), for the architectures it can build
 *   (conv/dense nets; not resnet18);
 * - 'auto': 'ort' where it can build the architecture and onnxruntime-node loads, else 'tfjs'
 *   (engines/auto/).
 * All three use the same seeded initial weights and weight names/layouts, so saved models load into any.
 */
export const ENGINE_NAMES = ['auto', 'tfjs', 'ort'] as const;
export type EngineName = (typeof ENGINE_NAMES)[number];

/**
 * Compute backends of the tfjs engine (engines/tfjs/init-backend.ts): 'auto' picks the fastest one
 * available (tfjs-node, else wasm, else cpu); 'node' is `@tensorflow/tfjs-node`, 'wasm' the WebAssembly
 * backend, 'cpu' pure JavaScript.
 */
export const BACKEND_NAMES = ['auto', 'node', 'wasm', 'cpu'] as const;
/** Which backend the caller asks for. 'auto' picks the fastest one available. */
export type BackendPreference = (typeof BACKEND_NAMES)[number];
