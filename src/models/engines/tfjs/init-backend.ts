/**
 * Compute-backend selection for the TensorFlow.js engine.
 *
 * Order for 'auto': `@tensorflow/tfjs-node` when the user has installed it (never a dependency of
 * mia-audit), else the WASM backend (SIMD; threads and our training kernels when available), else the
 * pure-JS cpu backend. The engine imports `@tensorflow/tfjs-core` itself and calls `initBackend` once
 * before building models; every later call is cheap.
 */
import { availableParallelism } from 'node:os';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { MiaError } from '../../../errors.js';
import { BACKEND_NAMES, type BackendPreference } from '../names.js';
import { registerWasmKernels } from './kernels/index.js';
import { registerThreadedWasm, threadsSupported } from './wasm-threads.js';

/** The backend chosen: tfjs backend name ('tensorflow', 'wasm', 'cpu') and a one-line description. */
export interface BackendInfo {
  name: string;
  description: string;
}

/** How the WASM backend is set up. Defaults: `defaultWasmThreads()` threads and our training kernels. */
export interface WasmOptions {
  /** XNNPACK threads (1–8); 1 loads the single-threaded SIMD build (the stock loader). */
  threads?: number;
  /** Register our training kernels (kernels/index.ts) over the stock ones. */
  customKernels?: boolean;
}

/**
 * WASM threads used when not asked for: 1 on machines with 2 cores or fewer, else min(4, cores).
 * Measured on the 2-core machine (bench/train-speed.ts, three runs): a second XNNPACK thread lost wall
 * time in 5 of 6 training runs and cost 35–65 % more CPU per sample (pool threads spin between ops and
 * fight the main thread for the second core); with more cores, conv layers scale.
 */
export function defaultWasmThreads(): number {
  const cores = availableParallelism();
  return cores <= 2 ? 1 : Math.min(4, cores);
}

let current: { key: string; info: Promise<BackendInfo> } | undefined;
/** The WASM set-up in force once the backend initialised (it cannot change within a process). */
let wasmSetup: { threads: number; customKernels: boolean; threaded: boolean } | undefined;

/**
 * Initialises the TensorFlow.js backend and makes it the active one.
 *
 * Returns `{ name, description }`: `name` is the tfjs backend name now active (`'tensorflow'` for
 * tfjs-node, `'wasm'`, `'cpu'`); `description` is one line for the CLI to print (threads, SIMD, custom
 * kernels). Idempotent: calling again with the same preference returns the same info without
 * re-initialising; a different preference switches backends. 'node' fails with E_BACKEND when
 * `@tensorflow/tfjs-node` is not installed; 'wasm' fails with E_BACKEND when WebAssembly cannot start;
 * 'auto' never fails (cpu is always there).
 */
export async function initBackend(
  preference: BackendPreference = 'auto',
  wasm: WasmOptions = {},
): Promise<BackendInfo> {
  if (!(BACKEND_NAMES as readonly string[]).includes(preference)) {
    throw new MiaError('E_UNKNOWN_NAME', `unknown backend '${String(preference)}'`, {
      where: 'backend',
      expected: BACKEND_NAMES.join(', '),
      found: String(preference),
    });
  }
  const key = `${preference}|${wasm.threads ?? ''}|${wasm.customKernels ?? ''}`;
  if (current !== undefined && current.key === key) {
    const info = await current.info;
    if (tf.getBackend() !== info.name) await tf.setBackend(info.name);
    return info;
  }
  const info = choose(preference, wasm);
  current = { key, info };
  try {
    return await info;
  } catch (e) {
    if (current?.info === info) current = undefined;
    throw e;
  }
}

async function choose(preference: BackendPreference, wasm: WasmOptions): Promise<BackendInfo> {
  if (preference === 'node') return initNode();
  if (preference === 'wasm') return initWasm(wasm);
  if (preference === 'cpu') return initCpu();
  try {
    return await initNode();
  } catch {
    // not installed: fall through
  }
  try {
    return await initWasm(wasm);
  } catch {
    // no WebAssembly: fall through
  }
  return initCpu();
}

async function initNode(): Promise<BackendInfo> {
  const specifier: string = '@tensorflow/tfjs-node';
  try {
    await import(specifier);
  } catch (e) {
    throw new MiaError('E_BACKEND', '@tensorflow/tfjs-node is not installed or failed to load', {
      where: 'backend node',
      expected: 'npm install @tensorflow/tfjs-node',
      found: (e instanceof Error ? e.message : String(e)).split('\n')[0] ?? '',
    });
  }
  if (!(await tf.setBackend('tensorflow'))) {
    throw new MiaError('E_BACKEND', 'tfjs-node backend failed to initialise', { where: 'backend node' });
  }
  return { name: 'tensorflow', description: 'tfjs-node (native TensorFlow C library)' };
}

async function initWasm(options: WasmOptions): Promise<BackendInfo> {
  if (wasmSetup === undefined) {
    const wanted = Math.max(1, Math.min(8, Math.floor(options.threads ?? defaultWasmThreads())));
    const customKernels = options.customKernels ?? true;
    await import('@tensorflow/tfjs-backend-wasm');
    const threaded = wanted > 1 && threadsSupported();
    await withoutNewProcessListeners(async () => {
      if (customKernels) registerWasmKernels();
      if (threaded) await registerThreadedWasm(wanted);
      let ok = false;
      try {
        ok = await tf.setBackend('wasm');
      } catch {
        ok = false;
      }
      if (!ok) {
        throw new MiaError('E_BACKEND', 'the WebAssembly backend failed to initialise', {
          where: 'backend wasm',
        });
      }
    });
    wasmSetup = { threads: threaded ? wanted : 1, customKernels, threaded };
  } else if (!(await tf.setBackend('wasm'))) {
    throw new MiaError('E_BACKEND', 'the WebAssembly backend failed to initialise', {
      where: 'backend wasm',
    });
  }
  const simd = (await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT')) === true;
  const { getThreadsCount } = await import('@tensorflow/tfjs-backend-wasm');
  const threads = getThreadsCount();
  const parts = [
    wasmSetup.threaded ? 'threaded SIMD build' : simd ? 'SIMD' : 'no SIMD',
    `${threads} thread${threads === 1 ? '' : 's'}`,
    wasmSetup.customKernels ? 'mia-audit training kernels' : 'stock kernels',
  ];
  return { name: 'wasm', description: `tfjs wasm (${parts.join(', ')})` };
}

/**
 * Runs `f` and removes the process-wide 'uncaughtException' / 'unhandledRejection' listeners that
 * Emscripten adds while a WASM module starts: they rethrow from inside the module, which makes Node
 * print the module's whole minified source with any unrelated error.
 */
async function withoutNewProcessListeners(f: () => Promise<void>): Promise<void> {
  type Listener = (...args: unknown[]) => void;
  const events = ['uncaughtException', 'unhandledRejection'];
  const listeners = (e: string): Listener[] => process.listeners(e as 'uncaughtException') as Listener[];
  const before = events.map((e) => new Set(listeners(e)));
  try {
    await f();
  } finally {
    events.forEach((e, i) => {
      for (const l of listeners(e)) if (!before[i]!.has(l)) process.removeListener(e, l);
    });
  }
}

async function initCpu(): Promise<BackendInfo> {
  if (!(await tf.setBackend('cpu'))) {
    throw new MiaError('E_BACKEND', 'the cpu backend failed to initialise', { where: 'backend cpu' });
  }
  return { name: 'cpu', description: 'tfjs cpu (pure JavaScript, 1 thread)' };
}
