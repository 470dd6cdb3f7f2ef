/**
 * The accountant by name, as `mia dp` and the DP-SGD training report it: ε of T steps of the
 * Poisson-subsampled Gaussian (`rdp`: rdp.ts at Opacus's orders; `prv`: prv.ts), and σ for a target ε
 * (calibrate.ts with either accountant).
 */
import type { AccountantName } from './accountant-names.js';
import { noiseForEpsilon } from './calibrate.js';
import { prvEpsilon } from './prv.js';
import { computeRdp, DEFAULT_RDP_ORDERS, rdpToEpsilon } from './rdp.js';

/** The mechanism: sampling rate q ∈ [0, 1], noise multiplier σ ≥ 0, steps T, δ ∈ (0, 1). */
export interface DpMechanism {
  sampleRate: number;
  noiseMultiplier: number;
  steps: number;
  delta: number;
}

/** ε of a mechanism, the shape of `mia dp epsilon --json`. */
export interface AccountantEpsilon {
  accountant: AccountantName;
  /** ε at δ; Infinity when unbounded (σ = 0), which JSON writes as null. */
  epsilon: number;
  delta: number;
  /** RDP: the order that attains ε (null when ε is ∞); PRV: null. */
  order: number | null;
  /** RDP: the orders; PRV: null. */
  orders: number[] | null;
  /** RDP: the composed RDP curve at each order, in nats; PRV: null. */
  rdp: number[] | null;
}

/** ε at δ of the mechanism by the named accountant (see AccountantEpsilon). */
export function accountantEpsilon(accountant: AccountantName, m: DpMechanism): AccountantEpsilon {
  if (accountant === 'prv') {
    const r = prvEpsilon(m.sampleRate, m.noiseMultiplier, m.steps, m.delta);
    return { accountant, epsilon: r.epsilon, delta: m.delta, order: null, orders: null, rdp: null };
  }
  const rdp = computeRdp(m.sampleRate, m.noiseMultiplier, m.steps);
  const r = rdpToEpsilon(DEFAULT_RDP_ORDERS, rdp, m.delta);
  return {
    accountant,
    epsilon: m.steps === 0 ? 0 : r.epsilon,
    delta: m.delta,
    order: Number.isNaN(r.order) ? null : r.order,
    orders: [...DEFAULT_RDP_ORDERS],
    rdp: Array.from(rdp),
  };
}

/** The σ for a target ε, the shape of `mia dp noise --json`. */
export interface AccountantNoise {
  accountant: AccountantName;
  noiseMultiplier: number;
  /** ε that σ reaches (≤ targetEpsilon, within 0.01). */
  epsilon: number;
  targetEpsilon: number;
  delta: number;
  sampleRate: number;
  steps: number;
}

/** The smallest σ (Opacus's search, calibrate.ts) whose ε by the named accountant is ≤ targetEpsilon. */
export function accountantNoise(
  accountant: AccountantName,
  t: { targetEpsilon: number; sampleRate: number; steps: number; delta: number },
): AccountantNoise {
  const epsilonOf = (sigma: number) =>
    accountantEpsilon(accountant, { ...t, noiseMultiplier: sigma }).epsilon;
  const r = noiseForEpsilon({ ...t, epsilonOf });
  return { accountant, noiseMultiplier: r.noiseMultiplier, epsilon: r.epsilon, ...t };
}
