import assert from 'node:assert/strict';
import { test } from 'node:test';
import { attackSeedSpread, SPREAD_SEEDS } from '../../src/audit/attack-seed-spread.js';
import { runOutputAttacks } from '../../src/audit/run-attacks.js';
import { deriveSeed } from '../../src/audit/seeds.js';
import { syntheticAttackInput } from '../../src/signals/synthetic-outputs.js';

const input = syntheticAttackInput({ nMembers: 300, nNonMembers: 300, numClasses: 4, seed: 5, gap: 0.8 });

test('attackSeedSpread: the sample SD of the AUC over the run seed and SPREAD_SEEDS derived ones (issue 17 item 5)', () => {
  const [thr, lr] = attackSeedSpread(input, ['threshold', 'lr'], 11);
  assert.deepEqual(thr, { attack: 'threshold', seeds: 1, aucStd: 0 }, 'a threshold attack has no seed');
  assert.equal(lr!.seeds, SPREAD_SEEDS + 1);
  // by hand: rerun lr with each seed and take the ddof-1 SD
  const seeds = [11, ...Array.from({ length: SPREAD_SEEDS }, (_, i) => deriveSeed(11, `spread:${i + 1}`))];
  const aucs = seeds.map(
    (seed) =>
      runOutputAttacks(input, { attacks: ['lr'], slices: ['entire'], seed, fprTargets: [] }).results[0]!.auc,
  );
  const mean = aucs.reduce((a, b) => a + b, 0) / aucs.length;
  const sd = Math.sqrt(aucs.reduce((a, b) => a + (b - mean) ** 2, 0) / (aucs.length - 1));
  assert.ok(sd > 0, 'the cross-fit splits move the AUC');
  assert.ok(Math.abs(lr!.aucStd - sd) < 1e-15);
  assert.deepEqual(attackSeedSpread(input, ['lr'], 11), [lr], 'deterministic');
});
