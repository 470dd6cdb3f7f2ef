import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { privacyMetricsCallback, subsampleRows } from '../../src/audit/privacy-callback.js';
import { mergeCollections, saveCollection } from '../../src/audit/privacy-collection.js';
import { runOutputAttacks } from '../../src/audit/run-attacks.js';
import { makeSynthetic } from '../../src/data/synthetic.js';
import { isMiaError } from '../../src/errors.js';
import type { EngineModel } from '../../src/models/engine.js';
import { createEngine } from '../../src/models/engines/create-engine.js';
import { type EpochEndContext, type EpochRecord, trainModel } from '../../src/models/train.js';
import { loadCollection } from '../../src/report/collection.js';
import { Rng } from '../../src/rng.js';
import { makeModelOutputs } from '../../src/signals/model-outputs.js';

const tmp = mkdtempSync(join(tmpdir(), 'mia-privacy-callback-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

/** A "model" with 2 classes whose logits are [x, 0]: the sample's single feature is its margin. */
const marginModel = { numClasses: 2 } as EngineModel;
const marginPredict = async (x: Float32Array, n: number) => {
  const out = new Float32Array(2 * n);
  for (let i = 0; i < n; i++) out[2 * i] = x[i]!;
  return out;
};

function record(epoch: number, trainAccuracy: number, valAccuracy: number | null): EpochRecord {
  return {
    epoch,
    lr: 0.1,
    trainLoss: 1,
    trainAccuracy,
    valLoss: null,
    valAccuracy,
    seconds: 0,
    samplesPerSecond: 1,
  };
}

/** Drives `hook` through `epochs` epochs as trainModel would. */
async function drive(
  hook: (ctx: EpochEndContext) => Promise<void> | void,
  epochs: number,
  predict = marginPredict,
) {
  const history: EpochRecord[] = [];
  const calls: number[] = [];
  for (let e = 1; e <= epochs; e++) {
    history.push(record(e, 0.5 + e / 100, e % 2 === 0 ? 0.4 : null));
    await hook({
      epoch: e,
      epochs,
      history,
      model: marginModel,
      predict: async (x, n) => {
        calls.push(e);
        return predict(x, n);
      },
      stop: () => {},
    });
  }
  return calls;
}

test('the threshold attack at the chosen epochs: hand-computed AUC, advantage and TPR at 1% FPR', async () => {
  // margins (true-class logit − other): members 3, 2, 0.2; non-members 0.5, −1, 0. The loss threshold
  // ranks by margin: 8 of the 9 member/non-member pairs are ordered right → AUC 8/9; a threshold
  // between 0.5 and 2 flags 2/3 of the members and no non-member → advantage 2/3, TPR at 1% FPR 2/3.
  const cb = privacyMetricsCallback({
    model: 'm',
    experiment: 'e1',
    members: { x: Float32Array.of(3, 2, 0.2), y: Int32Array.of(0, 0, 0), n: 3 },
    nonMembers: { x: Float32Array.of(0.5, -1, 0), y: Int32Array.of(0, 0, 0), n: 3 },
    attacks: ['threshold'],
    everyEpochs: 2,
  });
  const calls = await drive(cb.onEpochEnd, 5);
  assert.deepEqual(calls, [2, 2, 4, 4, 5, 5], 'epochs 2 and 4, and the last one; members and non-members');
  assert.deepEqual(
    cb.points.map((p) => [p.epoch, p.attack, p.trainAccuracy, p.valAccuracy, p.experiment, p.model]),
    [
      [2, 'threshold', 0.52, 0.4, 'e1', 'm'],
      [4, 'threshold', 0.54, 0.4, 'e1', 'm'],
      [5, 'threshold', 0.55, null, 'e1', 'm'],
    ],
  );
  for (const p of cb.points) {
    assert.ok(Math.abs(p.auc - 8 / 9) < 1e-12, `AUC ${p.auc}`);
    assert.ok(Math.abs(p.advantage - 2 / 3) < 1e-12, `advantage ${p.advantage}`);
    assert.ok(Math.abs(p.tprAt1Fpr - 2 / 3) < 1e-12, `TPR ${p.tprAt1Fpr}`);
  }
  assert.equal(cb.nMembers, 3);
  assert.equal(cb.nNonMembers, 3);
  assert.ok(cb.seconds >= 0);
  const copy = cb.collection();
  copy.points[0]!.auc = 0;
  assert.notEqual(cb.points[0]!.auc, 0, 'collection() is a copy');
});

test('subsampling: the same seeded subset every epoch, equal to the attacks run on it directly', async () => {
  const rng = new Rng(7);
  const side = (n: number, shift: number) => {
    const x = new Float32Array(n);
    const y = new Int32Array(n);
    for (let i = 0; i < n; i++) x[i] = shift + rng.normal();
    return { x, y, n };
  };
  const members = side(300, 1);
  const nonMembers = side(250, 0);
  const seen: Float32Array[] = [];
  const cb = privacyMetricsCallback({ model: 'm', members, nonMembers, maxSamples: 60, seed: 3 });
  await drive(cb.onEpochEnd, 3, async (x, n) => {
    seen.push(Float32Array.from(x.subarray(0, n)));
    return marginPredict(x, n);
  });
  assert.equal(cb.nMembers, 60);
  assert.equal(cb.nNonMembers, 60);
  assert.equal(seen.length, 6);
  for (const s of seen) assert.equal(s.length, 60);
  assert.deepEqual(seen[2], seen[0], 'the same members every epoch');
  assert.deepEqual(seen[5], seen[1], 'the same non-members every epoch');
  // the subset is subsampleRows with the callback's forks of Rng(seed), rows kept in order
  const r = new Rng(3);
  const m = subsampleRows(members, 60, r.fork());
  const nm = subsampleRows(nonMembers, 60, r.fork());
  assert.deepEqual(seen[0], m.x);
  assert.deepEqual(seen[1], nm.x);
  // every point is runOutputAttacks on that subset (the default attacks: threshold and lr)
  const outputs = async (s: typeof m) =>
    makeModelOutputs({ logits: await marginPredict(s.x, s.n), labels: s.y, numClasses: 2, n: s.n }, 'oracle');
  const oracle = runOutputAttacks(
    { members: await outputs(m), nonMembers: await outputs(nm) },
    { attacks: ['threshold', 'lr'], slices: ['entire'], seed: 3, fprTargets: [0.01] },
  ).results;
  assert.deepEqual(
    cb.points.filter((p) => p.epoch === 1).map((p) => [p.attack, p.auc, p.advantage, p.tprAt1Fpr]),
    oracle.map((o) => [o.attack, o.auc, o.advantage, o.tprAtFpr['0.01']!.tpr]),
  );
  assert.ok(cb.points.find((p) => p.attack === 'threshold')!.auc > 0.7, 'members sit one σ higher');
});

test('subsampleRows draws among the given rows only, in ascending order', () => {
  const s = {
    x: Float32Array.from({ length: 20 }, (_, i) => i),
    y: Int32Array.from({ length: 10 }, (_, i) => i),
    n: 10,
  };
  const rows = Int32Array.of(1, 3, 5, 7, 9);
  const sub = subsampleRows(s, 3, new Rng(1), rows);
  assert.equal(sub.n, 3);
  for (let j = 0; j < 3; j++) {
    assert.ok([1, 3, 5, 7, 9].includes(sub.y[j]!));
    assert.deepEqual([...sub.x.subarray(2 * j, 2 * j + 2)], [2 * sub.y[j]!, 2 * sub.y[j]! + 1]);
    if (j > 0) assert.ok(sub.y[j]! > sub.y[j - 1]!);
  }
  assert.deepEqual([...subsampleRows(s, 9, new Rng(1), rows).y], [1, 3, 5, 7, 9], 'k ≥ rows: all of them');
  assert.equal(subsampleRows(s, 10, new Rng(1)), s, 'k ≥ n without rows: the samples themselves');
});

test('bad settings are E_ARGUMENT / E_EMPTY naming the callback', () => {
  const one = { x: Float32Array.of(1), y: Int32Array.of(0), n: 1 };
  const none = { x: new Float32Array(0), y: new Int32Array(0), n: 0 };
  for (const [opts, code] of [
    [{ everyEpochs: 0 }, 'E_ARGUMENT'],
    [{ maxSamples: 1.5 }, 'E_ARGUMENT'],
    [{ nonMembers: none }, 'E_EMPTY'],
  ] as const) {
    assert.throws(
      () => privacyMetricsCallback({ model: 'm', members: one, nonMembers: one, ...opts }),
      (e) => isMiaError(e) && e.code === code && /privacy callback/.test(e.where ?? ''),
    );
  }
});

test('during real training: points per epoch with the history accuracies; collections save, load and merge', async () => {
  const engine = await createEngine('auto');
  const data = makeSynthetic({ nTrain: 120, nTest: 80, shape: [10], numClasses: 3, noise: 1.5, seed: 4 });
  const collections = [];
  for (const [name, epochs] of [
    ['mlp-a', 4],
    ['mlp-b', 3],
  ] as const) {
    const model = await engine.build({
      arch: { name: 'mlp', params: { hidden: '32' } },
      inputShape: [10],
      numClasses: 3,
      seed: 1,
    });
    const cb = privacyMetricsCallback({
      model: name,
      members: data.train,
      nonMembers: data.test,
      everyEpochs: 1,
      seed: 2,
    });
    const res = await trainModel(model, data.train, {
      epochs,
      batchSize: 16,
      optimizer: { name: 'adam', lr: 0.01 },
      shuffleSeed: 5,
      validation: data.test,
      onEpochEnd: cb.onEpochEnd,
    });
    model.dispose();
    assert.equal(cb.points.length, 2 * epochs, 'threshold and lr after every epoch');
    for (const p of cb.points) {
      const h = res.history[p.epoch - 1]!;
      assert.equal(p.trainAccuracy, h.trainAccuracy);
      assert.equal(p.valAccuracy, h.valAccuracy);
      assert.ok(p.auc >= 0 && p.auc <= 1 && p.tprAt1Fpr >= 0 && p.tprAt1Fpr <= 1);
    }
    collections.push(cb.collection());
  }
  const merged = mergeCollections(...collections);
  assert.equal(merged.points.length, 14);
  assert.deepEqual(
    [...new Set(merged.points.map((p) => `${p.model}/${p.attack}`))],
    ['mlp-a/lr', 'mlp-a/threshold', 'mlp-b/lr', 'mlp-b/threshold'],
  );
  const path = join(tmp, 'privacy-by-epoch.json');
  saveCollection(path, merged);
  assert.deepEqual(loadCollection(path), merged, 'round trip through privacy-by-epoch.json');
});

test('same model, same samples, same attack seed: the last epoch repeats the final numbers exactly (issue 17 item 5)', async () => {
  const rng = new Rng(3);
  const draw = (n: number, shift: number) => {
    const x = new Float32Array(n);
    for (let i = 0; i < n; i++) x[i] = rng.normal() + shift;
    return { x, y: new Int32Array(n), n };
  };
  const members = draw(120, 0.6);
  const nonMembers = draw(110, 0);
  const opts = { model: 'm', members, nonMembers, attacks: ['threshold', 'lr'], seed: 1 };
  const cb = privacyMetricsCallback({ ...opts, attackSeed: 77 });
  await drive(cb.onEpochEnd, 2);
  const outputs = async (s: typeof members) =>
    makeModelOutputs({ logits: await marginPredict(s.x, s.n), labels: s.y, numClasses: 2, n: s.n }, 'final');
  const final = runOutputAttacks(
    { members: await outputs(members), nonMembers: await outputs(nonMembers) },
    { attacks: ['threshold', 'lr'], slices: ['entire'], seed: 77 },
  ).results;
  const last = cb.points.filter((p) => p.epoch === 2);
  assert.deepEqual(
    last.map((p) => [p.attack, p.auc, p.advantage]),
    final.map((r) => [r.attack, r.auc, r.advantage]),
  );
  // another seed for the attack moves the cross-fitted lr, which is what the shared seed removes
  const other = privacyMetricsCallback({ ...opts, attackSeed: 78 });
  await drive(other.onEpochEnd, 2);
  assert.notEqual(other.points.find((p) => p.epoch === 2 && p.attack === 'lr')!.auc, last[1]!.auc);
});
