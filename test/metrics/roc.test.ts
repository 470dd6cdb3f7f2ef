import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isMiaError } from '../../src/errors.js';
import { type RocCurve, rocCurve } from '../../src/metrics/roc.js';
import { Rng } from '../../src/rng.js';
import { fixtures } from './fixtures.js';

const f64 = (a: number[]) => Float64Array.from(a);
const u8 = (a: number[]) => Uint8Array.from(a);

function points(roc: RocCurve): [number, number, number][] {
  return [...roc.fpr].map((f, i) => [f, roc.tpr[i]!, roc.thresholds[i]!]);
}

test("sklearn's docstring example: one point per threshold, (0, 0) at +Infinity first", () => {
  const roc = rocCurve(f64([0.1, 0.4, 0.35, 0.8]), u8([0, 0, 1, 1]));
  assert.deepEqual(points(roc), [
    [0, 0, Number.POSITIVE_INFINITY],
    [0, 0.5, 0.8],
    [0.5, 0.5, 0.4],
    [0.5, 1, 0.35],
    [1, 1, 0.1],
  ]);
  assert.deepEqual([...roc.tp], [0, 1, 1, 2, 2]);
  assert.deepEqual([...roc.fp], [0, 0, 1, 1, 2]);
  assert.equal(roc.nMembers, 2);
  assert.equal(roc.nNonMembers, 2);
});

test('ties between members and non-members form one diagonal step', () => {
  const roc = rocCurve(f64([0.5, 0.5, 0.5, 0.2]), u8([1, 0, 1, 0]));
  assert.deepEqual(points(roc), [
    [0, 0, Number.POSITIVE_INFINITY],
    [0.5, 1, 0.5],
    [1, 1, 0.2],
  ]);
});

test('all-equal scores give the diagonal only', () => {
  const roc = rocCurve(new Float64Array(7).fill(3), u8([1, 0, 0, 1, 0, 1, 1]));
  assert.deepEqual(points(roc), [
    [0, 0, Number.POSITIVE_INFINITY],
    [1, 1, 3],
  ]);
});

test('±Infinity scores are ordered; −0 and +0 are one threshold reported as +0', () => {
  const inf = Number.POSITIVE_INFINITY;
  const roc = rocCurve(f64([inf, 1, -inf, inf]), u8([1, 0, 0, 0]));
  assert.deepEqual([...roc.thresholds], [inf, inf, 1, -inf]);
  assert.deepEqual([...roc.tp], [0, 1, 1, 1]);
  assert.deepEqual([...roc.fp], [0, 1, 2, 3]);
  const zeros = rocCurve(f64([-0, 0, 0]), u8([1, 0, 1]));
  assert.equal(zeros.thresholds.length, 2);
  assert.ok(Object.is(zeros.thresholds[1], 0));
  assert.deepEqual([...zeros.tp], [0, 2]);
});

test('float32 scores are taken at their exact float32 values', () => {
  const s = Float32Array.from([0.1, 0.2, 0.1, 0.3]);
  const roc = rocCurve(s, u8([1, 0, 0, 1]));
  assert.deepEqual(
    [...roc.thresholds],
    [Number.POSITIVE_INFINITY, Math.fround(0.3), Math.fround(0.2), Math.fround(0.1)],
  );
  assert.deepEqual([...roc.fp], [0, 0, 1, 2]);
});

for (const fx of fixtures.roc) {
  test(`equals sklearn roc_curve(drop_intermediate=False): ${fx.name}`, () => {
    const scores = fx.dtype === 'float32' ? Float32Array.from(fx.scores) : Float64Array.from(fx.scores);
    const roc = rocCurve(scores, Uint8Array.from(fx.isMember));
    assert.deepEqual([...roc.tp], fx.tp);
    assert.deepEqual([...roc.fp], fx.fp);
    // sklearn's rates are fp / n0 and tp / n1 in IEEE arithmetic, as ours: compare bit for bit.
    assert.deepEqual(
      [...roc.fpr],
      fx.fp.map((v) => v / roc.nNonMembers),
    );
    assert.deepEqual(
      [...roc.tpr],
      fx.tp.map((v) => v / roc.nMembers),
    );
    assert.equal(roc.thresholds[0], Number.POSITIVE_INFINITY);
    assert.deepEqual([...roc.thresholds.subarray(1)], fx.thresholdsAfterFirst);
  });
}

/** Reference: sort indices by descending score with a comparator, group equal scores. */
function naiveRoc(scores: Float64Array, isMember: Uint8Array) {
  const idx = [...scores.keys()].sort((a, b) => scores[b]! - scores[a]!);
  const tp = [0];
  const fp = [0];
  const th = [Number.POSITIVE_INFINITY];
  let t = 0;
  let f = 0;
  for (let p = 0; p < idx.length; p++) {
    const i = idx[p]!;
    if (isMember[i] === 1) t++;
    else f++;
    const next = idx[p + 1];
    if (next === undefined || scores[next] !== scores[i]) {
      tp.push(t);
      fp.push(f);
      th.push(scores[i]!);
    }
  }
  return { tp, fp, th };
}

test('large inputs (radix path) with ties and every member share equal the naive reference', () => {
  const rng = new Rng(11);
  for (const share of [0.5, 0.02, 0.98]) {
    const n = 30000;
    const s = new Float64Array(n);
    const m = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      m[i] = rng.next() < share ? 1 : 0;
      // Half the scores drawn from 200 values (ties), half continuous, some negative.
      s[i] = rng.next() < 0.5 ? rng.int(200) / 10 - 5 : rng.normal() + m[i]!;
    }
    const roc = rocCurve(s, m);
    const ref = naiveRoc(s, m);
    assert.deepEqual([...roc.tp], ref.tp);
    assert.deepEqual([...roc.fp], ref.fp);
    assert.deepEqual([...roc.thresholds], ref.th);
    assert.equal(roc.fpr.length, ref.tp.length);
  }
});

function code(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    if (isMiaError(e)) return `${e.code} ${e.where}`;
    throw e;
  }
  return 'no error';
}

test('input errors name the argument at fault', () => {
  assert.equal(
    code(() => rocCurve(f64([1, 2]), u8([1]))),
    'E_SHAPE_MISMATCH isMember',
  );
  assert.equal(
    code(() => rocCurve(f64([1, 2, Number.NaN]), u8([1, 0, 1]))),
    'E_NOT_FINITE scores[2]',
  );
  assert.equal(
    code(() => rocCurve(f64([1, 2, 3]), u8([1, 2, 0]))),
    'E_LABEL_RANGE isMember[1]',
  );
  assert.equal(
    code(() => rocCurve(f64([1, 2]), u8([1, 1]))),
    'E_EMPTY isMember',
  );
  assert.equal(
    code(() => rocCurve(f64([1, 2]), u8([0, 0]))),
    'E_EMPTY isMember',
  );
  assert.equal(
    code(() => rocCurve(f64([]), u8([]))),
    'E_EMPTY isMember',
  );
});
