import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  DEFAULT_TRAIN_FRACTION,
  runTrainedAttack,
  splitTrainedAttack,
} from '../../src/attacks/trained-attack.js';
import { isMiaError } from '../../src/errors.js';
import { Rng } from '../../src/rng.js';
import { attackData, bruteAuc } from './classifiers/helpers.js';

function evaluatedAuc(r: ReturnType<typeof runTrainedAttack>, isMember: Uint8Array): number {
  const s: number[] = [];
  const y: number[] = [];
  for (let i = 0; i < r.scores.length; i++) {
    if (r.evaluated[i] !== 1) continue;
    s.push(r.scores[i]!);
    y.push(isMember[i]!);
  }
  return bruteAuc(Float64Array.from(s), Uint8Array.from(y));
}

test('runTrainedAttack: balanced split sizes follow TF Privacy (train ⌊0.75·min⌋ of each class)', () => {
  const { x, isMember, n, d } = attackData(400, 1000, 3, 1);
  const r = runTrainedAttack('lr', x, n, d, isMember, { seed: 5 });
  assert.equal(DEFAULT_TRAIN_FRACTION, 0.75);
  assert.deepEqual(r.split, {
    trainMembers: 300,
    trainNonMembers: 300,
    evalMembers: 100,
    evalNonMembers: 700,
    seed: 5,
    trainFraction: 0.75,
    balanced: true,
    folds: 1,
  });
  // The evaluated mask agrees with the counts, per class.
  let em = 0;
  let en = 0;
  for (let i = 0; i < n; i++) if (r.evaluated[i] === 1) isMember[i] === 1 ? em++ : en++;
  assert.deepEqual([em, en], [100, 700]);
});

test('runTrainedAttack: unbalanced split takes ⌊trainFraction·count⌋ of each class (stratified)', () => {
  const { x, isMember, n, d } = attackData(401, 999, 2, 2);
  const r = runTrainedAttack('lr', x, n, d, isMember, { seed: 1, balance: false, trainFraction: 0.5 });
  assert.equal(r.split.trainMembers, 200);
  assert.equal(r.split.trainNonMembers, 499);
  assert.equal(r.split.evalMembers, 201);
  assert.equal(r.split.evalNonMembers, 500);
  assert.equal(r.split.balanced, false);
  // Tiny classes keep ≥ 1 row on each side.
  const t = attackData(2, 50, 2, 3);
  const rt = runTrainedAttack('lr', t.x, t.n, t.d, t.isMember, { seed: 1, trainFraction: 0.1 });
  assert.equal(rt.split.trainMembers, 1);
  assert.equal(rt.split.evalMembers, 1);
});

test('runTrainedAttack: train and evaluated rows are disjoint and cover all rows; scores NaN exactly on train rows', () => {
  const { x, isMember, n, d } = attackData(300, 500, 3, 4);
  for (const kind of ['lr', 'knn'] as const) {
    const r = runTrainedAttack(kind, x, n, d, isMember, { seed: 9 });
    assert.equal(r.scores.length, n);
    assert.equal(r.evaluated.length, n);
    let trained = 0;
    for (let i = 0; i < n; i++) {
      assert.ok(r.evaluated[i] === 0 || r.evaluated[i] === 1);
      if (r.evaluated[i] === 0) {
        trained++;
        assert.ok(Number.isNaN(r.scores[i]!));
      } else {
        assert.ok(r.scores[i]! >= 0 && r.scores[i]! <= 1);
      }
    }
    assert.equal(trained, r.split.trainMembers + r.split.trainNonMembers);
    assert.equal(n - trained, r.split.evalMembers + r.split.evalNonMembers);
  }
});

test('splitTrainedAttack is the split of runTrainedAttack; training rows come mixed, not members first', () => {
  const { x, isMember, n, d } = attackData(300, 300, 2, 10);
  const s = splitTrainedAttack(isMember, new Rng(21));
  const r = runTrainedAttack('lr', x, n, d, isMember, { seed: 21 });
  assert.deepEqual(s.evaluated, r.evaluated);
  assert.deepEqual(
    s.counts,
    (({ trainMembers, trainNonMembers, evalMembers, evalNonMembers }) => ({
      trainMembers,
      trainNonMembers,
      evalMembers,
      evalNonMembers,
    }))(r.split),
  );
  const seen = new Set([...s.trainRows, ...s.evalRows]);
  assert.equal(seen.size, n);
  assert.equal(s.trainRows.length + s.evalRows.length, n);
  for (let i = 1; i < s.evalRows.length; i++) assert.ok(s.evalRows[i]! > s.evalRows[i - 1]!);
  // Members of the first half of the training order: about half, not all.
  const half = s.trainRows.subarray(0, s.trainRows.length / 2);
  const m = half.reduce((a, r) => a + isMember[r]!, 0);
  assert.ok(m > 0.35 * half.length && m < 0.65 * half.length, `members in first half: ${m}/${half.length}`);
});

test('runTrainedAttack: same seed → identical result; another seed → another split', () => {
  const { x, isMember, n, d } = attackData(200, 300, 3, 5);
  for (const kind of ['lr', 'mlp', 'rf', 'knn'] as const) {
    const a = runTrainedAttack(kind, x, n, d, isMember, { seed: 11 });
    const b = runTrainedAttack(kind, x, n, d, isMember, { seed: 11 });
    assert.deepEqual(b.evaluated, a.evaluated, kind);
    assert.deepEqual(b.scores, a.scores, kind);
  }
  const a = runTrainedAttack('lr', x, n, d, isMember, { seed: 11 });
  const c = runTrainedAttack('lr', x, n, d, isMember, { seed: 12 });
  assert.notDeepEqual(c.evaluated, a.evaluated);
});

test('runTrainedAttack: every kind finds the membership signal on held-out rows', () => {
  const { x, isMember, n, d } = attackData(1000, 1500, 4, 6);
  for (const kind of ['lr', 'mlp', 'rf', 'knn'] as const) {
    const r = runTrainedAttack(kind, x, n, d, isMember, { seed: 3 });
    const auc = evaluatedAuc(r, isMember);
    // Bayes AUC for a 1.5σ shift is Φ(1.5/√2) ≈ 0.86; KNN with k = 5 is the noisiest.
    assert.ok(auc > (kind === 'knn' ? 0.75 : 0.8), `${kind}: AUC ${auc}`);
  }
});

test('runTrainedAttack: balanced training really is balanced when the classes are not', () => {
  // Members are rare (10%) and carry no signal: a classifier trained on balanced data predicts ~0.5
  // on average, one trained on the raw 10/90 mix predicts ~0.1.
  const { x, isMember, n, d } = attackData(200, 1800, 2, 7);
  for (let i = 0; i < n; i++) x[i * d] = new Rng(i).normal(); // remove the signal
  const mean = (r: ReturnType<typeof runTrainedAttack>) => {
    let s = 0;
    let c = 0;
    r.scores.forEach((v, i) => {
      if (r.evaluated[i] === 1) {
        s += v;
        c++;
      }
    });
    return s / c;
  };
  const bal = runTrainedAttack('lr', x, n, d, isMember, { seed: 1 });
  const raw = runTrainedAttack('lr', x, n, d, isMember, { seed: 1, balance: false });
  assert.ok(Math.abs(mean(bal) - 0.5) < 0.05, `balanced mean ${mean(bal)}`);
  assert.ok(Math.abs(mean(raw) - 0.1) < 0.03, `unbalanced mean ${mean(raw)}`);
});

test('runTrainedAttack rejects bad input with MiaErrors', () => {
  const { x, isMember, n, d } = attackData(10, 10, 2, 8);
  const code = (f: () => unknown) => {
    try {
      f();
    } catch (e) {
      assert.ok(isMiaError(e), String(e));
      return e.code;
    }
    return 'none';
  };
  assert.equal(
    code(() => runTrainedAttack('lr', x, n, 3, isMember, { seed: 1 })),
    'E_SHAPE_MISMATCH',
  );
  assert.equal(
    code(() => runTrainedAttack('lr', x, n, d, isMember.subarray(1), { seed: 1 })),
    'E_SHAPE_MISMATCH',
  );
  assert.equal(
    code(() => runTrainedAttack('lr', x, n, d, isMember, { seed: 1, trainFraction: 1 })),
    'E_ARGUMENT',
  );
  assert.equal(
    code(() => runTrainedAttack('lr', x, n, d, isMember, { seed: 1, trainFraction: 0 })),
    'E_ARGUMENT',
  );
  // An unknown kind, as from an untyped config.
  assert.equal(
    code(() => runTrainedAttack('svm' as unknown as 'lr', x, n, d, isMember, { seed: 1 })),
    'E_UNKNOWN_NAME',
  );
  const bad = x.slice();
  bad[7] = Number.NaN;
  assert.equal(
    code(() => runTrainedAttack('lr', bad, n, d, isMember, { seed: 1 })),
    'E_NOT_FINITE',
  );
  const two = isMember.slice();
  two[0] = 2;
  assert.equal(
    code(() => runTrainedAttack('lr', x, n, d, two, { seed: 1 })),
    'E_LABEL_RANGE',
  );
  const one = new Uint8Array(n);
  one[0] = 1;
  assert.equal(
    code(() => runTrainedAttack('lr', x, n, d, one, { seed: 1 })),
    'E_EMPTY',
  );
});

test('runTrainedAttack crossFit: every row scored out-of-sample, balanced attackers, deterministic', () => {
  const { x, isMember, n, d } = attackData(400, 1000, 3, 2);
  const r = runTrainedAttack('lr', x, n, d, isMember, { seed: 4, crossFit: true });
  assert.ok(r.evaluated.every((e) => e === 1));
  assert.ok(r.scores.every((v) => Number.isFinite(v)));
  // each attacker trains on half of the smaller class from each class
  assert.equal(r.split.folds, 2);
  assert.equal(r.split.trainMembers, 200);
  assert.equal(r.split.trainNonMembers, 200);
  assert.equal(r.split.evalMembers, 400);
  assert.equal(r.split.evalNonMembers, 1000);
  assert.ok(evaluatedAuc(r, isMember) > 0.8);
  const again = runTrainedAttack('lr', x, n, d, isMember, { seed: 4, crossFit: true });
  assert.deepEqual(again.scores, r.scores);
  // A 1-nearest-neighbour attacker would score its own training rows perfectly; out-of-sample it cannot
  // reach AUC 1 on overlapping classes — evidence that no row is scored by an attacker trained on it.
  const knn = runTrainedAttack('knn', x, n, d, isMember, { seed: 4, crossFit: true });
  assert.ok(evaluatedAuc(knn, isMember) < 0.95);
});

test('too few members or non-members: E_EMPTY names the input (default "the attack input") and *_train / *_test', () => {
  const { x, n, d } = attackData(10, 10, 2, 8);
  const oneNonMember = new Uint8Array(n).fill(1);
  oneNonMember[n - 1] = 0;
  const message = (f: () => unknown): string => {
    try {
      f();
    } catch (e) {
      assert.ok(isMiaError(e), String(e));
      assert.equal(e.code, 'E_EMPTY');
      return e.oneLine();
    }
    return 'no error';
  };
  for (const crossFit of [false, true]) {
    const plain = message(() => runTrainedAttack('lr', x, n, d, oneNonMember, { seed: 1, crossFit }));
    assert.match(plain, /^\[E_EMPTY\] the attack input: a trained attack .*2 members \(the \*_train rows\)/);
    assert.match(plain, /2 non-members \(the \*_test rows\).*found 19 members, 1 non-member\)/);
    assert.doesNotMatch(plain, /isMember/);
    const named = message(() =>
      runTrainedAttack('knn', x, n, d, oneNonMember, { seed: 1, crossFit, where: 'run.npz' }),
    );
    assert.match(named, /^\[E_EMPTY\] run\.npz: a trained attack/);
  }
});
