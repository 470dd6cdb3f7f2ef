import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  formatLogTick,
  formatTick,
  formatValue,
  logTicks,
  makeScale,
  niceStep,
  niceTicks,
} from '../../src/report/scale.js';

test('niceTicks: hand-checked tick sets', () => {
  assert.deepEqual(niceTicks(0, 1, 6), [0, 0.2, 0.4, 0.6, 0.8, 1]);
  assert.deepEqual(niceTicks(0.48, 0.79, 4), [0.5, 0.6, 0.7]);
  assert.deepEqual(niceTicks(1, 12, 5), [2, 4, 6, 8, 10, 12]);
  assert.deepEqual(niceTicks(0, 2.3, 6), [0, 0.5, 1, 1.5, 2]);
  assert.deepEqual(niceTicks(-1, 1, 5), [-1, -0.5, 0, 0.5, 1]);
  assert.deepEqual(niceTicks(3, 3, 5), [3]);
});

test('niceTicks: properties over many domains (inside, evenly spaced by a 1/2/5 step, at least 2)', () => {
  for (let i = 0; i < 200; i++) {
    const a = Math.sin(i) * 10 ** ((i % 7) - 3);
    const b = a + Math.abs(Math.cos(i * 1.3)) * 10 ** ((i % 5) - 2) + 1e-6;
    const target = 3 + (i % 6);
    const t = niceTicks(a, b, target);
    const step = niceStep(a, b, target);
    const m = step / 10 ** Math.floor(Math.log10(step) + 1e-12);
    assert.ok(
      [1, 2, 5].some((x) => Math.abs(m - x) < 1e-9),
      `step ${step}`,
    );
    assert.ok(t.length >= 2, `${a}..${b}: ${t}`);
    for (const v of t) assert.ok(v >= a - step * 1e-6 && v <= b + step * 1e-6);
    for (let j = 1; j < t.length; j++) assert.ok(Math.abs(t[j]! - t[j - 1]! - step) < step * 1e-6);
  }
});

test('logTicks: decades, with 2 and 5 between them over short ranges', () => {
  assert.deepEqual(logTicks(1e-4, 1), [1e-4, 1e-3, 1e-2, 0.1, 1]);
  assert.deepEqual(logTicks(0.01, 1), [0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1]);
  assert.deepEqual(logTicks(0.3, 0.45), [0.3, 0.45]);
});

test('tick and value formats', () => {
  assert.equal(formatLogTick(1e-4, 'number'), '10⁻⁴');
  assert.equal(formatLogTick(1, 'number'), '1');
  assert.equal(formatLogTick(0.1, 'number'), '10⁻¹');
  assert.equal(formatLogTick(0.2, 'number'), '0.2');
  assert.equal(formatLogTick(0.001, 'percent'), '0.1%');
  assert.equal(formatTick(0.25, 'number', 0.25), '0.25');
  assert.equal(formatTick(0.2, 'number', 0.2), '0.2');
  assert.equal(formatTick(10, 'number', 5), '10');
  assert.equal(formatTick(0.05, 'percent', 0.05), '5%');
  assert.equal(formatTick(0.005, 'percent', 0.005), '0.5%');
  assert.equal(formatTick(7.4, 'integer', 1), '7');
  assert.equal(formatValue(0.123456, 'number'), '0.1235');
  assert.equal(formatValue(0.123456, 'percent'), '12.35%');
  assert.equal(formatValue(Number.POSITIVE_INFINITY, 'number'), 'Infinity');
});

test('makeScale maps the domain onto the pixel range (linear and log, y inverted)', () => {
  const x = makeScale({ label: '', scale: 'linear', domain: [0, 1] }, 100, 300);
  assert.equal(x(0), 100);
  assert.equal(x(0.5), 200);
  assert.equal(x(1), 300);
  const y = makeScale({ label: '', scale: 'log', domain: [1e-3, 1] }, 400, 100);
  assert.equal(y(1e-3), 400);
  assert.ok(Math.abs(y(1e-2) - 300) < 1e-9);
  assert.equal(y(1), 100);
  assert.ok(y(0) > 400, 'log scale puts 0 below the axis (clipped), never NaN');
  assert.deepEqual(y.ticks.map(y.label), ['10⁻³', '10⁻²', '10⁻¹', '1']);
  const dense = makeScale({ label: '', scale: 'log', domain: [0.01, 1] }, 0, 100);
  assert.deepEqual(dense.ticks.map(dense.label), ['10⁻²', '', '', '10⁻¹', '', '', '1']);
  const short = makeScale({ label: '', scale: 'log', domain: [0.15, 0.6] }, 0, 100);
  assert.deepEqual(short.ticks.map(short.label), ['0.2', '0.5']);
});
