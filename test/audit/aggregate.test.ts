import assert from 'node:assert/strict';
import { test } from 'node:test';
import { aggregateResults, spread } from '../../src/audit/aggregate.js';
import { fakeResult } from './helpers.js';

/** A result of experiment `experiment` (model m<experiment>) on the entire dataset, or on class `value`. */
const result = (attack: string, auc: number, tpr: number, experiment: string, value?: number) =>
  fakeResult(attack, auc, tpr, {
    signal: 'scaled-logit',
    experiment,
    model: `m${experiment}`,
    ...(value !== undefined ? { slice: { feature: 'class', value } } : {}),
  });

test('spread: mean, sample standard deviation (ddof 1), min, max', () => {
  assert.deepEqual(spread([2, 4, 4, 4, 5, 5, 7, 9]), {
    mean: 5,
    std: Math.sqrt(32 / 7),
    min: 2,
    max: 9,
  });
  assert.deepEqual(spread([3]), { mean: 3, std: 0, min: 3, max: 3 });
  assert.ok(Number.isNaN(spread([]).mean));
});

test('aggregateResults groups by attack and slice over experiments', () => {
  const rs = [
    result('rmia', 0.6, 0.02, '0'),
    result('rmia', 0.7, 0.04, '0', 1),
    result('rmia', 0.8, 0.06, '1'),
    result('loss', 0.55, 0.01, '0'),
    result('loss', 0.65, 0.03, '1'),
  ];
  const agg = aggregateResults(rs);
  assert.deepEqual(
    agg.map((a) => [a.attack, a.slice.feature, a.experiments]),
    [
      ['rmia', 'entire_dataset', 2],
      ['rmia', 'class', 1],
      ['loss', 'entire_dataset', 2],
    ],
  );
  const rmia = agg[0]!;
  assert.ok(Math.abs(rmia.auc.mean - 0.7) < 1e-12);
  assert.ok(Math.abs(rmia.auc.std - Math.sqrt(0.02)) < 1e-12);
  assert.ok(Math.abs(rmia.tprAtFpr['0.01']!.mean - 0.04) < 1e-12);
  assert.equal(rmia.tprAtFpr['0.01']!.max, 0.06);
});
