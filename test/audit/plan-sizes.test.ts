import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  membersFor,
  nonMembersFor,
  planAudit,
  referenceModelsKey,
  tprHalfWidth,
  unresolvedLine,
  unresolvedTargets,
} from '../../src/audit/plan-sizes.js';
import { clopperPearson } from '../../src/metrics/intervals.js';
import { errorOf } from './helpers.js';

/**
 * The smallest n whose Clopper–Pearson 95% interval at k = round(p·n) has half-width ≤ h, with scipy
 * (scipy.stats.beta.ppf(0.025, k, n-k+1), beta.ppf(0.975, k+1, n-k)), by a scan over n from 1:
 *   def hw(p, n): k = round(p*n); lo = 0 if k == 0 else beta.ppf(.025, k, n-k+1)
 *                 hi = 1 if k == n else beta.ppf(.975, k+1, n-k); return (hi - lo) / 2
 */
const SCIPY: readonly [number, number, number][] = [
  [0.05, 0.01, 1924],
  [0.5, 0.01, 9701],
  [0.01, 0.005, 1722],
  [0.2, 0.02, 1585],
];

test('members: the half-width of the Clopper–Pearson interval computed directly, as scipy finds it', () => {
  for (const [p, h, n] of SCIPY) {
    const planned = membersFor(p, h);
    assert.equal(planned, n, `p ${p}, half-width ${h}`);
    const at = clopperPearson(Math.round(p * n), n, 0.95);
    assert.ok((at.high - at.low) / 2 <= h);
    const before = clopperPearson(Math.round(p * (n - 1)), n - 1, 0.95);
    assert.ok((before.high - before.low) / 2 > h);
  }
});

test('members: the first n of a direct scan whose interval is narrow enough, for small budgets', () => {
  for (const p of [0, 0.02, 0.1, 0.3, 0.5, 0.9, 1]) {
    for (const h of [0.05, 0.1, 0.2]) {
      let n = 1;
      while (tprHalfWidth(p, n) > h) n++;
      const planned = membersFor(p, h);
      // bisection lands on a crossing of the threshold: the first one, or a later one where the rounding
      // of k makes the half-width wiggle around it
      assert.ok(planned >= n, `p ${p}, h ${h}: ${planned} < ${n}`);
      assert.ok((tprHalfWidth(p, planned) <= h && tprHalfWidth(p, planned - 1) > h) || planned === 1);
      assert.ok(planned <= n * 1.02 + 2, `p ${p}, h ${h}: ${planned} far above ${n}`);
    }
  }
  assert.equal(errorOf(() => membersFor(0.5, 0)).code, 'E_ARGUMENT');
  assert.equal(errorOf(() => membersFor(1.5, 0.01)).code, 'E_ARGUMENT');
});

test('non-members: 10 false positives at the FPR target', () => {
  assert.equal(nonMembersFor(0.001), 10_000);
  assert.equal(nonMembersFor(0.0001), 100_000);
  assert.equal(nonMembersFor(0.03), 334);
  for (const fpr of [0.001, 0.003, 0.01, 0.07]) {
    const n = nonMembersFor(fpr);
    assert.ok(fpr * n >= 10 - 1e-9 && fpr * (n - 1) < 10, String(fpr));
  }
});

test('the plan: sizes, audit size for the random-half design, reference models with their source', () => {
  const p = planAudit({ fpr: 0.001, halfWidth: 0.01, expectedTpr: 0.05, attack: 'rmia' });
  assert.equal(p.nonMembers, 10_000);
  assert.equal(p.members, 1924);
  assert.equal(p.auditSize, 20_000);
  assert.equal(p.referenceModels, 4);
  assert.equal(p.referenceModelsKey, 5);
  assert.match(p.notes.join('\n'), /Zarifzadeh et al\. 2024/);
  const lira = planAudit({ fpr: 0.01, halfWidth: 0.05, attack: 'lira-online' });
  assert.equal(lira.referenceModels, 64);
  assert.match(lira.notes[2]!, /Carlini et al\. 2022.*below 64 use lira-online-fixed-variance/);
  assert.equal(planAudit({ fpr: 0.01, halfWidth: 0.05, attack: 'loss' }).referenceModels, 0);
  assert.deepEqual([0, 1, 4, 16].map(referenceModelsKey), [0, 3, 5, 17]);
});

test('FPR targets a config cannot resolve: 0.1% at 1,000 non-members rests on 1 false positive', () => {
  const u = unresolvedTargets([0.001, 0.01, 0.1], 1000);
  assert.deepEqual(
    u.map((x) => x.fpr),
    [0.001],
  );
  assert.equal(
    unresolvedLine(u[0]!),
    'audit.fpr_targets 0.001 rests on 1 false positive at 1000 non-members (needs 10000, data.audit_size ≥ 20000): its TPR is not resolved',
  );
  assert.deepEqual(unresolvedTargets([0.01], 1000), []); // exactly 10
});
