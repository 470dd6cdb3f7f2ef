import assert from 'node:assert/strict';
import { test } from 'node:test';
import wabt from 'wabt';
import { wasmInstantiator } from '../../src/attacks/wasm/instantiate.js';
import * as generated from '../../src/attacks/wasm/kernels.generated.js';
import { assemble, WASM_SOURCES } from '../../src/attacks/wasm/sources.js';

test('the embedded kernels are exactly what wabt assembles from the current WAT sources', async () => {
  const api = await wabt();
  const embedded = generated as Record<string, string>;
  assert.deepEqual(
    Object.keys(embedded).sort(),
    WASM_SOURCES.map((s) => s.name).sort(),
    'the WAT sources changed: run npm run build:wasm',
  );
  for (const source of WASM_SOURCES) {
    const bytes = Buffer.from(assemble(api, source));
    const base64 = embedded[source.name];
    assert.ok(
      base64 !== undefined && bytes.equals(Buffer.from(base64, 'base64')),
      `the WAT sources changed: run npm run build:wasm (${source.name} from ${source.file})`,
    );
  }
});

test('each embedded kernel instantiates synchronously with its own memory', () => {
  const expected: Record<string, string[]> = {
    RMIA_KERNELS_WASM: ['bucketize', 'insertion', 'lookup', 'memory', 'ratios_f32', 'ratios_f64'],
    LIRA_KERNELS_WASM: ['memory', 'stats4_f32', 'stats4_f64'],
  };
  for (const source of WASM_SOURCES) {
    const instantiate = wasmInstantiator((generated as Record<string, string>)[source.name]!);
    const a = instantiate();
    const b = instantiate();
    assert.deepEqual(Object.keys(a).sort(), expected[source.name], source.name);
    assert.notEqual(a.memory, b.memory);
  }
});
