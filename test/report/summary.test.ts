import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type DpClaim, headlineDpClaim } from '../../src/report/dp-headline.js';
import type { ReportResult } from '../../src/report/run-dir.js';
import {
  leakageLevel,
  leakageVerdict,
  mostExposedSlice,
  pct,
  summarizeResults,
} from '../../src/report/summary.js';
import { tprEntry } from '../audit/helpers.js';
import { reportResult } from './fixture.js';

function r(
  attack: string,
  auc: number,
  tpr: number,
  extra: Partial<ReportResult> = {},
  low = tpr / 2,
): ReportResult {
  const e = {
    ...tprEntry(tpr, low, Math.min(1, tpr * 2 + 0.01), false),
    truePositives: Math.round(tpr * 1000),
  };
  const tiny = { ...e, tpr: tpr / 4, truePositives: Math.round(tpr * 250), lowSupport: true };
  return reportResult(attack, auc, { '0.001': tiny, '0.01': e }, extra);
}

test('leakageVerdict: decided by lower bounds (AUC − 1.96·SE, Clopper–Pearson TPR), and says which', () => {
  // 1000 members and non-members, SE 0.025: the AUC bound is AUC − 0.049; 1% FPR is resolvable.
  assert.equal(leakageLevel([r('a', 0.5, 0.01)]), 'none measured');
  assert.equal(leakageLevel([r('a', 0.56, 0.01)]), 'low');
  assert.equal(leakageLevel([r('a', 0.66, 0.01)]), 'moderate');
  assert.equal(leakageLevel([r('a', 0.75, 0.01)]), 'high');
  assert.equal(leakageLevel([r('a', 0.5, 0.04)]), 'moderate'); // TPR bound 2.9% > 2%
  assert.equal(leakageLevel([r('a', 0.5, 0.15)]), 'high'); // TPR bound ≥ 10%
  assert.equal(leakageLevel([]), 'none measured');
  // issue 17: AUC 0.601 just over 0.60 with TPR 1.4% at 1% FPR was "moderate"; its bound says "low"
  const v = leakageVerdict([r('loss', 0.601, 0.014)]);
  assert.equal(v.level, 'low');
  assert.match(v.decidedBy, /lower 95% bound of loss's AUC is 0\.552/);
  // two attacks: the bounds are Bonferroni-corrected (z for 0.0125), so 0.56 no longer clears 0.5
  assert.equal(leakageLevel([r('a', 0.555, 0.01), r('b', 0.5, 0.01)]), 'none measured');
});

test('summarizeResults: intervals everywhere, no card on < 10 false positives, no DP claim without random membership', () => {
  const results = [
    r('threshold', 0.62, 0.031),
    r('lr', 0.66, 0.024),
    r('lr', 0.81, 0.2, { slice: { feature: 'class', value: 3 }, nMembers: 90, nNonMembers: 110 }),
    r('lr', 0.99, 0.2, { slice: { feature: 'class', value: 4 }, nMembers: 2, nNonMembers: 110 }),
  ];
  const s = summarizeResults(results);
  assert.equal(s.level, 'moderate');
  assert.match(s.sentences[0]!, /strongest attack is lr, with AUC 0\.660 \(95% CI 0\.610–0\.710, DeLong/);
  assert.match(s.sentences[1]!, /threshold identifies 3\.1% of the training members \(95% CI/);
  // the multiple is claimed only with its lower end (TPR bound 1.55% at 1% FPR)
  assert.match(
    s.sentences[1]!,
    /3\.1 times \(at least 1\.6 times at the interval's lower end\) what guessing/,
  );
  assert.ok(s.sentences.some((x) => x.startsWith('Verdict moderate: the lower 95% bound')));
  assert.ok(s.sentences.some((x) => x.startsWith('No differential-privacy claim')));
  // class 3 beats the entire dataset by (0.81 − 0.66)/(0.025·√2) ≈ 4.2 SE > the Bonferroni z for 2;
  // class 4 (2 members) is never compared
  assert.ok(s.sentences.some((x) => /most exposed slice is class 3 .*after correcting for 1 slice/.test(x)));
  assert.deepEqual(
    s.keyNumbers.map((k) => [k.label, k.value]),
    [
      ['Highest AUC', '0.660'],
      ['TPR at 1% FPR', '3.1%'],
      ['Most exposed slice', '0.810'],
    ],
  );
  assert.deepEqual(s.comparisons, []);
});

test('mostExposedSlice: a slice within the noise of the entire dataset is not named', () => {
  const results = [
    r('lr', 0.66, 0.024),
    r('lr', 0.7, 0.2, { slice: { feature: 'class', value: 3 }, nMembers: 90, nNonMembers: 110 }),
  ];
  assert.equal(mostExposedSlice(results), undefined);
});

test('summarizeResults: the DP claim only from dpClaims, with its operating point; one-run preferred', () => {
  const claim: DpClaim = {
    method: 'threshold-test',
    epsilon: 0.8,
    delta: 1e-5,
    confidence: 0.95,
    attack: 'lira',
    at: { threshold: 2.5, fpr: 0.001, tpr: 0.05, ratio: 'fpr' },
    attacksCorrected: 4,
    thresholdsCorrected: 7000,
  };
  const s = summarizeResults([r('lira', 0.66, 0.03)], { dpClaims: [claim] });
  const line = s.sentences.find((x) => x.includes('differentially private'))!;
  assert.match(line, /corrected for 4 attacks/);
  assert.match(line, /any ε below 0\.80/);
  assert.match(line, /score ≥ 2\.500, where 5\.0% of members and 0\.10% of non-members are flagged/);
  const oneRun = { ...claim, method: 'one-run' as const, epsilon: 0.5 };
  assert.equal(headlineDpClaim([claim, oneRun]), oneRun);
  assert.equal(headlineDpClaim(undefined), undefined);
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
  const claim: DpClaim = {
    method: 'threshold-test',
    epsilon: 0.001,
    delta: 1e-5,
    confidence: 0.95,
    attack: 'loss',
    attacksCorrected: 1,
    thresholdsCorrected: 10,
  };
  const s = summarizeResults([r('loss', 0.55, 0.012)], { dpClaims: [claim] });
  assert.ok(s.sentences.some((x) => x.startsWith('No attack proves a positive ε lower bound')));
  assert.ok(!s.sentences.some((x) => x.includes('below 0.00')));
  assert.ok(!s.keyNumbers.some((k) => k.label === 'ε lower bound'));
});
