// DP-SGD in the training loop: Poisson batches, the configuration's errors, ε per epoch and in
// model.json (the contract dpOfModel reads), and σ = 0 with C = ∞ equal to plain training.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { isMiaError } from '../../../src/errors.js';
import { trainOrLoad } from '../../../src/models/cache.js';
import { rdpEpsilon } from '../../../src/models/dp/calibrate.js';
import { dpOfModel } from '../../../src/models/dp/dp-record.js';
import { checkDpModel, type DpConfig, poissonRows, resolveDp } from '../../../src/models/dp/dp-sgd.js';
import type { EngineModel, ModelSpec } from '../../../src/models/engine.js';
import { createOrtEngine } from '../../../src/models/engines/ort/engine.js';
import { trainModel } from '../../../src/models/train.js';
import { Rng } from '../../../src/rng.js';

function samples(n: number, d: number, classes: number, seed: number) {
  const rng = new Rng(seed);
  const x = new Float32Array(n * d);
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    y[i] = rng.int(classes);
    for (let j = 0; j < d; j++) x[i * d + j] = rng.normal() + (j % classes === y[i] ? 1.5 : 0);
  }
  return { x, y, n };
}

const SPEC: ModelSpec = {
  arch: { name: 'mlp', params: { hidden: '16' } },
  inputShape: [8],
  numClasses: 3,
  seed: 2,
};
const DP: DpConfig = {
  noiseMultiplier: 1.1,
  maxGradNorm: 1,
  delta: 1e-4,
  sampling: 'poisson',
  where: 'target.dp',
};

test('Poisson batches include each row with probability q, in ascending order', () => {
  const rng = new Rng(4);
  const counts = new Float64Array(50);
  let total = 0;
  const steps = 4000;
  for (let s = 0; s < steps; s++) {
    const rows = poissonRows(50, 0.2, rng);
    for (let k = 1; k < rows.length; k++) assert.ok(rows[k]! > rows[k - 1]!);
    for (const r of rows) counts[r]! += 1;
    total += rows.length;
  }
  // mean batch size q·n = 10 (sd of the mean √(n·q·(1−q)/steps) ≈ 0.045)
  assert.ok(Math.abs(total / steps - 10) < 0.2, `mean batch ${total / steps}`);
  // every row near q (sd √(q(1−q)/steps) ≈ 0.0063)
  for (const c of counts) assert.ok(Math.abs(c / steps - 0.2) < 0.03);
  assert.equal(poissonRows(7, 1, rng).length, 7);
  assert.equal(poissonRows(7, 0, rng).length, 0);
});

test('resolveDp: q, steps, calibrated σ reaching the target ε', () => {
  const r = resolveDp(DP, 1000, 50, 3);
  assert.equal(r.sampleRate, 0.05);
  assert.equal(r.stepsPerEpoch, 20);
  assert.equal(r.noiseMultiplier, 1.1);
  const c = resolveDp({ maxGradNorm: 1, delta: 1e-4, sampling: 'poisson', targetEpsilon: 2 }, 1000, 50, 3);
  const eps = rdpEpsilon(0.05, c.noiseMultiplier, 60, 1e-4);
  assert.ok(eps <= 2 && eps > 1.95, `ε ${eps} for σ ${c.noiseMultiplier}`);
  assert.equal(c.targetEpsilon, 2);
});

test('resolveDp: configuration errors are one line naming the key', () => {
  const cases: [Record<string, unknown>, string][] = [
    [{ delta: 1e-3 }, 'target.dp.delta'], // n = 1000: δ must be < 1/n = 0.001
    [{ targetEpsilon: 1 }, 'target.dp.noise_multiplier'], // both
    [{ noiseMultiplier: undefined }, 'target.dp.noise_multiplier'], // neither
    [{ noiseMultiplier: -1 }, 'target.dp.noise_multiplier'],
    [{ maxGradNorm: 0 }, 'target.dp.max_grad_norm'],
    [{ noiseMultiplier: undefined, targetEpsilon: 1e-9 }, 'target.dp.target_epsilon'],
  ];
  for (const [patch, where] of cases) {
    assert.throws(
      () => resolveDp({ ...DP, delta: 1e-5, ...patch } as DpConfig, 1000, 50, 3),
      (e: unknown) =>
        isMiaError(e) && e.code === 'E_CONFIG' && e.where === where && !e.message.includes('\n'),
      where,
    );
  }
});

test('DP is refused for batch norm (suggesting GroupNorm), GroupNorm residual nets (not yet) and on an engine without a DP step', () => {
  const fake = (name: string, engine: string, dpStep: boolean, params: Record<string, number> = {}) =>
    ({
      spec: {
        arch: { name, params: name === 'resnet18' ? { width: 2 } : params },
        inputShape: [8, 8, 3],
        numClasses: 2,
        seed: 0,
      },
      engine,
      ...(dpStep ? { dpStep: async () => ({ loss: 0, correct: 0, clipped: 0 }) } : {}),
    }) as unknown as EngineModel;
  assert.throws(
    () => checkDpModel(fake('resnet18', 'tfjs', false), 'target.dp'),
    (e: unknown) => isMiaError(e) && e.code === 'E_CONFIG' && /GroupNorm/.test(e.expected ?? ''),
  );
  assert.throws(
    () => checkDpModel(fake('small_cnn', 'tfjs', false), 'target.dp'),
    (e: unknown) => isMiaError(e) && e.code === 'E_BACKEND' && /onnxruntime/.test(e.message),
  );
  // GroupNorm residual nets: not batch norm, but not covered by the DP gradient graph yet
  for (const [name, params] of [
    ['wrn28', { widen: 1, groups: 2 }],
    ['resnet18_imagenet', { width: 4, groups: 2 }],
  ] as const) {
    assert.throws(
      () => checkDpModel(fake(name, 'ort', true, params), 'target.dp'),
      (e: unknown) =>
        isMiaError(e) &&
        e.code === 'E_CONFIG' &&
        /residual blocks and GroupNorm/.test(e.message) &&
        !/batch normalisation/.test(e.message),
    );
  }
  assert.throws(
    () => checkDpModel(fake('wrn28', 'ort', true, { widen: 1 }), 'target.dp'),
    (e: unknown) => isMiaError(e) && /batch normalisation/.test(e.message),
  );
  checkDpModel(fake('small_cnn', 'ort', true));
});

test('σ = 0 and C = ∞ with shuffled batches trains exactly as without DP', async () => {
  const engine = await createOrtEngine({ threads: 1 });
  const train = samples(90, 8, 3, 1);
  const opts = {
    epochs: 2,
    batchSize: 16,
    optimizer: { name: 'sgd', lr: 0.1, momentum: 0.9 } as const,
    shuffleSeed: 5,
  };
  const a = await engine.build(SPEC);
  const b = await engine.build(SPEC);
  try {
    const ra = await trainModel(a, train, opts);
    const rb = await trainModel(b, train, {
      ...opts,
      dp: { noiseMultiplier: 0, maxGradNorm: Infinity, delta: 1e-5, sampling: 'shuffle' },
    });
    const wa = a.getWeights();
    const wb = b.getWeights();
    wa.forEach((w, k) => {
      for (let i = 0; i < w.data.length; i++)
        assert.ok(
          Math.abs(w.data[i]! - wb[k]!.data[i]!) <= 1e-5 * (1 + Math.abs(w.data[i]!)),
          `${w.name}[${i}]`,
        );
    });
    for (let e = 0; e < 2; e++)
      assert.ok(Math.abs(ra.history[e]!.trainLoss - rb.history[e]!.trainLoss) < 1e-5);
    assert.equal(rb.dp?.epsilon, Infinity);
    assert.equal(rb.dp?.steps, 12);
  } finally {
    a.dispose();
    b.dispose();
  }
});

test('a DP model records ε per epoch and the dp contract in model.json', async () => {
  const engine = await createOrtEngine({ threads: 1 });
  const train = samples(200, 8, 3, 3);
  const dir = mkdtempSync(join(tmpdir(), 'mia-dp-'));
  const lines: string[] = [];
  try {
    const request = {
      arch: SPEC.arch,
      inputShape: [8],
      numClasses: 3,
      optimizer: { name: 'sgd', lr: 0.5 } as const,
      epochs: 3,
      batchSize: 20,
      seed: 2,
      dataset: { name: 'synthetic' },
      indices: Int32Array.from({ length: 200 }, (_, i) => i),
      train,
      dp: { ...DP, delta: 1e-4 },
    };
    const logger = { info: (l: string) => lines.push(l), warn: (l: string) => lines.push(l) };
    const res = await trainOrLoad(request, dir, { engine, logger: logger as never });
    res.model.dispose();
    const eps = res.record.history.map((h) => h.epsilon!);
    for (let e = 0; e < 3; e++)
      assert.ok(Math.abs(eps[e]! - rdpEpsilon(0.1, 1.1, 10 * (e + 1), 1e-4)) < 1e-9);
    assert.ok(eps[0]! < eps[1]! && eps[1]! < eps[2]!);
    assert.match(lines.filter((l) => /epoch 3\/3/.test(l)).at(-1) ?? '', /ε \d+\.\d+ \(δ 0\.0001\)/);
    const json = JSON.parse(readFileSync(join(res.dir, 'model.json'), 'utf8'));
    assert.deepEqual(Object.keys(json.dp).sort(), [
      'accountant',
      'delta',
      'epochs',
      'epsilon',
      'maxGradNorm',
      'noiseMultiplier',
      'sampleRate',
      'sampling',
      'steps',
    ]);
    const dp = dpOfModel(res.dir)!;
    assert.deepEqual(
      { ...dp, epsilon: Number(dp.epsilon.toFixed(9)) },
      {
        noiseMultiplier: 1.1,
        maxGradNorm: 1,
        delta: 1e-4,
        sampleRate: 0.1,
        steps: 30,
        epochs: 3,
        sampling: 'poisson',
        accountant: 'rdp',
        epsilon: Number(eps[2]!.toFixed(9)),
      },
    );
    // the same request again loads the cached model; without dp, another key (so another model)
    const again = await trainOrLoad(request, dir, { engine });
    assert.equal(again.cached, true);
    again.model.dispose();
    const { dp: _, ...plain } = request;
    const other = await trainOrLoad(plain, dir, { engine });
    assert.equal(other.cached, false);
    assert.equal(dpOfModel(other.record), undefined);
    other.model.dispose();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
