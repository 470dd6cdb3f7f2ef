// The query-based label-only attacks on an overfit small MLP: members are more robust to augmentation
// and noise and lie farther from the decision boundary; the boundary search keeps to its query budget;
// the same seed gives the same scores.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { getOutputAttack } from '../../src/attacks/registry.js';
import { loadDataset } from '../../src/data/registry.js';
import { concat } from '../../src/data/splits.js';
import { isMiaError } from '../../src/errors.js';
import { createEngine } from '../../src/models/engines/create-engine.js';
import { trainModel } from '../../src/models/train.js';
import type { PooledOutputs } from '../../src/signals/attack-input.js';
import { augmentationName } from '../../src/signals/augment.js';
import { boundaryDistances } from '../../src/signals/boundary-distance.js';
import {
  augmentAndNoiseLabels,
  type LabelModel,
  labelAugmentations,
} from '../../src/signals/label-queries.js';
import { makeModelOutputs } from '../../src/signals/model-outputs.js';

/** Mann–Whitney AUC of scores (members first: the first m). */
function aucOf(s: Float64Array, m: number): number {
  let wins = 0;
  for (let i = 0; i < m; i++)
    for (let j = m; j < s.length; j++) wins += s[i]! > s[j]! ? 1 : s[i] === s[j] ? 0.5 : 0;
  return wins / (m * (s.length - m));
}

const setup = (async () => {
  const { train, test: held } = await loadDataset('synthetic', {
    synthetic: { shape: [6, 6, 1], numClasses: 4, nTrain: 60, nTest: 60, seed: 5, noise: 4 },
  });
  const engine = await createEngine('tfjs', { backend: 'cpu' });
  const model = await engine.build({
    arch: { name: 'mlp', params: { hidden: '64' } },
    inputShape: [6, 6, 1],
    numClasses: 4,
    seed: 2,
  });
  await trainModel(model, train, {
    epochs: 80,
    batchSize: 10,
    optimizer: { name: 'adam', lr: 0.01 },
    shuffleSeed: 1,
  });
  const all = concat(train, held);
  const logits = await model.predict(all.x, all.n);
  const isMember = new Uint8Array(all.n);
  isMember.fill(1, 0, train.n);
  const pooled: PooledOutputs = {
    ...makeModelOutputs({ logits, labels: all.y, numClasses: 4, n: all.n }, 'test'),
    isMember,
    nMembers: train.n,
    nNonMembers: held.n,
  };
  let calls = 0;
  let rows = 0;
  const counting: LabelModel = {
    predict: (x, n) => {
      calls++;
      rows += n;
      return model.predict(x, n);
    },
  };
  return { all, pooled, counting, count: () => ({ calls, rows }), m: train.n };
})();

test('label-augment and label-noise: members keep their label under more queries (AUC > 0.5); the seed fixes the noise', async () => {
  const { all, pooled, counting, m } = await setup;
  const plan = { augment: { shift: 1, flip: true }, noise: { sigmas: [0.3, 0.6], draws: 5 }, seed: 4 };
  const q = await augmentAndNoiseLabels(counting, all.x, all.n, all.shape, plan);
  assert.equal(q.augment!.names.length, 10);
  assert.equal(q.augment!.preds.length, 10 * all.n);
  assert.equal(q.noise!.preds.length, 10 * all.n);
  const aug = getOutputAttack('label-augment').run(pooled, { seed: 0, labelQueries: q });
  const noise = getOutputAttack('label-noise').run(pooled, { seed: 0, labelQueries: q });
  const gap = getOutputAttack('label-gap').run(pooled, { seed: 0 });
  for (const s of [aug, noise]) {
    for (const v of s.scores) assert.ok(v >= 0 && v <= 1);
    assert.ok(aucOf(s.scores, m) > 0.6, `${s.attack} AUC ${aucOf(s.scores, m)}`);
  }
  // finer-grained than the gap attack's two values
  assert.ok(new Set(aug.scores).size > new Set(gap.scores).size);
  const again = await augmentAndNoiseLabels(counting, all.x, all.n, all.shape, plan);
  assert.deepEqual(again.noise!.preds, q.noise!.preds);
  const other = await augmentAndNoiseLabels(counting, all.x, all.n, all.shape, { ...plan, seed: 5 });
  assert.notDeepEqual(other.noise!.preds, q.noise!.preds);
});

test('label-boundary: members lie farther from the boundary; each sample keeps to the query budget; deterministic', async () => {
  const { all, pooled, counting, count, m } = await setup;
  const before = count().rows;
  const r = await boundaryDistances(counting, all.x, all.y, { maxQueries: 80, seed: 3 });
  const spent = count().rows - before;
  let total = 0;
  for (const v of r.queries) {
    assert.ok(v >= 1 && v <= 80, `queries ${v}`);
    total += v;
  }
  assert.equal(total, spent, 'every query the model saw is counted');
  const s = getOutputAttack('label-boundary').run(pooled, { seed: 0, labelQueries: { boundary: r } });
  const mean = [0, 0];
  for (let i = 0; i < all.n; i++) mean[i < m ? 0 : 1]! += s.scores[i]! / (i < m ? m : all.n - m);
  assert.ok(mean[0]! > mean[1]!, `member mean ${mean[0]} vs non-member ${mean[1]}`);
  assert.ok(aucOf(s.scores, m) > 0.6, `AUC ${aucOf(s.scores, m)}`);
  // misclassified samples have distance 0
  for (let i = 0; i < all.n; i++) {
    if (argmax(pooled.probs, i) !== all.y[i]) assert.equal(r.distance[i], 0);
    else assert.ok(r.distance[i]! > 0);
  }
  const again = await boundaryDistances(counting, all.x, all.y, { maxQueries: 80, seed: 3 });
  assert.deepEqual(again.distance, r.distance);
  const tight = await boundaryDistances(counting, all.x, all.y, { maxQueries: 12, seed: 3 });
  for (const v of tight.queries) assert.ok(v <= 12);
});

function argmax(p: Float64Array, i: number): number {
  let b = 0;
  for (let k = 1; k < 4; k++) if (p[i * 4 + k]! > p[i * 4 + b]!) b = k;
  return b;
}

test('labelAugmentations: identity, mirror, then the shifts with |dx| + |dy| = r for r = 1..d', () => {
  assert.deepEqual(labelAugmentations(1, false).map(augmentationName), [
    'identity',
    'shift(-1,0)',
    'shift(0,-1)',
    'shift(0,1)',
    'shift(1,0)',
  ]);
  assert.equal(labelAugmentations(1, true).length, 10);
  assert.equal(labelAugmentations(2, true).length, 2 + 2 * (4 + 8));
  assert.throws(() => labelAugmentations(-1, true), isMiaError);
});

test('the query-based label attacks refuse exported outputs with one line', async () => {
  const { pooled } = await setup;
  for (const name of ['label-augment', 'label-noise', 'label-boundary']) {
    assert.throws(
      () => getOutputAttack(name).run(pooled, { seed: 0 }),
      (e: unknown) => isMiaError(e) && e.code === 'E_MISSING_FIELD' && /--model/.test(e.expected ?? ''),
    );
  }
});
