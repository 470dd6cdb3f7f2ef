import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ReportResult } from '../../src/report/run-dir.js';
import { leakageLevel, pct, summarizeResults } from '../../src/report/summary.js';
import { reportResult } from './fixture.js';

function r(
  attack: string,
  auc: number,
  tpr: number,
  extra: Partial<ReportResult> = {},
  low = tpr / 2,
): ReportResult {
  const e = { tpr, low, high: Math.min(1, tpr * 2 + 0.01), lowSupport: false };
  return reportResult(attack, auc, { '0.001': { ...e, tpr: tpr / 4 }, '0.01': e }, extra);
}

test('leakageLevel: the thresholds of the rule of thumb', () => {
  assert.equal(leakageLevel([r('a', 0.5, 0.01, {}, 0.005)]), 'none measured');
  assert.equal(leakageLevel([r('a', 0.52, 0.01, {}, 0.005)]), 'low');
  assert.equal(leakageLevel([r('a', 0.51, 0.015, {}, 0.011)]), 'low');
  assert.equal(leakageLevel([r('a', 0.6, 0.02)]), 'moderate');
  assert.equal(leakageLevel([r('a', 0.55, 0.05, {}, 0.021)]), 'moderate');
  assert.equal(leakageLevel([r('a', 0.7, 0.05)]), 'high');
  assert.equal(leakageLevel([r('a', 0.55, 0.1)]), 'high');
  assert.equal(leakageLevel([]), 'none measured');
});

test('summarizeResults: the worst case in words and numbers', () => {
  const results = [
    r('threshold', 0.62, 0.031),
    r('lr', 0.66, 0.024),
    r('lr', 0.81, 0.2, { slice: { feature: 'class', value: 3 }, nMembers: 90, nNonMembers: 110 }),
  ];
  const s = summarizeResults(results);
  assert.equal(s.level, 'moderate');
  assert.match(s.sentences[0]!, /strongest attack is lr, with AUC 0\.660/);
  assert.match(
    s.sentences[1]!,
    /threshold identifies 3\.1% of the training members \(95% CI 1\.6%–7\.2%\), 3\.1 times what guessing would find/,
  );
  assert.match(s.sentences[2]!, /not \(ε, δ = 10⁻⁵\)-differentially private for any ε below 0\.80/);
  assert.match(
    s.sentences[3]!,
    /most exposed slice is class 3 \(90 members, 110 non-members\), where lr reaches AUC 0\.810/,
  );
  assert.deepEqual(
    s.keyNumbers.map((k) => [k.label, k.value]),
    [
      ['Highest AUC', '0.660'],
      ['TPR at 1% FPR', '3.1%'],
      ['TPR at 0.1% FPR', '0.78%'],
      ['ε lower bound', '0.80'],
      ['Most exposed slice', '0.810'],
    ],
  );
  assert.deepEqual(s.comparisons, []);
});

test('summarizeResults: which target leaks more, per experiment and across experiments', () => {
  const s = summarizeResults([
    r('threshold', 0.7, 0.08, { experiment: 'arch', model: 'conv' }),
    r('threshold', 0.6, 0.03, { experiment: 'arch', model: 'dense' }),
    r('threshold', 0.58, 0.02, { experiment: 'depth', model: 'dense-7' }),
    r('threshold', 0.64, 0.04, { experiment: 'depth', model: 'dense-4' }),
  ]);
  assert.deepEqual(s.comparisons, [
    'In experiment arch, conv leaks more than dense: best AUC 0.700 vs 0.600 (+0.100), TPR at 1% FPR 8.0% vs 3.0%.',
    'In experiment depth, dense-4 leaks more than dense-7: best AUC 0.640 vs 0.580 (+0.060), TPR at 1% FPR 4.0% vs 2.0%.',
    'Across all experiments the leakiest target is arch · conv (AUC 0.700, TPR at 1% FPR 8.0%) and the least leaky is depth · dense-7 (AUC 0.580, 2.0%).',
  ]);
  assert.match(s.sentences[0]!, /threshold against arch · conv/);
});

test('pct: one decimal, two below 1%', () => {
  assert.equal(pct(0.1234), '12.3%');
  assert.equal(pct(0.0078), '0.78%');
  assert.equal(pct(0), '0.0%');
});

test('summarizeResults: an ε bound that rounds to 0 is said in words, not as "below 0.00"', () => {
  const s = summarizeResults([r('loss', 0.55, 0.012, { epsilonLowerBound: 0.001 })]);
  assert.ok(s.sentences.some((x) => x.startsWith('No attack proves a positive ε lower bound')));
  assert.ok(!s.sentences.some((x) => x.includes('below 0.00')));
  assert.ok(!s.keyNumbers.some((k) => k.label === 'ε lower bound'));
});
