import assert from 'node:assert/strict';
import { test } from 'node:test';
import { exposureChart, exposureRows, exposureSentences } from '../../src/report/exposure.js';
import { renderChart } from '../../src/report/svg.js';
import { fakeResult, tprEntry } from '../audit/helpers.js';

const at = (tpr: number, low: number, high: number) => ({ '0.01': tprEntry(tpr, low, high, false) });

const RESULTS = [
  fakeResult('lira', 0.71, 0.088, { exposure: 'probs', tprAtFpr: at(0.088, 0.071, 0.107) }),
  fakeResult('loss', 0.75, 0.02, { exposure: 'probs' }),
  fakeResult('loss', 0.6, 0.01, { exposure: 'top-1', slice: { feature: 'class', value: 0 } }),
  fakeResult('lira', 0.6, 0.021, { exposure: 'top-1', tprAtFpr: at(0.021, 0.014, 0.03) }),
  fakeResult('label-gap', 0.55, 0.01, { exposure: 'label', tprAtFpr: at(0.01, 0.004, 0.02) }),
];

test('exposureRows picks per exposure the attack with the highest TPR at 1% FPR on the entire dataset', () => {
  const { rows, fpr } = exposureRows(RESULTS);
  assert.equal(fpr, '0.01');
  assert.deepEqual(
    rows.map((r) => [r.exposure, r.best.attack, r.attacks]),
    [
      ['probs', 'lira', 2],
      ['top-1', 'lira', 1],
      ['label', 'label-gap', 1],
    ],
  );
});

test('exposureSentences compares each exposure with the first, with intervals', () => {
  const { rows, fpr } = exposureRows(RESULTS);
  assert.deepEqual(exposureSentences(rows, fpr), [
    "Returning top-1 instead of probs lowers the best attack's TPR at 1% FPR from 8.8% (7.1%–10.7%) to 2.1% (1.4%–3.0%), and its AUC from 0.710 to 0.600 (lira).",
    "Returning label instead of probs lowers the best attack's TPR at 1% FPR from 8.8% (7.1%–10.7%) to 1.0% (0.40%–2.0%), and its AUC from 0.710 to 0.550 (label-gap).",
  ]);
});

test('the exposure chart draws one bar and one whisker per exposure in each panel', () => {
  const { rows, fpr } = exposureRows(RESULTS);
  const spec = exposureChart(rows, fpr)!;
  assert.equal(spec.panels.length, 2);
  const svg = renderChart(spec).svg;
  assert.equal((svg.match(/class="mia-bar"/g) ?? []).length, 6);
  assert.equal((svg.match(/class="mia-errorbar"/g) ?? []).length, 6);
  assert.equal(exposureChart([], undefined), undefined);
});
