// The threaded-SIMD WASM build under Node (worker_threads shim): it starts, runs XNNPACK with 2 threads,
// agrees with the cpu backend, and lets the process exit (this file's process would hang otherwise).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { getThreadsCount } from '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../../../../src/models/engines/tfjs/init-backend.js';
import { threadsSupported } from '../../../../src/models/engines/tfjs/wasm-threads.js';
import { Rng } from '../../../../src/rng.js';
import '@tensorflow/tfjs-layers'; // registers tfjs's gradient functions

test('initBackend("wasm", { threads: 2 }) runs the threaded build and matches cpu', async (t) => {
  if (!threadsSupported()) {
    t.skip('this Node has no WebAssembly threads');
    return;
  }
  const info = await initBackend('wasm', { threads: 2 });
  assert.match(info.description, /threaded SIMD build, 2 threads, mia-audit training kernels/);
  assert.equal(getThreadsCount(), 2);
  const rng = new Rng(11);
  const xv = Float32Array.from({ length: 4 * 20 * 20 * 8 }, () => rng.normal());
  const fv = Float32Array.from({ length: 3 * 3 * 8 * 16 }, () => rng.normal());
  const run = () =>
    tf.tidy(() => {
      const x = tf.tensor4d(xv, [4, 20, 20, 8]);
      const f = tf.tensor4d(fv, [3, 3, 8, 16]);
      const g = tf.grad((w: tf.Tensor) => tf.sum(tf.square(tf.conv2d(x, w as tf.Tensor4D, 1, 'same'))))(f);
      return Float32Array.from(g.dataSync() as Float32Array);
    });
  const got = run();
  await tf.setBackend('cpu');
  const ref = run();
  await tf.setBackend('wasm');
  let scale = 0;
  for (const v of ref) scale += Math.abs(v) / ref.length;
  got.forEach((v, i) => {
    assert.ok(Math.abs(v - ref[i]!) <= 1e-4 * (Math.abs(ref[i]!) + scale), `element ${i}: ${v} vs ${ref[i]}`);
  });
});
