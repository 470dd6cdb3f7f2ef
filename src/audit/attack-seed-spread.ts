/**
 * How much an attack's AUC moves with its own seed alone (issue 17 item 5): a trained attack (lr, mlp,
 * …) cross-fits on seeded splits, so the same model on the same samples scores differently per seed.
 * That spread belongs in every comparison band beside the sampling noise of the AUC.
 */
import { getOutputAttack } from '../attacks/registry.js';
import type { AttackInput } from '../signals/attack-input.js';
import { runOutputAttacks } from './run-attacks.js';
import { deriveSeed } from './seeds.js';

/** Extra seeds each attack is rerun with to measure its seed-to-seed spread. */
export const SPREAD_SEEDS = 4;

/** One attack's AUC over seeds on the entire dataset. */
export interface SeedSpread {
  attack: string;
  /** Seeds the AUC was computed with (the run's own plus the extra ones). */
  seeds: number;
  /** Sample standard deviation (ddof 1) of the AUC over those seeds; 0 for an attack without randomness. */
  aucStd: number;
}

/**
 * The seed-to-seed spread of every attack in `attacks` on the entire dataset of `input`: the attack
 * is run with `seed` and with `extra` seeds derived from it (deriveSeed(seed, "spread:i")), and the
 * sample standard deviation of the entire-dataset AUCs is returned. Deterministic given `seed`.
 * Threshold attacks do not depend on the seed: they are not rerun and give 0 (seeds 1).
 */
export function attackSeedSpread(
  input: AttackInput,
  attacks: readonly string[],
  seed: number,
  extra = SPREAD_SEEDS,
): SeedSpread[] {
  const seeds = [seed, ...Array.from({ length: extra }, (_, i) => deriveSeed(seed, `spread:${i + 1}`))];
  const trained = attacks.filter((a) => getOutputAttack(a).kind === 'trained');
  const aucs = new Map<string, number[]>(attacks.map((a) => [a, []]));
  if (trained.length > 0) {
    for (const s of seeds) {
      const { results } = runOutputAttacks(input, {
        attacks: trained,
        slices: ['entire'],
        seed: s,
        fprTargets: [],
      });
      for (const r of results) aucs.get(r.attack)?.push(r.auc);
    }
  }
  return attacks.map((attack) => {
    const v = aucs.get(attack) ?? [];
    const mean = v.reduce((a, b) => a + b, 0) / Math.max(1, v.length);
    const ss = v.reduce((a, b) => a + (b - mean) ** 2, 0);
    return {
      attack,
      seeds: Math.max(1, v.length),
      aucStd: v.length > 1 ? Math.sqrt(ss / (v.length - 1)) : 0,
    };
  });
}
