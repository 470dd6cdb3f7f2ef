import { isMiaError, MiaError } from '../errors.js';
import { ACCOUNTANT_NAMES } from '../models/dp/accountant-names.js';
import { defineCommand } from './command.js';
import { bool, choice, int, num } from './flags.js';

const ACTIONS = ['epsilon', 'noise'] as const;

/**
 * `mia dp epsilon …` prints the ε the accountant gives for σ, q, T and δ; `mia dp noise …` prints the σ
 * that reaches a target ε. The work is src/models/dp/ (rdp.ts, prv.ts, calibrate.ts).
 */
export const dpCommand = defineCommand({
  name: 'dp',
  summary: 'the DP-SGD accountant: ε of a noise multiplier (dp epsilon), or the noise for an ε (dp noise)',
  description: `The privacy accountant of DP-SGD (Poisson-subsampled Gaussian mechanism, add/remove-one
adjacency). \`mia dp epsilon\` prints the ε after --steps steps at sampling rate --sample-rate with noise
multiplier --noise-multiplier, at --delta: the RDP accountant at Opacus's orders (1.1 … 10.9 by 0.1,
12 … 63; Mironov et al. 2019, converted by Balle et al. 2020 — Opacus's and TF Privacy's numbers) or the
tighter numerical PRV accountant (Gopi et al. 2021, an upper bound with its error accounted for).
\`mia dp noise\` prints the smallest noise multiplier whose ε is at most --target-epsilon (Opacus's
get_noise_multiplier: within 0.01 of the target, never above it).`,
  positional: { name: 'action', placeholder: 'epsilon|noise', noun: 'action (epsilon or noise)' },
  flags: {
    'sample-rate': num({
      placeholder: 'Q',
      range: { min: 0, max: 1 },
      description: 'q, the Poisson sampling rate: batch size / training-set size (required)',
    }),
    steps: int({ placeholder: 'T', range: { min: 0 }, description: 'the number of steps (required)' }),
    delta: num({
      range: { min: 0, max: 1, exclusiveMin: true, exclusiveMax: true },
      description: 'δ of the (ε, δ) guarantee, typically < 1/n (required)',
    }),
    'noise-multiplier': num({
      placeholder: 'SIGMA',
      range: { min: 0 },
      description: 'σ, the noise std over the clipping norm (dp epsilon)',
    }),
    'target-epsilon': num({
      placeholder: 'EPS',
      range: { min: 0, exclusiveMin: true },
      description: 'the ε to reach (dp noise)',
    }),
    accountant: choice(ACCOUNTANT_NAMES, { default: 'rdp', description: 'rdp or prv (default {default})' }),
    json: bool({
      description:
        'print JSON: {accountant, epsilon, delta, order, orders, rdp} for dp epsilon (order, orders and\n' +
        'rdp are null for prv), {accountant, noiseMultiplier, epsilon, …} for dp noise',
    }),
  },
  oneOf: [['noise-multiplier', 'target-epsilon']],
  async run(args) {
    const action = args.action;
    if (!(ACTIONS as readonly string[]).includes(action))
      throw new MiaError(
        'E_USAGE',
        `the action must be one of ${ACTIONS.join(', ')}; see \`mia dp --help\``,
        {
          where: 'mia dp',
          found: action,
        },
      );
    const wanted = action === 'epsilon' ? 'noise-multiplier' : 'target-epsilon';
    if (args[wanted] === undefined)
      throw new MiaError('E_USAGE', `mia dp ${action} takes --${wanted}`, {
        where: `mia dp ${action}`,
        found: `--${action === 'epsilon' ? 'target-epsilon' : 'noise-multiplier'}`,
      });
    const { accountantEpsilon, accountantNoise } = await import('../models/dp/accountant.js');
    const where = `mia dp ${action}`;
    const mechanism = {
      sampleRate: required(args['sample-rate'], 'sample-rate'),
      steps: required(args.steps, 'steps'),
      delta: required(args.delta, 'delta'),
    };
    if (action === 'epsilon') {
      const r = placed(where, () =>
        accountantEpsilon(args.accountant, { ...mechanism, noiseMultiplier: args['noise-multiplier']! }),
      );
      if (args.json) console.log(JSON.stringify(r));
      else
        console.log(
          `ε = ${Number.isFinite(r.epsilon) ? r.epsilon : '∞ (unbounded)'} at δ = ${r.delta} (${r.accountant}${r.order !== null ? `, order ${r.order}` : ''})`,
        );
      return 0;
    }
    const r = placed(where, () =>
      accountantNoise(args.accountant, { ...mechanism, targetEpsilon: args['target-epsilon']! }),
    );
    if (args.json) console.log(JSON.stringify(r));
    else
      console.log(
        `σ = ${r.noiseMultiplier} (ε = ${r.epsilon} ≤ ${r.targetEpsilon} at δ = ${r.delta}, ${r.accountant})`,
      );
    return 0;
  },
});

/** Runs `work`; a MiaError that names no place (the accountant's E_ARGUMENT) is given `where`. */
function placed<T>(where: string, work: () => T): T {
  try {
    return work();
  } catch (e) {
    if (isMiaError(e) && e.where === undefined)
      throw new MiaError(e.code, e.message, {
        where,
        ...(e.expected !== undefined ? { expected: e.expected } : {}),
        ...(e.found !== undefined ? { found: e.found } : {}),
      });
    throw e;
  }
}

/** A numeric flag every action needs (the flag builders have no `required` for numbers). */
function required<T>(value: T | undefined, flag: string): T {
  if (value === undefined)
    throw new MiaError('E_USAGE', `--${flag} is required; see \`mia dp --help\``, { where: 'mia dp' });
  return value;
}
