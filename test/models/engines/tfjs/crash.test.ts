// A crashed WASM backend (heap exhausted, abort) becomes one E_BACKEND error, and dispose() does not throw.
// Its own file: the crash marks the backend unusable for the rest of the process.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createEngine } from '../../../../src/models/engines/create-engine.js';
import { isWasmCrash } from '../../../../src/models/engines/tfjs/engine.js';
import { normalizeOptimizerSpec } from '../../../../src/models/optimizers.js';

function wasmError(message: string): Error {
  const e = new Error(message);
  e.name = 'RuntimeError'; // what WebAssembly.RuntimeError reports
  return e;
}

test('isWasmCrash recognises WebAssembly runtime errors and aborts only', () => {
  assert.ok(isWasmCrash(wasmError('memory access out of bounds')));
  assert.ok(isWasmCrash(new Error('Aborted(). Build with -sASSERTIONS for more info.')));
  assert.ok(!isWasmCrash(new Error('Error in matMul: inner shapes must match')));
});

test('a backend crash during training is one E_BACKEND line naming the model, batch and remedies', async () => {
  const engine = await createEngine('tfjs', { backend: 'cpu' });
  const m = await engine.build({
    arch: { name: 'resnet18', params: { width: 2 } },
    inputShape: [4, 4, 3],
    numClasses: 3,
    seed: 1,
  });
  const other = await engine.build({ arch: { name: 'logistic' }, inputShape: [4], numClasses: 2, seed: 1 });
  m.setOptimizer(normalizeOptimizerSpec({ name: 'sgd', lr: 0.1 }));
  // the optimiser step stands in for the WASM kernel that runs out of heap
  Object.assign(m, {
    optimizer: {
      apply() {
        throw wasmError('memory access out of bounds');
      },
      dispose() {
        throw wasmError('memory access out of bounds');
      },
    },
  });
  const n = 6;
  const batch = { x: new Float32Array(n * 48), y: new Int32Array(n), n };
  const err = await m.trainStep(batch, 0.1).then(
    () => assert.fail('should throw'),
    (e: unknown) => e as { code: string; oneLine(): string },
  );
  assert.equal(err.code, 'E_BACKEND');
  const line = err.oneLine();
  assert.doesNotMatch(line, /\n/);
  assert.match(line, /resnet18\(width=2\)/);
  assert.match(line, /batch size 6/);
  assert.match(line, /smaller batch_size/);
  assert.match(line, /tfjs-node/);
  assert.match(line, /memory access out of bounds/);
  // every later use fails the same way; dispose never throws
  await assert.rejects(other.predict(new Float32Array(4), 1), { code: 'E_BACKEND' });
  assert.doesNotThrow(() => m.dispose());
  assert.doesNotThrow(() => other.dispose());
});
