import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  allReferences,
  leaveOneOut,
  makePopulation,
  meanOverQueries,
  referenceCount,
  withoutRow,
} from '../../src/attacks/population.js';
import { MiaError } from '../../src/errors.js';

function small() {
  // M = 3 models, N = 2 samples, A = 2 queries; Z = 2 population samples, Ap = 1
  return makePopulation({
    models: 3,
    samples: 2,
    queries: 2,
    keep: Uint8Array.from([1, 0, 0, 1, 1, 1]),
    signal: Float32Array.from([0, 1, 2, 3, 10, 11, 12, 13, 20, 21, 22, 23]),
    popSamples: 2,
    popSignal: Float32Array.from([5, 6, 15, 16, 25, 26]),
  });
}

test('leaveOneOut is a view: subarrays share memory, references skip the target row', () => {
  const pop = small();
  const loo = leaveOneOut(pop, 1);
  assert.deepEqual(Array.from(loo.target), [10, 11, 12, 13]);
  assert.deepEqual(Array.from(loo.targetMember), [0, 1]);
  assert.deepEqual(Array.from(loo.targetPop ?? []), [15, 16]);
  assert.deepEqual(Array.from(loo.references.rows), [0, 2]);
  assert.equal(referenceCount(loo.references), 2);
  assert.equal(loo.target.buffer, pop.signal.buffer);
  assert.equal(loo.targetMember.buffer, pop.keep.buffer);
  (pop.signal as Float32Array)[4] = 99; // a write through the population shows in the view
  assert.equal(loo.target[0], 99);
});

test('allReferences and withoutRow', () => {
  const pop = small();
  assert.deepEqual(Array.from(allReferences(pop).rows), [0, 1, 2]);
  assert.deepEqual(Array.from(withoutRow(allReferences(pop), 0).rows), [1, 2]);
  assert.deepEqual(Array.from(withoutRow(withoutRow(allReferences(pop), 0), 2).rows), [1]);
});

test('meanOverQueries averages each row of [n, A]', () => {
  assert.deepEqual(Array.from(meanOverQueries(Float32Array.from([1, 2, 3, 5]), 2, 2)), [1.5, 4]);
  assert.deepEqual(Array.from(meanOverQueries(Float32Array.from([1, 2]), 2, 1)), [1, 2]);
});

test('validation errors name the field', () => {
  const bad = (f: () => unknown, code: string, re: RegExp) =>
    assert.throws(f, (e: unknown) => e instanceof MiaError && e.code === code && re.test(e.oneLine()));
  bad(
    () =>
      makePopulation(
        { models: 2, samples: 3, keep: new Uint8Array(5), signal: new Float32Array(6) },
        'x.npz',
      ),
    'E_SHAPE_MISMATCH',
    /x\.npz:keep.*expected shape \[2, 3\] = 6 elements, found 5/,
  );
  bad(
    () => makePopulation({ models: 2, samples: 3, keep: new Uint8Array(6), signal: new Float32Array(7) }),
    'E_SHAPE_MISMATCH',
    /population:signal/,
  );
  bad(
    () =>
      makePopulation({ models: 1, samples: 2, keep: Uint8Array.from([0, 2]), signal: new Float32Array(2) }),
    'E_VALUE',
    /keep must hold 0\/1; entry \[0, 1\] is 2/,
  );
  bad(
    () =>
      makePopulation({
        models: 1,
        samples: 2,
        keep: new Uint8Array(2),
        signal: Float32Array.from([0, Number.NaN]),
      }),
    'E_NOT_FINITE',
    /signal\[0, 1, 0\] is NaN/,
  );
  bad(
    () =>
      makePopulation({
        models: 1,
        samples: 2,
        keep: new Uint8Array(2),
        signal: new Float32Array(2),
        popSamples: 3,
        popSignal: new Float32Array(2),
      }),
    'E_SHAPE_MISMATCH',
    /popSignal/,
  );
  bad(() => leaveOneOut(small(), 3), 'E_ARGUMENT', /target model index out of range/);
});
