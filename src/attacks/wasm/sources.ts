/**
 * The WebAssembly text of every kernel, with the name of its constant in kernels.generated.ts (`<name>`
 * holds the assembled module as base64). `npm run build:wasm` (scripts/build-wasm.mjs) assembles each
 * text with wabt; test/attacks/wasm-kernels.test.ts checks that the embedded bytes are still what the
 * text assembles to. Not imported at run time.
 */
import { LIRA_KERNELS } from './lira-kernels.wat.js';
import { RMIA_KERNELS } from './rmia-kernels.wat.js';

export interface WasmSource {
  /** The constant's name in kernels.generated.ts. */
  name: string;
  /** The module defining `text`, relative to the repository root (named in the generated header). */
  file: string;
  text: string;
}

export const WASM_SOURCES: readonly WasmSource[] = [
  { name: 'RMIA_KERNELS_WASM', file: 'src/attacks/wasm/rmia-kernels.wat.ts', text: RMIA_KERNELS },
  { name: 'LIRA_KERNELS_WASM', file: 'src/attacks/wasm/lira-kernels.wat.ts', text: LIRA_KERNELS },
];

/** The wabt features the kernels need (as `wat2wasm --enable-simd`; saturating truncation is a default). */
export const WABT_FEATURES = { simd: true, sat_float_to_int: true } as const;

/** The part of the API of the `wabt` package (the resolved `await wabt()`) used by {@link assemble}. */
export interface Wabt {
  parseWat(
    filename: string,
    text: string,
    features: object,
  ): {
    resolveNames(): void;
    validate(): void;
    toBinary(options: object): { buffer: Uint8Array };
    destroy(): void;
  };
}

/**
 * The WebAssembly binary of `source.text` as wabt's wat2wasm writes it (no name section, canonical
 * LEB128). Throws wabt's error for a malformed or invalid module.
 */
export function assemble(wabt: Wabt, source: WasmSource): Uint8Array {
  const module = wabt.parseWat(source.file, source.text, WABT_FEATURES);
  try {
    module.resolveNames();
    module.validate();
    return module.toBinary({ write_debug_names: false, canonicalize_lebs: true }).buffer.slice();
  } finally {
    module.destroy();
  }
}
