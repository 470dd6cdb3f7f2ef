import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Knn } from '../../../src/attacks/classifiers/knn.js';
import { LogisticRegression } from '../../../src/attacks/classifiers/logistic-regression.js';
import { Mlp } from '../../../src/attacks/classifiers/mlp.js';
import { RandomForest } from '../../../src/attacks/classifiers/random-forest.js';
import { CLASSIFIER_KINDS, createClassifier } from '../../../src/attacks/classifiers/registry.js';
import { isMiaError } from '../../../src/errors.js';
import { Rng } from '../../../src/rng.js';

test('createClassifier maps each kind to its class and passes options through', () => {
  assert.deepEqual(CLASSIFIER_KINDS, ['lr', 'mlp', 'rf', 'knn']);
  assert.ok(createClassifier('lr') instanceof LogisticRegression);
  assert.ok(createClassifier('mlp') instanceof Mlp);
  assert.ok(createClassifier('rf') instanceof RandomForest);
  assert.ok(createClassifier('knn') instanceof Knn);
  const rf = createClassifier('rf', { nTrees: 3 }) as RandomForest;
  rf.fit(Float64Array.from([0, 1, 2, 3, 4, 5]), 6, 1, Uint8Array.from([0, 0, 0, 1, 1, 1]), new Rng(1));
  assert.equal(rf.nodeCounts.length, 3);
  assert.throws(
    () => createClassifier('tree' as unknown as 'rf'),
    (e) => isMiaError(e) && e.code === 'E_UNKNOWN_NAME' && e.expected === 'lr, mlp, rf, knn',
  );
});
