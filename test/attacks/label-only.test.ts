import assert from 'node:assert/strict';
import { test } from 'node:test';
import { labelAgreementScores, labelGapAuc, labelGapScores } from '../../src/attacks/label-only.js';
import { getOutputAttack } from '../../src/attacks/registry.js';
import { runOutputAttacks } from '../../src/audit/run-attacks.js';
import { isMiaError } from '../../src/errors.js';
import { auc } from '../../src/metrics/auc.js';
import { rocCurve } from '../../src/metrics/roc.js';
import { Rng } from '../../src/rng.js';
import { attackInputFromArrays, poolAttackInput, type RawArray } from '../../src/signals/attack-input.js';

const arr = (v: number[], shape = [v.length]): RawArray => ({ data: Float64Array.from(v), shape });

test('label-gap scores 1 where the argmax is the label, 0 elsewhere (hand-made predictor)', () => {
  // members: labels 0,1,1 predicted 0,1,0; non-members: labels 1,0 predicted 0,0
  const input = attackInputFromArrays(
    new Map([
      ['labels_train', arr([0, 1, 1])],
      ['probs_train', arr([0.9, 0.1, 0.2, 0.8, 0.6, 0.4], [3, 2])],
      ['labels_test', arr([1, 0])],
      ['probs_test', arr([0.7, 0.3, 0.55, 0.45], [2, 2])],
    ]),
    'hand',
  );
  const pooled = poolAttackInput(input);
  assert.deepEqual([...labelGapScores(pooled)], [1, 1, 0, 0, 1]);
  // acc members 2/3, acc non-members 1/2: AUC = ½(1 + 2/3 − 1/2)
  assert.ok(Math.abs(labelGapAuc(pooled) - 0.5 * (1 + 2 / 3 - 1 / 2)) < 1e-12);
  const { results } = runOutputAttacks(input, { attacks: ['label-gap'], slices: ['entire'], seed: 0 });
  assert.ok(Math.abs(results[0]!.auc - 0.5 * (1 + 2 / 3 - 1 / 2)) < 1e-12);
});

test('label-gap AUC equals ½(1 + acc_members − acc_non-members) on random predictors', () => {
  const rng = new Rng(7);
  for (let trial = 0; trial < 20; trial++) {
    const nm = 5 + rng.int(40);
    const nn = 5 + rng.int(40);
    const c = 2 + rng.int(5);
    const side = (n: number) => {
      const labels: number[] = [];
      const preds: number[] = [];
      for (let i = 0; i < n; i++) {
        labels.push(rng.int(c));
        preds.push(rng.int(c));
      }
      return { labels, preds };
    };
    const m = side(nm);
    const t = side(nn);
    const input = attackInputFromArrays(
      new Map([
        ['labels_train', arr(m.labels)],
        ['preds_train', arr(m.preds)],
        ['labels_test', arr(t.labels)],
        ['preds_test', arr(t.preds)],
      ]),
      'random',
    );
    const pooled = poolAttackInput(input);
    assert.equal(pooled.labelOnly, true);
    const accM = m.labels.filter((y, i) => y === m.preds[i]).length / nm;
    const accT = t.labels.filter((y, i) => y === t.preds[i]).length / nn;
    const s = getOutputAttack('label-gap').run(pooled, { seed: 0 }).scores;
    assert.ok(Math.abs(auc(rocCurve(s, pooled.isMember)) - 0.5 * (1 + accM - accT)) < 1e-12);
  }
});

test('preds_* alone refuse attacks that need probabilities, with one clear error', () => {
  const input = attackInputFromArrays(
    new Map([
      ['labels_train', arr([0, 1])],
      ['preds_train', arr([0, 0])],
      ['labels_test', arr([1, 0])],
      ['preds_test', arr([1, 1])],
    ]),
    'p.npz',
  );
  assert.throws(
    () => runOutputAttacks(input, { attacks: ['threshold'], slices: ['entire'], seed: 0 }),
    (e: unknown) => isMiaError(e) && e.code === 'E_MISSING_FIELD' && /label-gap/.test(String(e.expected)),
  );
});

test('preds beside probs are the predicted labels; a pred out of range is E_LABEL_RANGE', () => {
  const input = attackInputFromArrays(
    new Map([
      ['labels_train', arr([0])],
      ['probs_train', arr([0.9, 0.1], [1, 2])],
      ['preds_train', arr([1])],
      ['labels_test', arr([0])],
      ['probs_test', arr([0.9, 0.1], [1, 2])],
      ['preds_test', arr([0])],
    ]),
    'x',
  );
  assert.deepEqual([...labelGapScores(poolAttackInput(input))], [0, 1]);
  assert.throws(
    () =>
      attackInputFromArrays(
        new Map([
          ['labels_train', arr([0])],
          ['probs_train', arr([0.9, 0.1], [1, 2])],
          ['preds_train', arr([2])],
          ['labels_test', arr([0])],
          ['probs_test', arr([0.9, 0.1], [1, 2])],
          ['preds_test', arr([0])],
        ]),
        'x',
      ),
    (e: unknown) => isMiaError(e) && e.code === 'E_LABEL_RANGE',
  );
});

test('labelAgreementScores is the share of queries labelled correctly', () => {
  // 2 samples (labels 1, 0), 3 queries
  const preds = Int32Array.from([1, 0, 0, 0, 1, 1]);
  assert.deepEqual([...labelAgreementScores(preds, 3, Int32Array.from([1, 0]))], [2 / 3, 2 / 3]);
  assert.throws(() => labelAgreementScores(preds, 2, Int32Array.from([1, 0])), isMiaError);
});
