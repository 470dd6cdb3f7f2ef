import { Rng } from '../rng.js';
import type { AttackInput } from './attack-input.js';
import { makeModelOutputs } from './model-outputs.js';

export interface SyntheticOutputsOptions {
  nMembers: number;
  nNonMembers: number;
  numClasses: number;
  seed: number;
  /**
   * How much more confident the simulated model is on members: the true-class logit margin is drawn
   * from N(margin + gap, 1) for members and N(margin, 1.2) for non-members. Default 1.
   */
  gap?: number;
  /** Mean true-class margin of non-members (default 2). */
  margin?: number;
}

/**
 * Deterministic logits of a simulated over-fitted classifier on members and non-members — the built-in
 * example of `mia demo` and the benchmarks. Each row: logits z_k ~ N(0, 1), plus the margin on the true
 * class. Labels are uniform. Same seed → same arrays.
 */
export function syntheticAttackInput(options: SyntheticOutputsOptions): AttackInput {
  const rng = new Rng(options.seed);
  const gap = options.gap ?? 1;
  const margin = options.margin ?? 2;
  const c = options.numClasses;
  const side = (n: number, member: boolean) => {
    const logits = new Float32Array(n * c);
    const labels = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      const y = rng.int(c);
      labels[i] = y;
      for (let k = 0; k < c; k++) logits[i * c + k] = rng.normal();
      const shift = member ? margin + gap + rng.normal() : margin + 1.2 * rng.normal();
      logits[i * c + y]! += shift;
    }
    return makeModelOutputs(
      { logits, labels, numClasses: c },
      member ? 'synthetic:members' : 'synthetic:non-members',
    );
  };
  return { members: side(options.nMembers, true), nonMembers: side(options.nNonMembers, false) };
}
