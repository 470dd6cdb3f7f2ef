import assert from 'node:assert/strict';
import { test } from 'node:test';
import { allReferences, leaveOneOut, makePopulation } from '../../src/attacks/population.js';
import { attackPScores, attackRScores } from '../../src/attacks/reference-baselines.js';
import { MiaError } from '../../src/errors.js';
import { Rng } from '../../src/rng.js';

test('attack-r: mid-rank fraction of OUT references whose loss is above the target (φ below)', () => {
  // 4 references, 2 samples. Sample 0: OUT refs m1, m2, m3 with φ 1, 2, 3; sample 1: OUT m0, m1 with φ 5, 7
  const pop = makePopulation({
    models: 4,
    samples: 2,
    keep: Uint8Array.from([1, 0, 0, 0, 0, 1, 0, 1]),
    signal: Float64Array.from([9, 5, 1, 7, 2, 9, 3, 9]),
  });
  // target φ: 2 → above 1, tie with 2 → (1 + 0.5)/3; 8 → above both → 1
  assert.deepEqual(Array.from(attackRScores(allReferences(pop), Float64Array.from([2, 8]))), [1.5 / 3, 1]);
  // the IN rows (φ = 9) are never used: raising them changes nothing
  const pop2 = makePopulation({
    models: 4,
    samples: 2,
    keep: pop.keep,
    signal: Float64Array.from([-9, 5, 1, 7, 2, -9, 3, -9]),
  });
  assert.deepEqual(Array.from(attackRScores(allReferences(pop2), Float64Array.from([2, 8]))), [0.5, 1]);
});

test('attack-r with queries averages them first, and works through a leave-one-out view', () => {
  const pop = makePopulation({
    models: 3,
    samples: 1,
    queries: 2,
    keep: Uint8Array.from([0, 0, 1]),
    signal: Float64Array.from([0, 2, 4, 6, 1, 1]), // means 1, 5, 1
  });
  const loo = leaveOneOut(pop, 2); // target mean 1; OUT refs means 1 and 5 → (0.5 + 0) / 2
  assert.deepEqual(Array.from(attackRScores(loo.references, loo.target)), [0.25]);
});

test('attack-p: mid-rank fraction of population losses above the target loss; ranking = φ', () => {
  const pop = makePopulation({
    models: 1,
    samples: 3,
    keep: new Uint8Array(3),
    signal: new Float64Array(3),
    popSamples: 4,
    popSignal: new Float64Array(4),
  });
  const s = attackPScores(pop, Float64Array.from([2, 0, 10]), Float64Array.from([1, 2, 3, 2]));
  // φ = 2: below it {1}, ties {2, 2} → (1 + 1)/4; φ = 0: none; φ = 10: all
  assert.deepEqual(Array.from(s), [0.5, 0, 1]);
  // against a brute-force count on random data
  const rng = new Rng(5);
  const n = 300;
  const zn = 200;
  const big = makePopulation({
    models: 1,
    samples: n,
    keep: new Uint8Array(n),
    signal: new Float64Array(n),
    popSamples: zn,
    popSignal: new Float64Array(zn),
  });
  const t = Float64Array.from({ length: n }, () => rng.int(20));
  const zt = Float64Array.from({ length: zn }, () => rng.int(20));
  const got = attackPScores(big, t, zt);
  for (let i = 0; i < n; i++) {
    let c = 0;
    for (let k = 0; k < zn; k++) c += zt[k]! < t[i]! ? 1 : zt[k] === t[i] ? 0.5 : 0;
    assert.equal(got[i], c / zn);
  }
});

test('baseline errors', () => {
  const pop = makePopulation({
    models: 1,
    samples: 1,
    keep: Uint8Array.from([1]),
    signal: new Float64Array(1),
  });
  assert.throws(
    () => attackRScores(allReferences(pop), new Float64Array(1)),
    (e: unknown) => e instanceof MiaError && e.code === 'E_EMPTY' && /sample 0 has no OUT/.test(e.message),
  );
  assert.throws(
    () => attackPScores(pop, new Float64Array(1), undefined),
    (e: unknown) => e instanceof MiaError && e.code === 'E_MISSING_FIELD',
  );
});
