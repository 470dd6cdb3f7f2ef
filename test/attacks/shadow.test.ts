import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fitShadowMetaClassifier, type ShadowOutputs, shadowAttackScores } from '../../src/attacks/shadow.js';
import { isMiaError } from '../../src/errors.js';
import { auc } from '../../src/metrics/auc.js';
import { rocCurve } from '../../src/metrics/roc.js';
import { Rng } from '../../src/rng.js';
import { makeModelOutputs } from '../../src/signals/model-outputs.js';

/**
 * Outputs of a model that overfits: on its members the true-class logit is ~N(4, 1), on non-members
 * ~N(1.5, 1.5); other logits N(0, 1). `members` of the n samples come first.
 */
function outputs(n: number, members: number, c: number, seed: number): ShadowOutputs {
  const rng = new Rng(seed);
  const labels = new Int32Array(n);
  const logits = new Float64Array(n * c);
  const isMember = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    labels[i] = rng.int(c);
    isMember[i] = i < members ? 1 : 0;
    for (let k = 0; k < c; k++) logits[i * c + k] = rng.normal();
    logits[i * c + labels[i]!] = i < members ? 4 + rng.normal() : 1.5 + 1.5 * rng.normal();
  }
  return { outputs: makeModelOutputs({ logits, labels, numClasses: c }, 'test'), isMember };
}

const aucOf = (scores: Float64Array, isMember: Uint8Array) => auc(rocCurve(scores, isMember));

test('the meta-classifier learned on shadow models separates the target members', () => {
  const shadows = [outputs(400, 200, 4, 1), outputs(400, 200, 4, 2), outputs(400, 200, 4, 3)];
  const target = outputs(600, 300, 4, 9);
  const scores = shadowAttackScores(shadows, target.outputs, { seed: 5 });
  assert.equal(scores.length, 600);
  for (const s of scores) assert.ok(s >= 0 && s <= 1);
  // the signal is the true-class logit gap: the Bayes AUC here is about 0.9
  assert.ok(aucOf(scores, target.isMember) > 0.85, `AUC ${aucOf(scores, target.isMember)}`);
  // same seed, same scores; another seed, (slightly) different ones
  assert.deepEqual(shadowAttackScores(shadows, target.outputs, { seed: 5 }), scores);
  assert.notDeepEqual(shadowAttackScores(shadows, target.outputs, { seed: 6 }), scores);
});

test('training rows are balanced and capped', () => {
  const unbalanced = [outputs(300, 250, 3, 1)]; // 250 members, 50 non-members
  const m = fitShadowMetaClassifier(unbalanced, { seed: 1 });
  assert.equal(m.trainMembers, 50);
  assert.equal(m.trainNonMembers, 50);
  assert.equal(m.numClasses, 3);
  assert.deepEqual(m.columns.slice(0, 4), ['p_sorted_0', 'p_sorted_1', 'p_sorted_2', 'loss']);
  const capped = fitShadowMetaClassifier([outputs(400, 200, 3, 2)], { seed: 1, maxTrainRows: 100 });
  assert.equal(capped.trainMembers, 50);
  assert.equal(capped.trainNonMembers, 50);
});

test('bad shadow inputs are MiaErrors naming the problem', () => {
  const is = (code: string) => (e: unknown) => isMiaError(e) && e.code === code;
  assert.throws(() => fitShadowMetaClassifier([], { seed: 0 }), is('E_EMPTY'));
  const a = outputs(20, 10, 3, 1);
  assert.throws(
    () => fitShadowMetaClassifier([a, outputs(20, 10, 4, 2)], { seed: 0 }),
    is('E_SHAPE_MISMATCH'),
  );
  assert.throws(
    () => fitShadowMetaClassifier([{ outputs: a.outputs, isMember: new Uint8Array(19) }], { seed: 0 }),
    is('E_SHAPE_MISMATCH'),
  );
  assert.throws(
    () =>
      fitShadowMetaClassifier([{ outputs: a.outputs, isMember: new Uint8Array(20).fill(2) }], { seed: 0 }),
    is('E_LABEL_RANGE'),
  );
  assert.throws(
    () =>
      fitShadowMetaClassifier([{ outputs: a.outputs, isMember: new Uint8Array(20).fill(1) }], { seed: 0 }),
    is('E_EMPTY'),
  );
  const m = fitShadowMetaClassifier([a], { seed: 0 });
  assert.throws(() => m.score(outputs(5, 2, 4, 3).outputs), is('E_SHAPE_MISMATCH'));
});
