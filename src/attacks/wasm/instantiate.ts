/**
 * Instantiates the kernels embedded in kernels.generated.ts (WebAssembly binaries as base64, assembled
 * from the text sources by `npm run build:wasm`), synchronously: WebAssembly.Module / Instance.
 */

/** The part of the WebAssembly JS API used here (the project's `lib` setting does not declare it). */
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
}

/** A WebAssembly.Memory: its buffer (replaced when it grows) and grow(pages of 64 KiB). */
export interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}

/**
 * A function returning the exports of a new instance (with its own memory) of the module whose binary
 * `base64` holds (no imports). The module is decoded and compiled at the first call, once.
 */
export function wasmInstantiator(base64: string): () => Record<string, unknown> {
  const wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;
  let module: object | undefined;
  return () => {
    module ??= new wasm.Module(Buffer.from(base64, 'base64'));
    return new wasm.Instance(module, {}).exports;
  };
}
