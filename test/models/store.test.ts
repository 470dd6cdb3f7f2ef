import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { canonicalJson } from '../../src/core/canonical-json.js';
import { memoryLogger } from '../../src/core/logger.js';
import { loadDataset } from '../../src/data/registry.js';
import { readNpz } from '../../src/io/npz.js';
import { requestHash, type TrainRequest, trainOrLoad } from '../../src/models/cache.js';
import { createEngine } from '../../src/models/engines/create-engine.js';
import { loadPredictor } from '../../src/models/load.js';
import { normalizeOptimizerSpec } from '../../src/models/optimizers.js';
import {
  checkModelDestination,
  loadModel,
  readModelRecord,
  removeStaleTemps,
  saveModel,
} from '../../src/models/store.js';
import { Rng } from '../../src/rng.js';

const engineP = createEngine('tfjs', { backend: 'cpu' });
const tmp = () => mkdtempSync(join(tmpdir(), 'mia-store-'));
const dataP = loadDataset('synthetic', {
  synthetic: { shape: [6], numClasses: 3, nTrain: 120, nTest: 60, seed: 2 },
});

test('save / load round trip gives identical logits, with batch-norm statistics and the record', async () => {
  const engine = await engineP;
  const m = await engine.build({
    arch: { name: 'resnet18', params: { width: 2 } },
    inputShape: [4, 4, 3],
    numClasses: 5,
    seed: 4,
  });
  const rng = new Rng(1);
  const x = Float32Array.from({ length: 7 * 48 }, () => rng.normal());
  m.setOptimizer(normalizeOptimizerSpec({ name: 'sgd', lr: 0.1, momentum: 0.9 }));
  await m.trainStep({ x, y: Int32Array.from([0, 1, 2, 3, 4, 0, 1]), n: 7 }, 0.1); // moves weights and BN statistics
  const before = await m.predict(x, 7);
  const dir = join(tmp(), 'model');
  const indices = Int32Array.from([5, 3, 9]);
  const rec = saveModel(dir, m, { indices, dataset: { name: 'synthetic', options: { seed: 2 } } });
  assert.deepEqual(readdirSync(dir).sort(), ['model.json', 'train-indices.npy', 'weights.npz']);
  assert.deepEqual(readdirSync(join(dir, '..')), ['model'], 'no temp directory is left behind');
  const loaded = await loadModel(dir, engine);
  assert.deepEqual(await loaded.model.predict(x, 7), before);
  assert.deepEqual(loaded.indices, indices);
  assert.deepEqual(loaded.record, rec);
  assert.equal(rec.paramCount, m.paramCount());
  assert.equal(rec.trainSize, 3);
  assert.deepEqual(rec.spec.arch, { name: 'resnet18', params: { width: 2 } });
  // weights.npz is plain numpy: one float32 array per parameter, keyed by name
  const npz = readNpz(join(dir, 'weights.npz'));
  assert.deepEqual(npz.get('l0.kernel')!.shape, [3, 3, 3, 2]);
  assert.equal(npz.get('l1.moving_mean')!.dtype, 'float32');
  // loadPredictor finds the same model by path
  const p = await loadPredictor(dir, { backend: 'cpu' });
  assert.equal(p.kind, 'mia');
  // (loadPredictor picks the auto engine, which runs resnet18 in onnxruntime: float32 rounding differs)
  const again = await p.predictor.predict(x, 7);
  for (let i = 0; i < before.length; i++) assert.ok(Math.abs(again[i]! - before[i]!) < 1e-4, `logit ${i}`);
  // saving again replaces the model; a foreign folder is never replaced
  saveModel(dir, loaded.model, {});
  assert.equal(readModelRecord(dir).trainSize, null);
  const foreign = join(tmp(), 'mine');
  mkdirSync(foreign);
  writeFileSync(join(foreign, 'notes.txt'), 'keep me');
  assert.throws(() => saveModel(foreign, m), { code: 'E_IO' });
  assert.equal(readFileSync(join(foreign, 'notes.txt'), 'utf8'), 'keep me');
  assert.deepEqual(readdirSync(join(foreign, '..')), ['mine']);
  for (const model of [m, loaded.model, p.predictor]) await model.dispose();
});

test('loading fails with E_MODEL for a folder that holds no finished model', async () => {
  const engine = await engineP;
  const dir = tmp();
  await assert.rejects(loadModel(dir, engine), { code: 'E_MODEL' });
  writeFileSync(join(dir, 'model.json'), JSON.stringify({ format: 'something-else' }));
  await assert.rejects(loadModel(dir, engine), { code: 'E_MODEL' });
  writeFileSync(join(dir, 'model.json'), '{"format": "mia-audit-model", ');
  await assert.rejects(loadModel(dir, engine), { code: 'E_JSON' });
});

test('checkModelDestination accepts what saveModel replaces and refuses the rest before any training', async () => {
  const engine = await engineP;
  const root = tmp();
  const m = await engine.build({
    arch: { name: 'mlp', params: { hidden: '4' } },
    inputShape: [3],
    numClasses: 2,
    seed: 1,
  });
  const empty = join(root, 'empty');
  mkdirSync(empty);
  checkModelDestination(join(root, 'new')); // a new path
  checkModelDestination(join(root, 'a', 'b', 'new')); // parents are created
  checkModelDestination(empty);
  const final = { trainAccuracy: 0.75, trainLoss: 0.5, testAccuracy: 0.6, testLoss: 0.7, testSamples: 60 };
  saveModel(join(root, 'saved'), m, { final });
  checkModelDestination(join(root, 'saved'));
  // a file (the user's q.yaml), a folder with other files, a path under a file: E_IO naming the path
  const file = join(root, 'q.yaml');
  writeFileSync(file, 'run: {}\n');
  const notes = join(root, 'notes');
  mkdirSync(notes);
  writeFileSync(join(notes, 'a.txt'), 'keep me');
  for (const [dir, msg] of [
    [file, /exists and is not a mia-audit model directory/],
    [notes, /exists and is not a mia-audit model directory/],
    [join(file, 'sub'), /cannot create the model directory: .*q\.yaml is not a directory/],
  ] as const) {
    assert.throws(
      () => checkModelDestination(dir),
      (e: { code: string; where: string; message: string }) =>
        e.code === 'E_IO' && e.where === dir && msg.test(e.message),
    );
  }
  // saveModel refuses the file with the same error (before: ENOTDIR) and leaves it alone
  assert.throws(() => saveModel(file, m), {
    code: 'E_IO',
    message: /exists and is not a mia-audit model directory/,
  });
  assert.equal(readFileSync(file, 'utf8'), 'run: {}\n');
  // the final evaluation is recorded; records without it (older ones) still load
  assert.deepEqual(readModelRecord(join(root, 'saved')).final, final);
  const old = JSON.parse(readFileSync(join(root, 'saved', 'model.json'), 'utf8'));
  delete old.final;
  writeFileSync(join(root, 'saved', 'model.json'), JSON.stringify(old));
  const reloaded = await loadModel(join(root, 'saved'), engine);
  assert.equal(reloaded.record.final, undefined);
  reloaded.model.dispose();
  m.dispose();
});

async function request(epochs = 2): Promise<TrainRequest> {
  const { train, test: val } = await dataP;
  return {
    arch: { name: 'mlp', params: { hidden: '8' } },
    inputShape: [6],
    numClasses: 3,
    optimizer: { name: 'adam', lr: 0.01 },
    epochs,
    batchSize: 20,
    seed: 3,
    dataset: { name: 'synthetic', options: { seed: 2 } },
    indices: Int32Array.from({ length: train.n }, (_, i) => i),
    train,
    validation: val,
  };
}

test('trainOrLoad trains once, then loads the cached model without training', async () => {
  const engine = await engineP;
  const cache = tmp();
  let epochsRun = 0;
  const onEpochEnd = () => {
    epochsRun++;
  };
  const log = memoryLogger();
  const first = await trainOrLoad(await request(), cache, { engine, onEpochEnd, logger: log });
  assert.equal(first.cached, false);
  assert.equal(epochsRun, 2);
  assert.equal(first.record.history.length, 2);
  const second = await trainOrLoad(await request(), cache, { engine, onEpochEnd, logger: log });
  assert.equal(second.cached, true);
  assert.equal(epochsRun, 2, 'the second call does not train');
  assert.equal(second.dir, first.dir);
  assert.match(log.lines[log.lines.length - 1]!, /^cached model [0-9a-f]{12} loaded from /);
  const { x, n } = (await dataP).test;
  assert.deepEqual(await second.model.predict(x, n), await first.model.predict(x, n));
  // a different request (another epoch count) is another model
  const third = await trainOrLoad(await request(1), cache, { engine, onEpochEnd });
  assert.equal(third.cached, false);
  assert.notEqual(third.dir, first.dir);
  assert.equal(readdirSync(cache).length, 2);
  for (const r of [first, second, third]) r.model.dispose();
});

test('a temp directory left by a killed run is ignored and cleaned up; the model is trained', async () => {
  const engine = await engineP;
  const cache = tmp();
  const req = await request();
  const hash = requestHash(req);
  // what a run killed mid-save leaves: a hidden temp dir with partial files (its pid no longer exists)
  const stale = join(cache, `.${hash}.tmp-999999999-0123456789abcdef`);
  mkdirSync(stale, { recursive: true });
  writeFileSync(join(stale, 'weights.npz'), 'partial');
  writeFileSync(join(stale, 'model.json'), '{}');
  // and a final-named directory without model.json (e.g. copied by hand, half-finished) is not a model
  mkdirSync(join(cache, hash));
  writeFileSync(join(cache, hash, 'weights.npz'), 'partial');
  let trained = 0;
  const r = await trainOrLoad(req, cache, { engine, onEpochEnd: () => void trained++ });
  assert.equal(r.cached, false);
  assert.equal(trained, 2);
  assert.ok(!existsSync(stale), 'the stale temp directory was removed');
  assert.deepEqual(readdirSync(cache), [hash]);
  assert.deepEqual(readdirSync(join(cache, hash)).sort(), ['model.json', 'train-indices.npy', 'weights.npz']);
  assert.deepEqual(removeStaleTemps(cache), []);
  r.model.dispose();
});

test('cache keys: canonical JSON, sensitive to indices, data, seed and hyper-parameters', async () => {
  assert.equal(
    canonicalJson({ b: 1, a: [{ d: 2, c: undefined, e: null }] }),
    '{"a":[{"d":2,"e":null}],"b":1}',
  );
  const base = await request();
  const h = requestHash(base);
  assert.match(h, /^[0-9a-f]{64}$/);
  assert.equal(
    requestHash({ ...base, validation: undefined as never }),
    h,
    'validation data is not part of the key',
  );
  assert.equal(
    requestHash({ ...base, arch: { name: 'mlp', params: { hidden: '8', activation: 'relu' } } }),
    h,
    'defaults are normalised',
  );
  const variants: Partial<TrainRequest>[] = [
    { seed: 4 },
    { epochs: 3 },
    { batchSize: 21 },
    { optimizer: { name: 'adam', lr: 0.02 } },
    { indices: Int32Array.from(base.indices, (v) => (v === 0 ? 1 : v)) },
    { train: { ...base.train, x: Float32Array.from(base.train.x, (v, i) => (i === 0 ? v + 1 : v)) } },
    { dataset: { name: 'synthetic', options: { seed: 3 } } },
  ];
  for (const v of variants)
    assert.notEqual(requestHash({ ...base, ...v }), h, JSON.stringify(Object.keys(v)));
});
