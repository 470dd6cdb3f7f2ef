// Every custom wasm kernel against the reference cpu backend on random inputs (forward and gradients).
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../../../../src/models/engines/tfjs/init-backend.js';
import { ADAM_KERNEL, type AdamAttrs, adamUpdate } from '../../../../src/models/engines/tfjs/kernels/adam.js';
import { WASM_KERNELS } from '../../../../src/models/engines/tfjs/kernels/index.js';
import { Rng } from '../../../../src/rng.js';
import '@tensorflow/tfjs-layers'; // registers tfjs's gradient functions (tfjs-core's Node bundle has none)

before(async () => {
  await initBackend('wasm');
});

function randn(rng: Rng, n: number): Float32Array {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = rng.normal();
  return a;
}

/** Runs f on a backend with inputs made there; returns every output's values. */
async function on(backend: 'wasm' | 'cpu', f: () => tf.Tensor | tf.Tensor[]): Promise<Float32Array[]> {
  await tf.setBackend(backend);
  const outs = tf.tidy(f);
  const list = Array.isArray(outs) ? outs : [outs];
  const vals = list.map((t) => Float32Array.from(t.dataSync() as Float32Array));
  for (const t of list) t.dispose();
  return vals;
}

function close(actual: Float32Array, expected: Float32Array, what: string, rtol = 1e-4): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  let scale = 0;
  for (const v of expected) scale += Math.abs(v);
  scale /= Math.max(1, expected.length);
  for (let i = 0; i < expected.length; i++) {
    const tol = rtol * (Math.abs(expected[i]!) + scale) + 1e-7;
    if (!(Math.abs(actual[i]! - expected[i]!) <= tol)) {
      assert.fail(
        `${what}: element ${i} is ${actual[i]}, reference ${expected[i]} (tolerance ${tol.toExponential(2)})`,
      );
    }
  }
}

async function agree(what: string, f: () => tf.Tensor | tf.Tensor[]): Promise<void> {
  const ref = await on('cpu', f);
  const got = await on('wasm', f);
  assert.equal(got.length, ref.length);
  got.forEach((g, i) => {
    close(g, ref[i]!, `${what} output ${i}`);
  });
}

test('the custom kernels are the ones registered for wasm', () => {
  for (const k of WASM_KERNELS)
    assert.equal(tf.getKernel(k.kernelName, 'wasm')?.kernelFunc, k.kernelFunc, k.kernelName);
});

test('Conv2DBackpropFilter matches cpu (conv-as-conv path and im2col path)', async () => {
  const rng = new Rng(1);
  // (tfjs has no gradient for dilated convolutions, and its cpu reference kernel no dilation here.)
  const cases: { x: number[]; f: number[]; strides: number; pad: 'valid' | 'same' }[] = [
    { x: [3, 9, 9, 3], f: [3, 3, 3, 5], strides: 1, pad: 'valid' },
    { x: [2, 8, 7, 4], f: [3, 3, 4, 6], strides: 1, pad: 'same' },
    { x: [3, 12, 12, 1], f: [3, 3, 1, 4], strides: 1, pad: 'valid' },
    { x: [1, 7, 7, 2], f: [3, 3, 2, 3], strides: 1, pad: 'valid' },
    { x: [1, 6, 6, 1], f: [3, 3, 1, 1], strides: 1, pad: 'same' },
    { x: [2, 9, 9, 3], f: [3, 3, 3, 4], strides: 2, pad: 'valid' },
    { x: [2, 8, 8, 3], f: [3, 3, 3, 4], strides: 2, pad: 'same' },
    { x: [2, 8, 8, 2], f: [1, 1, 2, 3], strides: 2, pad: 'valid' },
  ];
  for (const c of cases) {
    const info = tf.backend_util.computeConv2DInfo(c.x as never, c.f as never, c.strides, 1, c.pad);
    const dyShape = [c.x[0]!, info.outHeight, info.outWidth, c.f[3]!];
    const xv = randn(rng, tf.util.sizeFromShape(c.x));
    const dyv = randn(rng, tf.util.sizeFromShape(dyShape));
    await agree(
      `Conv2DBackpropFilter ${JSON.stringify(c)}`,
      () =>
        tf
          .engine()
          .runKernel('Conv2DBackpropFilter', { x: tf.tensor(xv, c.x), dy: tf.tensor(dyv, dyShape) }, {
            strides: c.strides,
            pad: c.pad,
            dataFormat: 'NHWC',
            dimRoundingMode: undefined,
            dilations: 1,
            filterShape: c.f,
          } as never) as tf.Tensor,
    );
  }
});

test('Conv2DBackpropInput matches cpu (rotated-filter conv path and stock fallback)', async () => {
  const rng = new Rng(2);
  const cases: { x: number[]; f: number[]; strides: number; pad: 'valid' | 'same' }[] = [
    { x: [3, 9, 9, 3], f: [3, 3, 3, 5], strides: 1, pad: 'valid' },
    { x: [2, 8, 7, 4], f: [3, 3, 4, 6], strides: 1, pad: 'same' },
    { x: [2, 6, 6, 2], f: [5, 5, 2, 3], strides: 1, pad: 'same' },
    { x: [1, 7, 7, 1], f: [3, 3, 1, 2], strides: 1, pad: 'valid' },
    { x: [2, 9, 9, 3], f: [3, 3, 3, 4], strides: 2, pad: 'same' },
  ];
  for (const c of cases) {
    const info = tf.backend_util.computeConv2DInfo(c.x as never, c.f as never, c.strides, 1, c.pad);
    const dyShape = [c.x[0]!, info.outHeight, info.outWidth, c.f[3]!];
    const fv = randn(rng, tf.util.sizeFromShape(c.f));
    const dyv = randn(rng, tf.util.sizeFromShape(dyShape));
    await agree(
      `Conv2DBackpropInput ${JSON.stringify(c)}`,
      () =>
        tf
          .engine()
          .runKernel('Conv2DBackpropInput', { dy: tf.tensor(dyv, dyShape), filter: tf.tensor(fv, c.f) }, {
            strides: c.strides,
            pad: c.pad,
            dataFormat: 'NHWC',
            dimRoundingMode: undefined,
            inputShape: c.x,
          } as never) as tf.Tensor,
    );
  }
});

test('BatchMatMul, _FusedMatMul and Transpose with transposes match cpu', async () => {
  const rng = new Rng(3);
  const a2 = randn(rng, 7 * 5);
  const b2 = randn(rng, 5 * 6);
  const bias = randn(rng, 6);
  await agree('matMul 2-D, all transpose flags', () => [
    tf.matMul(tf.tensor(a2, [7, 5]), tf.tensor(b2, [5, 6])),
    tf.matMul(tf.tensor(a2, [5, 7]), tf.tensor(b2, [5, 6]), true, false),
    tf.matMul(tf.tensor(a2, [7, 5]), tf.tensor(b2, [6, 5]), false, true),
    tf.matMul(tf.tensor(a2, [5, 7]), tf.tensor(b2, [6, 5]), true, true),
  ]);
  const a3 = randn(rng, 3 * 4 * 5);
  const b3 = randn(rng, 3 * 6 * 5);
  await agree('matMul batched with transposeB', () =>
    tf.matMul(tf.tensor(a3, [3, 4, 5]), tf.tensor(b3, [3, 6, 5]), false, true),
  );
  await agree('fused matMul with transposes, bias and relu', () =>
    tf.fused.matMul({
      a: tf.tensor(a2, [5, 7]),
      b: tf.tensor(b2, [6, 5]),
      transposeA: true,
      transposeB: true,
      bias: tf.tensor(bias, [6]),
      activation: 'relu',
    }),
  );
  const t = randn(rng, 2 * 3 * 37 * 41);
  await agree('transpose', () => [
    tf.transpose(tf.tensor(t, [74, 123])),
    tf.transpose(tf.tensor(t, [6, 37, 41]), [0, 2, 1]),
    tf.transpose(tf.tensor(t, [2, 3, 37, 41]), [3, 0, 2, 1]),
  ]);
});

test('MaxPoolGrad matches cpu, ties included (2×2 fast path and general windows)', async () => {
  const rng = new Rng(4);
  const shape = [2, 15, 15, 3];
  const xv = randn(rng, tf.util.sizeFromShape(shape));
  // ReLU-like input: many exact ties at 0 inside windows.
  for (let i = 0; i < xv.length; i++) if (xv[i]! < 0.3) xv[i] = 0;
  for (const [size, stride, pad] of [
    [2, 2, 'valid'],
    [3, 2, 'same'],
    [3, 1, 'valid'],
  ] as const) {
    await agree(`maxPool gradient ${size}/${stride}/${pad}`, () => {
      const x = tf.tensor4d(xv, shape as [number, number, number, number]);
      const w = tf.tensor(randn(new Rng(size * 10 + stride), 1), []);
      return tf.grad((z: tf.Tensor) =>
        tf.sum(tf.mul(tf.maxPool(z as tf.Tensor4D, size, stride, pad), tf.add(tf.range(0, 1), w))),
      )(x);
    });
  }
});

test('Sum over leading axes (and others, through the stock kernel) matches cpu', async () => {
  const rng = new Rng(5);
  const v = randn(rng, 4 * 5 * 6 * 7);
  await agree('sum', () => {
    const x = tf.tensor(v, [4, 5, 6, 7]);
    return [
      tf.sum(x, [0, 1, 2]),
      tf.sum(x, 0, true),
      tf.sum(x, [0, 1]),
      tf.sum(x, [1, 3]),
      tf.sum(x, -1),
      tf.sum(x),
    ];
  });
});

test('a small conv net: loss and every gradient on wasm match cpu', async () => {
  const rng = new Rng(6);
  const xv = randn(rng, 4 * 12 * 12 * 3);
  const k1 = randn(rng, 3 * 3 * 3 * 8).map((v) => v * 0.3);
  const b1 = randn(rng, 8).map((v) => v * 0.1);
  const k2 = randn(rng, 3 * 3 * 8 * 8).map((v) => v * 0.2);
  const w3 = randn(rng, 8 * 2 * 2 * 5).map((v) => v * 0.2);
  const b3 = randn(rng, 5);
  const labels = tf.util.createShuffledIndices(4);
  await agree('conv net grads', () => {
    const x = tf.tensor4d(xv, [4, 12, 12, 3]);
    const onehot = tf.oneHot(
      tf.tensor1d(
        Array.from(labels, (l) => l % 5),
        'int32',
      ),
      5,
    );
    const params = [
      tf.tensor(k1, [3, 3, 3, 8]),
      tf.tensor(b1, [8]),
      tf.tensor(k2, [3, 3, 8, 8]),
      tf.tensor(w3, [32, 5]),
      tf.tensor(b3, [5]),
    ];
    const loss = (p0: tf.Tensor, p1: tf.Tensor, p2: tf.Tensor, p3: tf.Tensor, p4: tf.Tensor) => {
      let h: tf.Tensor4D = tf.fused.conv2d({
        x,
        filter: p0 as tf.Tensor4D,
        strides: 1,
        pad: 'valid',
        bias: p1,
        activation: 'relu',
      });
      h = tf.maxPool(h, 2, 2, 'valid');
      h = tf.relu(tf.conv2d(h, p2 as tf.Tensor4D, 1, 'same'));
      h = tf.maxPool(h, 2, 2, 'valid');
      const logits = tf.fused.matMul({
        a: tf.reshape(h, [4, -1]) as tf.Tensor2D,
        b: p3 as tf.Tensor2D,
        bias: p4,
      });
      return tf.losses.softmaxCrossEntropy(onehot, logits);
    };
    const { value, grads } = tf.valueAndGrads(loss as (...a: tf.Tensor[]) => tf.Scalar)(params);
    return [value, ...grads];
  });
});

test(`${ADAM_KERNEL}: adamUpdate matches the Adam rule computed in float64, on wasm and cpu`, async () => {
  const rng = new Rng(7);
  const n = 1000;
  const w0 = randn(rng, n);
  const g = randn(rng, n);
  const m0 = randn(rng, n).map((v) => v * 0.1);
  const v0 = randn(rng, n).map((v) => v * v * 0.01);
  const a: AdamAttrs = { lr: 0.01, beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: 0.05, step: 3 };
  const ew = new Float32Array(n);
  const em = new Float32Array(n);
  const ev = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const gi = g[i]! + a.weightDecay * w0[i]!;
    em[i] = a.beta1 * m0[i]! + (1 - a.beta1) * gi;
    ev[i] = a.beta2 * v0[i]! + (1 - a.beta2) * gi * gi;
    ew[i] =
      w0[i]! - (a.lr * (em[i]! / (1 - a.beta1 ** 3))) / (Math.sqrt(ev[i]! / (1 - a.beta2 ** 3)) + a.epsilon);
  }
  for (const backend of ['wasm', 'cpu'] as const) {
    await tf.setBackend(backend);
    assert.ok(tf.getKernel(ADAM_KERNEL, backend) !== undefined, `${ADAM_KERNEL} registered for ${backend}`);
    const w = tf.variable(tf.tensor(w0));
    const m = tf.variable(tf.tensor(m0));
    const v = tf.variable(tf.tensor(v0));
    const gt = tf.tensor(g);
    const before = tf.memory().numTensors;
    adamUpdate([w], [gt], [m], [v], a);
    assert.equal(tf.memory().numTensors, before, 'no tensor leaks');
    close(w.dataSync() as Float32Array, ew, `${backend} w`);
    close(m.dataSync() as Float32Array, em, `${backend} m`);
    close(v.dataSync() as Float32Array, ev, `${backend} v`);
    for (const t of [w, m, v, gt]) t.dispose();
  }
});
