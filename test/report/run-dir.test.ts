import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { isMiaError } from '../../src/errors.js';
import { npyArray } from '../../src/io/npy.js';
import { writeNpz } from '../../src/io/npz.js';
import { readResults, readRunDir, readSamples, readScores } from '../../src/report/run-dir.js';

const tmp = () => mkdtempSync(join(tmpdir(), 'mia-run-dir-'));

const RESULT = {
  attack: 'threshold',
  signal: 'loss',
  slice: { feature: 'entire_dataset' },
  nMembers: 3,
  nNonMembers: 3,
  auc: 0.7,
  advantage: 0.33,
  aucInterval: { low: 0, high: 1, se: 0.3, method: 'DeLong' },
  ppvMaxOverThresholds: 0.75,
  tprAtFpr: {
    '0.01': {
      tpr: 0.33,
      low: 0.01,
      high: 0.9,
      fpr: 0,
      threshold: null,
      falsePositives: 0,
      truePositives: 1,
      precision: null,
      precisionLow: null,
      precisionHigh: null,
      lowSupport: true,
    },
  },
  epsilonLowerBound: null,
};

test('a missing results.json is one E_IO error naming the path', () => {
  const dir = tmp();
  assert.throws(
    () => readRunDir(dir),
    (e) =>
      isMiaError(e) &&
      e.code === 'E_IO' &&
      e.where === join(dir, 'results.json') &&
      !e.oneLine().includes('\n') &&
      e.oneLine().includes(join(dir, 'results.json')),
  );
  assert.throws(
    () => readRunDir(join(dir, 'nope')),
    (e) => isMiaError(e) && e.where === join(dir, 'nope', 'results.json'),
  );
});

test('results.json: fields validated with the field named; a null ε bound reads as +Infinity', () => {
  const dir = tmp();
  writeFileSync(
    join(dir, 'results.json'),
    JSON.stringify({ results: [RESULT, { ...RESULT, model: 'conv', experiment: 'e1' }] }),
  );
  const r = readResults(dir);
  assert.equal(r.length, 2);
  assert.equal(r[0]!.epsilonLowerBound, Number.POSITIVE_INFINITY);
  assert.equal(r[1]!.model, 'conv');
  writeFileSync(join(dir, 'results.json'), JSON.stringify({ results: [RESULT, { ...RESULT, auc: '0.7' }] }));
  assert.throws(
    () => readResults(dir),
    (e) => isMiaError(e) && e.code === 'E_JSON' && e.where === `${join(dir, 'results.json')}:results[1].auc`,
  );
  writeFileSync(
    join(dir, 'results.json'),
    JSON.stringify({ results: [{ ...RESULT, slice: { feature: 'class' } }] }),
  );
  assert.throws(
    () => readResults(dir),
    (e) => isMiaError(e) && e.code === 'E_JSON' && String(e.where).endsWith(':results[0].slice'),
  );
  writeFileSync(join(dir, 'results.json'), '{"results": [');
  assert.throws(
    () => readResults(dir),
    (e) => isMiaError(e) && e.code === 'E_JSON',
  );
});

test('scores.npz: the single-target layout and `<model>/<key>` prefixes; lengths checked', () => {
  const dir = tmp();
  const f64 = (...v: number[]) => npyArray(Float64Array.from(v), [v.length]);
  const bool = (...v: number[]) => npyArray(Uint8Array.from(v), [v.length], 'bool');
  writeNpz(join(dir, 'a.npz'), {
    threshold: f64(1, 2, 3),
    is_member: bool(1, 0, 1),
    labels: npyArray(Int32Array.from([0, 1, 2]), [3]),
  });
  const [s] = readScores(join(dir, 'a.npz'));
  assert.equal(s!.model, '');
  assert.deepEqual([...s!.byAttack.keys()], ['threshold']);
  assert.deepEqual([...s!.isMember], [1, 0, 1]);
  assert.deepEqual([...s!.labels!], [0, 1, 2]);
  writeNpz(join(dir, 'b.npz'), {
    'exp/conv/threshold': f64(1, 2),
    'exp/conv/is_member': bool(1, 0),
    'dense/lr': f64(0.1, Number.NaN, 0.3),
    'dense/is_member': bool(0, 1, 1),
  });
  const multi = readScores(join(dir, 'b.npz'));
  assert.deepEqual(
    multi.map((x) => [x.model, [...x.byAttack.keys()], x.isMember.length]),
    [
      ['exp/conv', ['threshold'], 2],
      ['dense', ['lr'], 3],
    ],
  );
  assert.ok(Number.isNaN(multi[1]!.byAttack.get('lr')![1]!));
  writeNpz(join(dir, 'c.npz'), { threshold: f64(1, 2, 3), is_member: bool(1, 0) });
  assert.throws(
    () => readScores(join(dir, 'c.npz')),
    (e) => isMiaError(e) && e.code === 'E_SHAPE_MISMATCH' && e.where === `${join(dir, 'c.npz')}:threshold`,
  );
  writeNpz(join(dir, 'd.npz'), { 'm/threshold': f64(1) });
  assert.throws(
    () => readScores(join(dir, 'd.npz')),
    (e) => isMiaError(e) && e.code === 'E_MISSING_FIELD' && /m\/is_member/.test(e.message),
  );
});

test('samples.npz: [k, h, w, c] or [k, h, w]; other shapes rejected', () => {
  const dir = tmp();
  mkdirSync(dir, { recursive: true });
  writeNpz(join(dir, 's.npz'), {
    x: npyArray(new Float32Array(2 * 3 * 4), [2, 3, 4]),
    y: npyArray(Int32Array.from([1, 2]), [2]),
  });
  const s = readSamples(join(dir, 's.npz'))!;
  assert.deepEqual([s.k, s.h, s.w, s.c], [2, 3, 4, 1]);
  writeNpz(join(dir, 't.npz'), {
    x: npyArray(new Float32Array(2 * 3 * 4 * 2), [2, 3, 4, 2]),
    y: npyArray(Int32Array.from([1, 2]), [2]),
  });
  assert.throws(
    () => readSamples(join(dir, 't.npz')),
    (e) => isMiaError(e) && e.code === 'E_SHAPE_MISMATCH',
  );
  assert.equal(readSamples(join(dir, 'none.npz')), undefined);
});
