import assert from 'node:assert/strict';
import { test } from 'node:test';
import { dpAuditHtml, dpAuditRows, dpAuditSentences } from '../../src/report/dp-audit.js';
import type { DpClaim, DpContext, DpTraining } from '../../src/report/dp-headline.js';
import { summarizeResults } from '../../src/report/summary.js';

// the `dp` field of model.json as the DP-SGD training writes it, plus the model id and utility
const training = (epsilon: number): DpTraining => ({
  model: 'target',
  noiseMultiplier: 1.1,
  maxGradNorm: 1,
  delta: 1e-5,
  sampleRate: 0.01,
  steps: 1000,
  epochs: 10,
  sampling: 'poisson',
  accountant: 'rdp',
  epsilon,
  accuracy: 0.81,
  baselineAccuracy: 0.88,
  baseline: 'the reference models',
});
const claim = (method: DpClaim['method'], epsilon: number): DpClaim => ({
  method,
  epsilon,
  delta: 1e-5,
  confidence: 0.95,
  attack: method === 'one-run' ? 'loss' : 'rmia',
  attacksCorrected: method === 'one-run' ? 1 : 2,
  thresholdsCorrected: 3,
});

test('theoretical against audited: the one-run bound is the headline, the ratio is its share of the claimed ε', () => {
  const dp: DpContext = {
    dpTraining: [training(4)],
    dpClaims: [claim('one-run', 1), claim('threshold-test', 0.5)],
  };
  const [row] = dpAuditRows(dp);
  assert.ok(row !== undefined);
  assert.equal(row.audited?.method, 'one-run');
  assert.equal(row.ratio, 0.25);
  assert.deepEqual(row.exceeded, []);
  const [s] = dpAuditSentences([row]);
  assert.match(
    s!,
    /the accountant claims ε = 4\.00 at δ = 0\.00001; the one-run audit certifies ε ≥ 1\.00, so the audit certifies ≥ 25% of the claimed ε/,
  );
  assert.match(s!, /Utility cost: accuracy 81\.0% against 88\.0% without DP \(7\.0 points\)/);
  const html = dpAuditHtml([row]);
  assert.match(html, /<td>4\.00 \(rdp, δ = 0\.00001\)<\/td><td>1\.00<\/td><td>0\.50<\/td><td>≥ 25%<\/td>/);
  assert.doesNotMatch(html, /level-high|class="red"/);
  // without a one-run bound the threshold test is the headline
  assert.equal(
    dpAuditRows({ dpTraining: [training(4)], dpClaims: [claim('threshold-test', 2)] })[0]!.ratio,
    0.5,
  );
});

test('an audited ε̂ above the theoretical ε is a red finding in the summary and the DP section', () => {
  const dp: DpContext = {
    membership: { design: 'random-half', detail: 'random' },
    dpTraining: [training(1)],
    dpClaims: [claim('one-run', 0.4), claim('threshold-test', 1.7)],
  };
  const [row] = dpAuditRows(dp);
  assert.deepEqual(
    row!.exceeded.map((c) => c.method),
    ['threshold-test'],
  );
  const sentences = summarizeResults([], dp).sentences.join('\n');
  assert.match(
    sentences,
    /RED FINDING — the threshold test \(rmia\) proves ε ≥ 1\.70 with 95% confidence, above the ε = 1\.00 the rdp accountant claims/,
  );
  const html = dpAuditHtml([row!]);
  assert.match(html, /<div class="verdict level-high"><strong>RED FINDING/);
  assert.match(html, /<td class="red">1\.70<\/td>/);
});

test('no DP target: no rows, no section; an unbounded claim (ε = ∞) is never exceeded', () => {
  assert.deepEqual(dpAuditRows({ dpClaims: [claim('one-run', 3)] }), []);
  assert.equal(dpAuditHtml([]), '');
  const [row] = dpAuditRows({
    dpTraining: [training(Number.POSITIVE_INFINITY)],
    dpClaims: [claim('one-run', 3)],
  });
  assert.deepEqual(row!.exceeded, []);
  assert.equal(row!.ratio, 0);
  assert.match(dpAuditHtml([row!]), /<td>∞ \(rdp/);
});

test('fixed-size shuffled batches are said to fall outside the Poisson accounting; C = ∞ shows as ∞', () => {
  const t = { ...training(4), sampling: 'shuffle', maxGradNorm: Number.POSITIVE_INFINITY };
  const rows = dpAuditRows({ dpTraining: [t], dpClaims: [claim('one-run', 1)] });
  assert.match(dpAuditSentences(rows)[0]!, /batches were fixed-size and shuffled, not Poisson-sampled/);
  assert.match(dpAuditHtml(rows), /<td>1\.1<\/td><td>∞<\/td>/);
});
