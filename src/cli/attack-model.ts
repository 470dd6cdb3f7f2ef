/**
 * `mia attack --model M --dataset D`: the output attacks and the label-only attacks — label-gap and the
 * query-based label-augment, label-noise and (when listed) label-boundary — on a saved model, with
 * members and non-members as `mia infer` picks them (cli/model-samples.ts). The model is queried once
 * for its outputs, then on the perturbed inputs of the query-based attacks (seeded by --seed); the query
 * budget is printed.
 */
import { DEFAULT_OUTPUT_ATTACKS } from '../attacks/registry.js';
import type { AttackResult } from '../audit/run-attacks.js';
import { stdoutLogger } from '../core/logger.js';
import { MiaError } from '../errors.js';
import type { SliceFamily } from '../metrics/slicing.js';
import { bool, type FlagValues, int, list, text } from './flags.js';
import { MODEL_FLAG_DESCRIPTION, modelSampleFlags } from './model-samples.js';

const GROUP = 'With a saved model (mia infer takes it the same way; label-only attacks that query it):';

/** A flag record with every flag going with --model. */
function withModel<T extends Record<string, object>>(flags: T): T {
  return Object.fromEntries(Object.entries(flags).map(([k, f]) => [k, { ...f, requires: 'model' }])) as T;
}

export const MODEL_ATTACK_FLAGS = {
  model: text({
    group: GROUP,
    placeholder: 'PATH',
    description: `${MODEL_FLAG_DESCRIPTION}; replaces --input`,
  }),
  ...withModel({
    ...modelSampleFlags(),
    shift: int({
      default: 1,
      range: { min: 0, max: 8 },
      description: 'label-augment: shifts by 1..N pixels (|dx| + |dy| = r; default {default})',
    }),
    'no-flip': bool({ description: 'label-augment: no mirrored queries' }),
    'noise-sigmas': list({
      default: ['0.05', '0.1', '0.2'],
      description: 'label-noise: Gaussian noise levels σ in input units (default {default})',
    }),
    'noise-draws': int({
      default: 10,
      range: { min: 1, max: 1000 },
      description: 'label-noise: draws per σ (default {default})',
    }),
    'boundary-queries': int({
      default: 200,
      range: { min: 1, max: 100000 },
      description: 'label-boundary: at most this many queries per sample (default {default})',
    }),
  }),
};

type ModelArgs = FlagValues<typeof MODEL_ATTACK_FLAGS> & {
  attacks: string[] | undefined;
  seed: number;
};

/** The attacks of --model by default: mia attack's, then label-gap, label-augment (images), label-noise. */
export function defaultModelAttacks(image: boolean): string[] {
  return [...DEFAULT_OUTPUT_ATTACKS, 'label-gap', ...(image ? ['label-augment'] : []), 'label-noise'];
}

/** Parses --noise-sigmas: numbers > 0. */
function sigmasOf(values: string[]): number[] {
  return values.map((v) => {
    const x = Number(v);
    if (!(Number.isFinite(x) && x > 0)) {
      throw new MiaError('E_USAGE', `--noise-sigmas: '${v}' is not a number > 0`, {
        where: 'mia attack --noise-sigmas',
        expected: 'comma-separated numbers > 0, e.g. 0.05,0.1',
      });
    }
    return x;
  });
}

/**
 * Runs the attacks on the model's members and non-members (see the file header); `check` validates the
 * attack names (attack.ts's checkOutputAttacks). Returns mia attack's results.
 */
export async function runWithModel(
  args: ModelArgs,
  slices: SliceFamily[],
  check: (names: string[]) => string[],
): Promise<AttackResult[]> {
  const sigmas = sigmasOf(args['noise-sigmas']);
  if (args.attacks !== undefined) check(args.attacks);
  const { loadModelSamples } = await import('./model-samples.js');
  const { predictOutputs } = await import('../signals/inference.js');
  const { concat } = await import('../data/splits.js');
  const { runOutputAttacks } = await import('../audit/run-attacks.js');
  const { queryLabels, labelQueryLine } = await import('../audit/label-query-file.js');
  const { labelQueryPlanFor } = await import('../audit/config-label-only.js');
  const s = await loadModelSamples(args.model!, args, 'attack');
  try {
    const image = s.members.shape.length === 3;
    const attacks = check(args.attacks ?? defaultModelAttacks(image));
    if (!image && attacks.includes('label-augment')) {
      throw new MiaError('E_USAGE', 'label-augment flips and shifts images; this dataset is tabular', {
        where: 'mia attack --attacks',
        expected: 'label-noise or label-boundary for tabular data',
      });
    }
    console.log(`model: ${s.predictor.description}`);
    const opts = { batchSize: args['batch-size'] };
    const members = await predictOutputs(s.predictor, s.members, { ...opts, where: 'members' });
    const nonMembers = await predictOutputs(s.predictor, s.nonMembers, { ...opts, where: 'non-members' });
    console.log(
      `${s.datasetName}: ${members.n} members (train rows), ${nonMembers.n} non-members (${s.from} rows), ${members.numClasses} classes`,
    );
    const plan = labelQueryPlanFor(
      attacks,
      {
        shift: args.shift,
        flip: !args['no-flip'],
        noiseSigmas: sigmas,
        noiseDraws: args['noise-draws'],
        boundaryQueries: args['boundary-queries'],
      },
      args.seed,
    );
    let labelQueries: Awaited<ReturnType<typeof queryLabels>> | undefined;
    if (plan !== undefined) {
      const all = concat(s.members, s.nonMembers);
      const t0 = performance.now();
      labelQueries = await queryLabels(s.predictor, all, plan);
      const bound =
        plan.boundary !== undefined ? ` (label-boundary at most ${plan.boundary.maxQueries})` : '';
      console.log(
        `${labelQueryLine(labelQueries, all.n)}${bound}, in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
      );
    }
    const { results } = runOutputAttacks(
      { members, nonMembers },
      {
        attacks,
        slices,
        seed: args.seed,
        logger: stdoutLogger,
        ...(labelQueries !== undefined ? { labelQueries } : {}),
      },
    );
    return results;
  } finally {
    await s.predictor.dispose();
  }
}
