import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import {
  detectLayout,
  loadOnnxModel,
  looksLikeProbs,
  nhwcToNchw,
} from '../../../../src/models/engines/ort/onnx-model.js';
import { loadPredictor } from '../../../../src/models/load.js';
import { predictOutputs } from '../../../../src/signals/inference.js';

// Fixtures written by test/models/fixtures/make_fixtures.py (PyTorch 1.13, torch.onnx.export).
const fixture = (name: string) => fileURLToPath(new URL(`../../fixtures/${name}`, import.meta.url));
const cnnIo = JSON.parse(readFileSync(fixture('tiny_cnn_io.json'), 'utf8')) as {
  x_nhwc: number[];
  n: number;
  logits: number[];
};
const mlpIo = JSON.parse(readFileSync(fixture('tiny_mlp_io.json'), 'utf8')) as {
  x: number[];
  n: number;
  probs: number[];
};

const close = (a: ArrayLike<number>, b: ArrayLike<number>, tol: number) => {
  assert.equal(a.length, b.length);
  for (let i = 0; i < a.length; i++) assert.ok(Math.abs(a[i]! - b[i]!) < tol, `[${i}] ${a[i]} vs ${b[i]}`);
};

test("a PyTorch CNN exported to ONNX (NCHW) gives torch's logits on NHWC rows", async () => {
  const p = await loadOnnxModel(fixture('tiny_cnn.onnx'), { inputShape: [5, 6, 3], batchSize: 4 });
  assert.match(p.description, /tiny_cnn\.onnx \(onnxruntime-node cpu, NCHW input\)/);
  assert.equal(p.numClasses, 4);
  const out = await p.predict(Float32Array.from(cnnIo.x_nhwc), cnnIo.n);
  close(out, cnnIo.logits, 1e-5);
  assert.equal(p.outputKind, 'logits');
  await p.dispose();
  await assert.rejects(loadOnnxModel(fixture('tiny_cnn.onnx'), { inputShape: [5, 6, 3], layout: 'nhwc' }), {
    code: 'E_SHAPE_MISMATCH',
  });
  await assert.rejects(loadOnnxModel(fixture('tiny_cnn.onnx'), { inputShape: [6, 5, 3] }), {
    code: 'E_SHAPE_MISMATCH',
  });
});

test('an ONNX model ending in softmax is detected as probabilities; inference builds ModelOutputs', async () => {
  const loaded = await loadPredictor(fixture('tiny_mlp_probs.onnx'), { inputShape: [7] });
  assert.equal(loaded.kind, 'onnx');
  const p = loaded.predictor;
  const x = Float32Array.from(mlpIo.x);
  const labels = Int32Array.from([0, 1, 2, 0, 1]);
  const o = await predictOutputs(p, { x, y: labels, n: mlpIo.n });
  assert.equal(p.outputKind, 'probs');
  assert.equal(o.logits, undefined);
  close(o.probs, mlpIo.probs, 1e-6);
  o.loss.forEach((l, i) => {
    assert.ok(Math.abs(l + Math.log(mlpIo.probs[i * 3 + labels[i]!]!)) < 1e-5);
  });
  await p.dispose();
  const forced = await loadOnnxModel(fixture('tiny_mlp_probs.onnx'), { inputShape: [7], output: 'logits' });
  await forced.predict(x, 2);
  assert.equal(forced.outputKind, 'logits');
  await forced.dispose();
});

test('a file that is not ONNX is refused with E_MODEL', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'mia-onnx-'));
  const bad = join(dir, 'broken.onnx');
  writeFileSync(bad, 'not a protobuf');
  await assert.rejects(loadOnnxModel(bad, { inputShape: [7] }), { code: 'E_MODEL' });
});

test('layout detection from the declared input shape', () => {
  assert.equal(detectLayout(['batch', 3, 32, 32], [32, 32, 3], 'auto', 'm'), 'nchw');
  assert.equal(detectLayout([-1, 32, 32, 3], [32, 32, 3], 'auto', 'm'), 'nhwc');
  assert.equal(detectLayout(['n', 28, 28, 1], [28, 28, 1], 'auto', 'm'), 'nhwc');
  assert.equal(detectLayout(['n', 1, 28, 28], [28, 28, 1], 'auto', 'm'), 'nchw');
  assert.equal(detectLayout(['n', 784], [28, 28, 1], 'auto', 'm'), 'flat');
  assert.equal(detectLayout(['n', 600], [600], 'auto', 'm'), 'flat');
  assert.equal(detectLayout(['n', 3, 3, 3], [3, 3, 3], 'nchw', 'm'), 'nchw');
  assert.throws(() => detectLayout(['n', 3, 3, 3], [3, 3, 3], 'auto', 'm'), { code: 'E_MODEL' });
  assert.throws(() => detectLayout(['n', 'h', 'w', 'c'], [8, 8, 3], 'auto', 'm'), { code: 'E_MODEL' });
  assert.throws(() => detectLayout(['n', 500], [600], 'auto', 'm'), { code: 'E_SHAPE_MISMATCH' });
  assert.throws(() => detectLayout(['n', 3, 32, 32], [600], 'auto', 'm'), { code: 'E_SHAPE_MISMATCH' });
});

test('NHWC → NCHW transposition and the probability heuristic', () => {
  // one 2×2 image with 2 channels: pixel p has channels (p, 10 + p)
  const nhwc = Float32Array.from([0, 10, 1, 11, 2, 12, 3, 13]);
  assert.deepEqual([...nhwcToNchw(nhwc, 1, 2, 2, 2)], [0, 1, 2, 3, 10, 11, 12, 13]);
  assert.equal(looksLikeProbs(Float32Array.from([0.2, 0.8, 1, 0]), 2), true);
  assert.equal(looksLikeProbs(Float32Array.from([0.2, 0.7, 1, 0]), 2), false);
  assert.equal(looksLikeProbs(Float32Array.from([1.5, -0.5]), 2), false);
});
