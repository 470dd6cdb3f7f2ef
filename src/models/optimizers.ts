/**
 * Optimiser and learning-rate schedule specifications, engine-independent. Engines implement the update
 * rules exactly as documented here (PyTorch's formulations).
 */
import { MiaError } from '../errors.js';

/** Learning rate per epoch. Epochs are counted from 0 in the formulas. */
export type LrSchedule =
  /** lr for every epoch. */
  | { kind: 'constant' }
  /** lr · gamma^⌊epoch / every⌋ (PyTorch StepLR stepped once per epoch). */
  | { kind: 'step'; every: number; gamma: number }
  /**
   * minLr + (lr − minLr) · (1 + cos(π · epoch / epochs)) / 2 (PyTorch CosineAnnealingLR with
   * T_max = epochs, stepped once per epoch); minLr defaults to 0.
   */
  | { kind: 'cosine'; minLr?: number };

/**
 * - SGD (PyTorch `torch.optim.SGD`, dampening 0): g ← ∇ + weightDecay·w; b ← momentum·b + g (b = g at the
 *   first step); g ← nesterov ? g + momentum·b : b (momentum > 0); w ← w − lr·g.
 * - Adam (PyTorch `torch.optim.Adam`, L2 weight decay added to the gradient): g ← ∇ + weightDecay·w;
 *   m ← β1·m + (1−β1)·g; v ← β2·v + (1−β2)·g²; w ← w − lr · (m / (1−β1ᵗ)) / (√(v / (1−β2ᵗ)) + ε).
 */
export type OptimizerSpec =
  | {
      name: 'sgd';
      lr: number;
      momentum?: number;
      nesterov?: boolean;
      weightDecay?: number;
      schedule?: LrSchedule;
    }
  | {
      name: 'adam';
      lr: number;
      beta1?: number;
      beta2?: number;
      epsilon?: number;
      weightDecay?: number;
      schedule?: LrSchedule;
    };

export type NormalizedOptimizerSpec =
  | {
      name: 'sgd';
      lr: number;
      momentum: number;
      nesterov: boolean;
      weightDecay: number;
      schedule: LrSchedule;
    }
  | {
      name: 'adam';
      lr: number;
      beta1: number;
      beta2: number;
      epsilon: number;
      weightDecay: number;
      schedule: LrSchedule;
    };

export const OPTIMIZER_NAMES = ['adam', 'sgd'] as const;

function check(cond: boolean, field: string, msg: string, found: unknown): void {
  if (!cond)
    throw new MiaError('E_CONFIG', `${field} ${msg}`, { where: `optimizer.${field}`, found: String(found) });
}

/**
 * The spec with every field present (defaults: SGD momentum 0, nesterov false; Adam β1 0.9, β2 0.999,
 * ε 1e-8; weight decay 0; schedule constant) and validated. Throws E_UNKNOWN_NAME for an unknown optimiser
 * and E_CONFIG (naming the field) for a value out of range.
 */
export function normalizeOptimizerSpec(spec: OptimizerSpec): NormalizedOptimizerSpec {
  const name = (spec as { name: string }).name;
  if (!(OPTIMIZER_NAMES as readonly string[]).includes(name)) {
    throw new MiaError('E_UNKNOWN_NAME', `unknown optimizer '${name}'`, {
      where: 'optimizer',
      expected: OPTIMIZER_NAMES.join(', '),
      found: name,
    });
  }
  check(Number.isFinite(spec.lr) && spec.lr > 0, 'lr', 'must be a positive number', spec.lr);
  const weightDecay = spec.weightDecay ?? 0;
  check(Number.isFinite(weightDecay) && weightDecay >= 0, 'weightDecay', 'must be ≥ 0', weightDecay);
  const schedule = normalizeSchedule(spec.schedule ?? { kind: 'constant' });
  if (spec.name === 'sgd') {
    const momentum = spec.momentum ?? 0;
    check(momentum >= 0 && momentum < 1, 'momentum', 'must be in [0, 1)', momentum);
    const nesterov = spec.nesterov ?? false;
    check(!nesterov || momentum > 0, 'nesterov', 'needs momentum > 0', nesterov);
    return { name: 'sgd', lr: spec.lr, momentum, nesterov, weightDecay, schedule };
  }
  const beta1 = spec.beta1 ?? 0.9;
  const beta2 = spec.beta2 ?? 0.999;
  const epsilon = spec.epsilon ?? 1e-8;
  check(beta1 >= 0 && beta1 < 1, 'beta1', 'must be in [0, 1)', beta1);
  check(beta2 >= 0 && beta2 < 1, 'beta2', 'must be in [0, 1)', beta2);
  check(epsilon > 0, 'epsilon', 'must be > 0', epsilon);
  return { name: 'adam', lr: spec.lr, beta1, beta2, epsilon, weightDecay, schedule };
}

function normalizeSchedule(s: LrSchedule): LrSchedule {
  switch (s.kind) {
    case 'constant':
      return { kind: 'constant' };
    case 'step':
      check(Number.isInteger(s.every) && s.every >= 1, 'schedule.every', 'must be an integer ≥ 1', s.every);
      check(s.gamma > 0, 'schedule.gamma', 'must be > 0', s.gamma);
      return { kind: 'step', every: s.every, gamma: s.gamma };
    case 'cosine': {
      const minLr = s.minLr ?? 0;
      check(minLr >= 0, 'schedule.minLr', 'must be ≥ 0', minLr);
      return { kind: 'cosine', minLr };
    }
    default:
      throw new MiaError(
        'E_UNKNOWN_NAME',
        `unknown learning-rate schedule '${(s as { kind: string }).kind}'`,
        {
          where: 'optimizer.schedule',
          expected: 'constant, step, cosine',
        },
      );
  }
}

/** The learning rate of epoch `epoch` (0-based) of `epochs`, by the schedule's formula above. */
export function learningRateAt(lr: number, schedule: LrSchedule, epoch: number, epochs: number): number {
  switch (schedule.kind) {
    case 'constant':
      return lr;
    case 'step':
      return lr * schedule.gamma ** Math.floor(epoch / schedule.every);
    case 'cosine': {
      const min = schedule.minLr ?? 0;
      return min + ((lr - min) * (1 + Math.cos((Math.PI * epoch) / Math.max(1, epochs)))) / 2;
    }
  }
}

/**
 * Parses a schedule from a CLI string: `constant`, `step:EVERY:GAMMA` (e.g. `step:30:0.1`), `cosine` or
 * `cosine:MIN_LR`. Throws E_USAGE on anything else.
 */
export function parseSchedule(text: string): LrSchedule {
  const [kind, ...rest] = text.split(':');
  const nums = rest.map(Number);
  if (kind === 'constant' && rest.length === 0) return { kind: 'constant' };
  if (kind === 'step' && nums.length === 2 && nums.every(Number.isFinite)) {
    return { kind: 'step', every: nums[0]!, gamma: nums[1]! };
  }
  if (kind === 'cosine' && nums.length <= 1 && nums.every(Number.isFinite)) {
    return nums.length === 1 ? { kind: 'cosine', minLr: nums[0]! } : { kind: 'cosine' };
  }
  throw new MiaError('E_USAGE', `bad learning-rate schedule '${text}'`, {
    where: '--schedule',
    expected: 'constant, step:EVERY:GAMMA or cosine[:MIN_LR]',
    found: text,
  });
}
