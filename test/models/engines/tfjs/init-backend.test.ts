import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { isMiaError } from '../../../../src/errors.js';
import { initBackend } from '../../../../src/models/engines/tfjs/init-backend.js';

test("initBackend('auto') picks wasm here (tfjs-node is not installed) and describes it", async () => {
  const info = await initBackend();
  assert.equal(info.name, 'wasm');
  assert.equal(tf.getBackend(), 'wasm');
  assert.match(info.description, /^tfjs wasm \(.*SIMD.*, \d+ threads?, mia-audit training kernels\)$/);
});

test('initBackend is idempotent: the same preference gives the same answer and keeps the backend', async () => {
  const a = await initBackend('auto');
  const t0 = performance.now();
  const b = await initBackend('auto');
  assert.ok(performance.now() - t0 < 50, 'a second call does not re-initialise');
  assert.deepEqual(b, a);
  assert.equal(tf.getBackend(), 'wasm');
  const w = await initBackend('wasm');
  assert.equal(w.name, 'wasm');
  assert.equal(w.description, a.description);
});

test("initBackend('cpu') switches to the pure-JS backend and back", async () => {
  const c = await initBackend('cpu');
  assert.equal(c.name, 'cpu');
  assert.equal(tf.getBackend(), 'cpu');
  assert.deepEqual(Array.from(tf.add(tf.tensor([1, 2]), tf.tensor([3, 4])).dataSync()), [4, 6]);
  await initBackend('auto');
  assert.equal(tf.getBackend(), 'wasm');
});

test("initBackend('node') fails with E_BACKEND when @tensorflow/tfjs-node is absent; bad names E_UNKNOWN_NAME", async () => {
  await assert.rejects(initBackend('node'), (e: unknown) => isMiaError(e) && e.code === 'E_BACKEND');
  assert.equal(tf.getBackend(), 'wasm', 'the active backend is unchanged');
  await assert.rejects(
    initBackend('gpu' as never),
    (e: unknown) => isMiaError(e) && e.code === 'E_UNKNOWN_NAME',
  );
});

test('the wasm backend computes (threads included) and leaves no Emscripten process listeners', async () => {
  await initBackend('auto');
  const y = tf.matMul(tf.ones([64, 64]), tf.ones([64, 64]));
  assert.equal((y.dataSync() as Float32Array)[0], 64);
  for (const src of process.listeners('uncaughtException')) assert.ok(!String(src).includes('ExitStatus'));
});
