/**
 * Loads the threaded-SIMD build of tfjs-backend-wasm under Node and registers it as the 'wasm' backend.
 *
 * The stock loader disables threads in Node (tfjs issue 3830) because it hands Emscripten Blob URLs for
 * the pthread worker and the main script, which Node's worker_threads cannot load. Here the worker is a
 * real file (wasm-pthread-worker.cjs) and the main script is the package's own
 * tfjs-backend-wasm-threaded-simd.js, so XNNPACK's thread pool runs on worker_threads sharing the
 * module's memory. Everything else (kernels, BackendWasm) is the stock package.
 */

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runInThisContext } from 'node:vm';
import { BackendWasm, setThreadsCount } from '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';

const require = createRequire(import.meta.url);

interface EmscriptenModule {
  cwrap(name: string, ret: string | null, args: string[]): (...a: number[]) => number;
  tfjs?: unknown;
  PThread?: { runningWorkers: { unref?: () => void }[] };
}

type Factory = (config: Record<string, unknown>) => Promise<EmscriptenModule>;

/** True when this Node can run the threaded build (SharedArrayBuffer, wasm threads and SIMD). */
export function threadsSupported(): boolean {
  if (typeof SharedArrayBuffer === 'undefined') return false;
  const wasm = (globalThis as { WebAssembly?: { validate(b: Uint8Array): boolean } }).WebAssembly;
  if (wasm === undefined) return false;
  try {
    // A module with a shared memory and an atomic op (wasm-feature-detect's threads probe).
    const threads = wasm.validate(
      new Uint8Array([
        0, 97, 115, 109, 1, 0, 0, 0, 1, 4, 1, 96, 0, 0, 3, 2, 1, 0, 5, 4, 1, 3, 1, 1, 10, 11, 1, 9, 0, 65, 0,
        254, 16, 2, 0, 26, 11,
      ]),
    );
    const simd = wasm.validate(
      new Uint8Array([
        0, 97, 115, 109, 1, 0, 0, 0, 1, 4, 1, 96, 0, 0, 3, 2, 1, 0, 10, 9, 1, 7, 0, 65, 0, 253, 15, 26, 11,
      ]),
    );
    return threads && simd;
  } catch {
    return false;
  }
}

/**
 * Instantiates the threaded-SIMD module with `threads` XNNPACK threads and registers it under the
 * backend name 'wasm' (replacing the stock single-threaded registration; the stock kernels, registered
 * by kernel name for 'wasm', are reused). Returns the module once its workers are loaded. Does not
 * call setBackend.
 */
export async function registerThreadedWasm(threads: number): Promise<void> {
  const jsPath = require.resolve('@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd.js');
  const wasmPath = jsPath.replace(/\.js$/, '.wasm');
  const workerPath = fileURLToPath(new URL('./wasm-pthread-worker.cjs', import.meta.url));
  const n = Math.max(1, Math.min(Math.floor(threads), 8));
  const factory = loadPatchedFactory(jsPath, n);
  const module = await factory({
    locateFile: (path: string) =>
      path.endsWith('.worker.js') ? workerPath : path.endsWith('.wasm') ? wasmPath : path,
    mainScriptUrlOrBlob: jsPath,
  });
  module.tfjs = {
    init: module.cwrap('init', null, []),
    initWithThreadsCount: module.cwrap('init_with_threads_count', null, ['number']),
    getThreadsCount: module.cwrap('get_threads_count', 'number', []),
    registerTensor: module.cwrap('register_tensor', null, ['number', 'number', 'number']),
    disposeData: module.cwrap('dispose_data', null, ['number']),
    dispose: module.cwrap('dispose', null, []),
  };
  setThreadsCount(n);
  tf.removeBackend('wasm');
  tf.registerBackend(
    'wasm',
    () => {
      // biome-ignore lint/suspicious/noExplicitAny: BackendWasm's constructor takes the Emscripten module type.
      const backend = new BackendWasm(module as any);
      // The constructor started XNNPACK's pool threads. Emscripten ref()s a worker while it runs a
      // thread, and pool threads never finish, so unref them or Node would never exit.
      for (const w of module.PThread?.runningWorkers ?? []) w.unref?.();
      return backend;
    },
    2,
  );
}

/**
 * Evaluates the threaded factory with two constants changed: the backend caps XNNPACK's pool at
 * (logical cores / 2), which is 1 on a 2-core machine, so the core count reported to the module is
 * 2 × threads; and Emscripten preloads 8 pthread workers, of which we need `threads`.
 */
function loadPatchedFactory(jsPath: string, threads: number): Factory {
  let src = readFileSync(jsPath, 'utf8');
  const patches: [string, string][] = [
    ['pthreadPoolSize=8', `pthreadPoolSize=${threads}`],
    ['return require("os").cpus().length', `return ${2 * threads}`],
  ];
  for (const [from, to] of patches) {
    if (!src.includes(from)) throw new Error(`tfjs-backend-wasm threaded build changed: '${from}' not found`);
    src = src.replace(from, to);
  }
  const wrapper = runInThisContext(
    `(function (exports, require, module, __filename, __dirname) {${src}\n})`,
    { filename: jsPath },
  ) as (e: unknown, r: NodeJS.Require, m: { exports: unknown }, f: string, d: string) => void;
  const mod = { exports: {} as unknown };
  wrapper(mod.exports, require, mod, jsPath, dirname(jsPath));
  return mod.exports as Factory;
}
