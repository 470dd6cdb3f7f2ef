import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { runOutputAttacks } from '../../src/audit/run-attacks.js';
import { ppv } from '../../src/metrics/ppv.js';
import { rocCurve } from '../../src/metrics/roc.js';
import { poolAttackInput } from '../../src/signals/attack-input.js';
import { loadAttackInput } from '../../src/signals/attack-input-files.js';
import { computeSignal } from '../../src/signals/signals.js';

// Fixture written by test/attacks/fixtures/make_tfp_parity.py: TF Privacy's own threshold-attack code
// (transcribed with numpy/sklearn) run on tfp_parity.npz.
const dir = fileURLToPath(new URL('./fixtures/', import.meta.url));
const expected = JSON.parse(readFileSync(`${dir}tfp_parity.json`, 'utf8')) as Record<
  string,
  { tfPrivacy: { auc: number; advantage: number; ppv: number }; memberOriented: { ppv: number } }
> & { loss_train_head: number[]; modified_entropy_train_head: number[] };

const input = loadAttackInput(`${dir}tfp_parity.npz`);
const { results } = runOutputAttacks(input, {
  attacks: ['threshold', 'threshold-modified-entropy'],
  slices: ['entire'],
  seed: 0,
});

for (const name of ['threshold', 'threshold-modified-entropy'] as const) {
  test(`${name} equals TF Privacy's AUC, advantage and PPV on the same arrays`, () => {
    const r = results.find((x) => x.attack === name)!;
    const tfp = expected[name]!.tfPrivacy;
    assert.ok(Math.abs(r.auc - tfp.auc) < 1e-12, `auc ${r.auc} vs ${tfp.auc}`);
    assert.ok(Math.abs(r.advantage - tfp.advantage) < 1e-12, `advantage ${r.advantage} vs ${tfp.advantage}`);
    assert.ok(
      Math.abs(r.ppvMaxOverThresholds - expected[name]!.memberOriented.ppv) < 1e-12,
      `ppv ${r.ppvMaxOverThresholds}`,
    );
    assert.ok(
      Math.abs(r.ppvMaxOverThresholds - tfp.ppv) < 1e-12,
      `ppv ${r.ppvMaxOverThresholds} vs TF Privacy ${tfp.ppv}`,
    );
    assert.equal(r.nMembers, 300);
    assert.equal(r.nNonMembers, 200);
  });
}

test('per-sample loss and modified entropy equal TF Privacy values', () => {
  const loss = computeSignal(input.members, 'loss');
  const ment = computeSignal(input.members, 'modified-entropy');
  for (const [i, v] of expected.loss_train_head.entries()) {
    assert.ok(Math.abs(loss[i]! - v) < 1e-12, `loss[${i}]`);
  }
  for (const [i, v] of expected.modified_entropy_train_head.entries()) {
    assert.ok(Math.abs(ment[i]! - v) < 1e-12, `ment[${i}]`);
  }
});

test("TF Privacy's PPV orientation (non-members positive) is reproduced by swapping roles", () => {
  const pooled = poolAttackInput(input);
  const notMember = pooled.isMember.map((m) => 1 - m);
  const tfpRoc = rocCurve(pooled.loss, notMember);
  assert.ok(Math.abs(ppv(tfpRoc) - expected.threshold!.tfPrivacy.ppv) < 1e-12);
});
