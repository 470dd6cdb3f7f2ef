// Entry point of one pthread worker of the threaded-SIMD tfjs WASM build under Node (worker_threads).
// The stock backend hands Emscripten a Blob URL for this script, which Node's Worker cannot load; we
// pass this file instead. It evaluates the worker source that tfjs-backend-wasm ships as a string
// (escaping newlines exactly as the stock loader does before making its Blob), so require, __filename
// and worker_threads are in scope as the Emscripten worker code expects.
'use strict';
const {
  wasmWorkerContents,
} = require('@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd.worker.js');
// biome-ignore lint/security/noGlobalEval: the worker source needs this module's require and __filename.
eval(wasmWorkerContents.replace(/\n/g, '\\n'));
