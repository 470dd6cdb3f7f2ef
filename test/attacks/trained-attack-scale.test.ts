import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Knn } from '../../src/attacks/classifiers/knn.js';
import { LogisticRegression } from '../../src/attacks/classifiers/logistic-regression.js';
import { RandomForest } from '../../src/attacks/classifiers/random-forest.js';
import { runTrainedAttack } from '../../src/attacks/trained-attack.js';
import { crossFitNote } from '../../src/attacks/trained-attack-note.js';
import {
  checkMaxTrainPerClass,
  DEFAULT_MAX_TRAIN_PER_CLASS,
  SCORE_CHUNK,
  SUBSAMPLED_CLASSIFIER_OPTIONS,
  scoreRows,
  type TrainedAttackProgress,
  trainedAttackClassifier,
} from '../../src/attacks/trained-attack-scale.js';
import { isMiaError } from '../../src/errors.js';
import { Rng } from '../../src/rng.js';
import { attackData } from './classifiers/helpers.js';

test('maxTrainPerClass: a small cap trains each attacker on that many per class, scores every sample, says so', () => {
  const { x, isMember, n, d } = attackData(300, 400, 3, 1);
  for (const kind of ['lr', 'mlp', 'rf', 'knn'] as const) {
    const r = runTrainedAttack(kind, x, n, d, isMember, { seed: 4, crossFit: true, maxTrainPerClass: 40 });
    assert.equal(r.split.trainMembers, 40, kind);
    assert.equal(r.split.trainNonMembers, 40, kind);
    assert.deepEqual([r.split.evalMembers, r.split.evalNonMembers], [300, 400]);
    assert.deepEqual(r.evaluated, new Uint8Array(n).fill(1));
    for (const s of r.scores) assert.ok(s >= 0 && s <= 1, `${kind}: score ${s}`);
    // Halves of 150 members and 200 non-members, balanced: 150 + 150 available to the first attacker.
    assert.deepEqual(r.subsample, {
      maxTrainPerClass: 40,
      availableMembers: 150,
      availableNonMembers: 150,
      limits:
        kind === 'rf'
          ? 'trees at most 10 deep'
          : kind === 'knn'
            ? 'approximate neighbours: at most 2 KD-tree leaves scanned per sample'
            : '',
    });
    const note = crossFitNote(r);
    assert.match(
      note,
      /^each attacker trained on 80 of the 300 samples of its half \(seeded subsample: at most 40 per class/,
    );
    assert.match(note, /trained on 40 members \+ 40 non-members of one half/);
    assert.match(note, /all 300 \+ 400 samples scored out-of-sample$/);
  }
});

test('maxTrainPerClass: deterministic under the seed; the seed picks the subsample', () => {
  const { x, isMember, n, d } = attackData(250, 250, 3, 2);
  const run = (seed: number) =>
    runTrainedAttack('lr', x, n, d, isMember, { seed, crossFit: true, maxTrainPerClass: 30 }).scores;
  assert.deepEqual(run(7), run(7));
  assert.notDeepEqual(run(8), run(7));
});

test('maxTrainPerClass not reached: the result is the uncapped one, with no subsample', () => {
  const { x, isMember, n, d } = attackData(200, 260, 3, 3);
  for (const kind of ['lr', 'rf', 'knn'] as const) {
    for (const crossFit of [true, false]) {
      const free = runTrainedAttack(kind, x, n, d, isMember, { seed: 5, crossFit });
      // Cross-fitted halves hold 100 members; the held-out split trains ⌊0.75·200⌋ = 150 of each.
      const capped = runTrainedAttack(kind, x, n, d, isMember, { seed: 5, crossFit, maxTrainPerClass: 150 });
      assert.deepEqual(capped, free, `${kind}, crossFit ${crossFit}`);
      assert.equal(capped.subsample, undefined);
    }
  }
  assert.equal(DEFAULT_MAX_TRAIN_PER_CLASS, 50_000);
});

test('maxTrainPerClass on the held-out split: the rows it no longer trains on are evaluated', () => {
  const { x, isMember, n, d } = attackData(400, 600, 3, 4);
  const r = runTrainedAttack('lr', x, n, d, isMember, { seed: 1, maxTrainPerClass: 100 });
  assert.deepEqual(
    [r.split.trainMembers, r.split.trainNonMembers, r.split.evalMembers, r.split.evalNonMembers],
    [100, 100, 300, 500],
  );
  assert.deepEqual(r.subsample, {
    maxTrainPerClass: 100,
    availableMembers: 300,
    availableNonMembers: 300,
    limits: '',
  });
  let evaluated = 0;
  for (let i = 0; i < n; i++) {
    if (r.evaluated[i] === 1) {
      evaluated++;
      assert.ok(r.scores[i]! >= 0 && r.scores[i]! <= 1);
    } else assert.ok(Number.isNaN(r.scores[i]!));
  }
  assert.equal(evaluated, 800);
});

test('maxTrainPerClass must be a positive integer or Infinity (E_ARGUMENT)', () => {
  const { x, isMember, n, d } = attackData(20, 20, 2, 5);
  for (const bad of [0, -3, 2.5, Number.NaN]) {
    assert.throws(
      () => runTrainedAttack('lr', x, n, d, isMember, { seed: 1, maxTrainPerClass: bad }),
      (e: unknown) => isMiaError(e) && e.code === 'E_ARGUMENT' && e.where === 'maxTrainPerClass',
    );
  }
  checkMaxTrainPerClass(Number.POSITIVE_INFINITY);
  checkMaxTrainPerClass(1);
});

test('a capped training set brings the rf and knn limits: rf trees at most 10 deep, knn at most 2 leaves a query', () => {
  assert.deepEqual(SUBSAMPLED_CLASSIFIER_OPTIONS, { rf: { maxDepth: 10 }, knn: { maxLeaves: 2 } });
  const { x, isMember, n, d } = attackData(3000, 3000, 4, 6);
  const rf = trainedAttackClassifier('rf', true) as RandomForest;
  assert.ok(rf instanceof RandomForest);
  rf.fit(x, n, d, isMember, new Rng(1));
  assert.ok(Math.max(...rf.depths) <= 10, `depths ${rf.depths}`);
  const free = trainedAttackClassifier('rf', false) as RandomForest;
  free.fit(x, n, d, isMember, new Rng(1));
  assert.ok(Math.max(...free.depths) > 10, `unlimited depths ${free.depths}`);
  const knn = trainedAttackClassifier('knn', true) as Knn;
  knn.fit(x, n, d, isMember, new Rng(1));
  const tree = (knn as unknown as { tree: { scannedLeaves: number } }).tree;
  knn.predictProba(x.subarray(0, 500 * d), 500, d);
  assert.ok(tree.scannedLeaves <= 2 * 500, `${tree.scannedLeaves} leaves for 500 queries`);
  assert.ok(trainedAttackClassifier('lr', true) instanceof LogisticRegression);
});

test('scoreRows: chunked scoring equals one predictProba over all rows, in the order of rows', () => {
  const n = SCORE_CHUNK + 1234;
  const d = 2;
  const rng = new Rng(3);
  const x = Float64Array.from({ length: n * d }, () => rng.normal());
  const y = Uint8Array.from({ length: n }, (_, i) => (x[i * d]! + 0.5 * rng.normal() > 0 ? 1 : 0));
  const lr = new LogisticRegression();
  lr.fit(x.subarray(0, 2000 * d), 2000, d, y.subarray(0, 2000), rng);
  const rows = rng.permutation(n);
  const chunks: number[] = [];
  const p = scoreRows(lr, x, d, rows, (done) => chunks.push(done));
  assert.deepEqual(chunks, [SCORE_CHUNK, n]);
  const all = lr.predictProba(x, n, d);
  for (let e = 0; e < n; e++) assert.equal(p[e], all[rows[e]!]);
});

test('onProgress: each attacker reports fit, trained, then its chunks scored', () => {
  const { x, isMember, n, d } = attackData(100, 120, 2, 7);
  const steps: TrainedAttackProgress[] = [];
  runTrainedAttack('lr', x, n, d, isMember, { seed: 1, crossFit: true, onProgress: (p) => steps.push(p) });
  assert.deepEqual(
    steps.map((s) => [s.fold, s.step, s.scored, s.toScore, s.trainRows]),
    [
      [0, 'fit', 0, 110, 100],
      [0, 'trained', 0, 110, 100],
      [0, 'scored', 110, 110, 100],
      [1, 'fit', 0, 110, 100],
      [1, 'trained', 0, 110, 100],
      [1, 'scored', 110, 110, 100],
    ],
  );
  for (const s of steps) assert.equal(s.folds, 2);
});
