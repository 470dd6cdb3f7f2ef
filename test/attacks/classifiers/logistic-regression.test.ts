import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { LogisticRegression } from '../../../src/attacks/classifiers/logistic-regression.js';
import { isMiaError } from '../../../src/errors.js';
import { Rng } from '../../../src/rng.js';
import { bruteAuc, linearProblem, xorProblem } from './helpers.js';

interface LrCase {
  name: string;
  c: number;
  n: number;
  d: number;
  x: number[];
  y: number[];
  xq: number[];
  mean: number[];
  scale: number[];
  coef: number[];
  intercept: number;
  proba: number[];
}
const fixtures = JSON.parse(
  readFileSync(new URL('./fixtures/sklearn-fixtures.json', import.meta.url), 'utf8'),
) as {
  logistic_regression: LrCase[];
};

function close(actual: number, expected: number, tol: number, what: string): void {
  assert.ok(
    Math.abs(actual - expected) <= tol * Math.max(1, Math.abs(expected)),
    `${what}: ${actual} vs ${expected}`,
  );
}

for (const c of fixtures.logistic_regression) {
  test(`LogisticRegression matches sklearn StandardScaler + LogisticRegression (${c.name})`, () => {
    const lr = new LogisticRegression({ c: c.c });
    lr.fit(Float64Array.from(c.x), c.n, c.d, Uint8Array.from(c.y), new Rng(0));
    const { coef, intercept, mean, scale } = lr.coefficients;
    for (let j = 0; j < c.d; j++) {
      close(mean[j]!, c.mean[j]!, 1e-12, `mean[${j}]`);
      close(scale[j]!, c.scale[j]!, 1e-12, `scale[${j}]`);
      close(coef[j]!, c.coef[j]!, 1e-7, `coef[${j}]`);
    }
    close(intercept, c.intercept, 1e-7, 'intercept');
    const p = lr.predictProba(Float64Array.from(c.xq), c.xq.length / c.d, c.d);
    for (let i = 0; i < p.length; i++) close(p[i]!, c.proba[i]!, 1e-8, `proba[${i}]`);
  });
}

test('LogisticRegression: symmetric data gives w = 0, b = 0, p = ½ (hand-computed)', () => {
  // x = −1, −1, 1, 1 with labels 0, 1, 1, 0: the likelihood is flat in w and the prior is 50/50.
  const lr = new LogisticRegression();
  lr.fit(Float64Array.from([-1, -1, 1, 1]), 4, 1, Uint8Array.from([0, 1, 1, 0]), new Rng(1));
  const { coef, intercept } = lr.coefficients;
  assert.ok(Math.abs(coef[0]!) < 1e-12);
  assert.ok(Math.abs(intercept) < 1e-12);
  assert.deepEqual(Array.from(lr.predictProba(Float64Array.from([5, -3]), 2, 1)), [0.5, 0.5]);
});

test('LogisticRegression: gradient is zero at the fit (optimality on a 5000-row problem)', () => {
  const { x, y, n, d } = linearProblem(5000, 4, 3);
  const c = 0.5;
  const lr = new LogisticRegression({ c });
  lr.fit(x, n, d, y, new Rng(0));
  const { coef, intercept, mean, scale } = lr.coefficients;
  const g = new Float64Array(d + 1);
  for (let i = 0; i < n; i++) {
    let t = intercept;
    const z: number[] = [];
    for (let j = 0; j < d; j++) {
      z.push((x[i * d + j]! - mean[j]!) / scale[j]!);
      t += coef[j]! * z[j]!;
    }
    const r = 1 / (1 + Math.exp(-t)) - y[i]!;
    for (let j = 0; j < d; j++) g[j]! += c * r * z[j]!;
    g[d]! += c * r;
  }
  for (let j = 0; j < d; j++) g[j]! += coef[j]!;
  for (const v of g) assert.ok(Math.abs(v) < 1e-6, `gradient ${v}`);
  assert.ok(lr.iterations < 20, `Newton iterations ${lr.iterations}`);
});

test('LogisticRegression learns a noisy linear problem (held-out AUC) and ignores the rng', () => {
  const train = linearProblem(2000, 5, 11);
  const held = linearProblem(1000, 5, 12);
  const a = new LogisticRegression();
  a.fit(train.x, train.n, train.d, train.y, new Rng(1));
  const pa = a.predictProba(held.x, held.n, held.d);
  const auc = bruteAuc(pa, held.y);
  assert.ok(auc > 0.85, `AUC ${auc}`);
  const b = new LogisticRegression();
  b.fit(train.x, train.n, train.d, train.y, new Rng(999));
  assert.deepEqual(b.predictProba(held.x, held.n, held.d), pa);
  for (const v of pa) assert.ok(v > 0 && v < 1);
});

test('LogisticRegression stays at chance on XOR (the problem the MLP/RF tests need a non-linear model for)', () => {
  const train = xorProblem(2000, 5);
  const held = xorProblem(1000, 6);
  const lr = new LogisticRegression();
  lr.fit(train.x, train.n, train.d, train.y, new Rng(1));
  const auc = bruteAuc(lr.predictProba(held.x, held.n, held.d), held.y);
  assert.ok(Math.abs(auc - 0.5) < 0.08, `AUC ${auc}`);
});

test('LogisticRegression: a constant feature gets scale 1 and coefficient 0; separable data converges', () => {
  const n = 200;
  const x = new Float64Array(n * 2);
  const y = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    x[i * 2] = i < n / 2 ? -1 - i / n : 1 + i / n; // perfectly separable
    x[i * 2 + 1] = 7;
    y[i] = i < n / 2 ? 0 : 1;
  }
  const lr = new LogisticRegression();
  lr.fit(x, n, 2, y, new Rng(0));
  const { coef, scale } = lr.coefficients;
  assert.equal(scale[1], 1);
  assert.equal(coef[1], 0);
  assert.ok(coef[0]! > 1, `coef ${coef[0]}`);
  const p = lr.predictProba(Float64Array.from([-3, 7, 3, 7]), 2, 2);
  assert.ok(p[0]! < 0.01 && p[1]! > 0.99);
});

test('LogisticRegression rejects bad input with MiaErrors that name the problem', () => {
  const lr = new LogisticRegression();
  const rng = new Rng(0);
  const code = (f: () => void) => {
    try {
      f();
    } catch (e) {
      assert.ok(isMiaError(e));
      return e.code;
    }
    return 'none';
  };
  assert.equal(
    code(() => lr.fit(new Float64Array(6), 3, 2, Uint8Array.from([1, 1, 1]), rng)),
    'E_EMPTY',
  );
  assert.equal(
    code(() => lr.fit(new Float64Array(5), 3, 2, Uint8Array.from([0, 1, 1]), rng)),
    'E_SHAPE_MISMATCH',
  );
  assert.equal(
    code(() => lr.fit(new Float64Array(6), 3, 2, Uint8Array.from([0, 1]), rng)),
    'E_SHAPE_MISMATCH',
  );
  assert.equal(
    code(() => lr.fit(new Float64Array(6), 3, 2, Uint8Array.from([0, 2, 1]), rng)),
    'E_LABEL_RANGE',
  );
  assert.equal(
    code(() => lr.fit(Float64Array.from([0, 1, Number.NaN, 0, 1, 1]), 3, 2, Uint8Array.from([0, 1, 1]), rng)),
    'E_NOT_FINITE',
  );
  assert.throws(() => lr.predictProba(new Float64Array(2), 1, 2), /before fit/);
  lr.fit(Float64Array.from([0, 1, 2, 0, 1, 1]), 3, 2, Uint8Array.from([0, 1, 1]), rng);
  assert.equal(
    code(() => lr.predictProba(new Float64Array(3), 1, 3)),
    'E_SHAPE_MISMATCH',
  );
});
