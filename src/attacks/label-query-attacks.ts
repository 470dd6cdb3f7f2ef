/**
 * The query-based label-only attacks (label-only.ts has their definitions): they read the labels the
 * model gave on perturbed queries (signals/label-queries.ts, signals/boundary-distance.ts), which the
 * audit's model stage and `mia attack --model` compute while the model is loaded; the scores here are
 * pure functions of those labels. Given outputs alone (`mia attack --input`) they fail with one line.
 */
import { MiaError } from '../errors.js';
import type { PooledOutputs } from '../signals/attack-input.js';
import type { LabelQueryResults } from '../signals/label-queries.js';
import { labelAgreementScores } from './label-only.js';

/** The part of registry.ts's AttackContext these attacks read (declared here: registry.ts lists them). */
interface QueryContext {
  labelQueries?: LabelQueryResults | undefined;
}

/** A registry.ts OutputAttack entry, as these attacks fill it. */
interface LabelQueryAttack {
  name: string;
  kind: 'threshold';
  needs: 'labels';
  queries: LabelQueryKind;
  description: string;
  run(
    pooled: PooledOutputs,
    context: QueryContext,
  ): { attack: string; signal: string; scores: Float64Array; note: string };
}

/** Which perturbed queries each query-based label-only attack reads. */
export type LabelQueryKind = keyof LabelQueryResults;

/** The query-based label-only attacks by name: the queries each one needs. */
export const LABEL_QUERY_KINDS: Readonly<Record<string, LabelQueryKind>> = {
  'label-augment': 'augment',
  'label-noise': 'noise',
  'label-boundary': 'boundary',
};

function missing(name: string): MiaError {
  return new MiaError(
    'E_MISSING_FIELD',
    `attack '${name}' queries the model on perturbed inputs; exported outputs do not carry them`,
    { where: name, expected: 'mia attack --model M --dataset D, or the attack in an audit config' },
  );
}

function checkLength(name: string, got: number, pooled: PooledOutputs): void {
  if (got !== pooled.n) {
    throw new MiaError('E_SHAPE_MISMATCH', `the label queries of ${name} do not match the samples`, {
      where: name,
      expected: `${pooled.n} samples`,
      found: String(got),
    });
  }
}

function scoresOf(
  name: string,
  pooled: PooledOutputs,
  context: QueryContext,
): ReturnType<LabelQueryAttack['run']> {
  const q = context.labelQueries;
  switch (LABEL_QUERY_KINDS[name]) {
    case 'augment': {
      const a = q?.augment;
      if (a === undefined) throw missing(name);
      const k = a.names.length;
      checkLength(name, a.preds.length / k, pooled);
      return {
        attack: name,
        signal: 'augmented-labels',
        scores: labelAgreementScores(a.preds, k, pooled.labels),
        note: `${k} augmented queries per sample (${a.names.join(', ')})`,
      };
    }
    case 'noise': {
      const z = q?.noise;
      if (z === undefined) throw missing(name);
      const k = z.sigmas.length * z.draws;
      checkLength(name, z.preds.length / k, pooled);
      return {
        attack: name,
        signal: 'noisy-labels',
        scores: labelAgreementScores(z.preds, k, pooled.labels),
        note: `${k} noisy queries per sample (σ ${z.sigmas.join(', ')}; ${z.draws} draws each)`,
      };
    }
    case 'boundary': {
      const b = q?.boundary;
      if (b === undefined) throw missing(name);
      checkLength(name, b.distance.length, pooled);
      let total = 0;
      let most = 0;
      for (const v of b.queries) {
        total += v;
        most = Math.max(most, v);
      }
      return {
        attack: name,
        signal: 'boundary-distance',
        scores: Float64Array.from(b.distance),
        note: `HopSkipJump boundary distance: ${(total / Math.max(1, b.queries.length)).toFixed(1)} queries per sample on average, at most ${most}`,
      };
    }
    default:
      throw new Error(`unreachable: ${name} is not a query-based label-only attack`);
  }
}

function entry(name: string, description: string): LabelQueryAttack {
  return {
    name,
    kind: 'threshold',
    needs: 'labels',
    queries: LABEL_QUERY_KINDS[name]!,
    description,
    run: (pooled, context) => scoresOf(name, pooled, context),
  };
}

export const LABEL_QUERY_ATTACKS: readonly LabelQueryAttack[] = [
  entry(
    'label-augment',
    'label-only data-augmentation robustness (Choquette-Choo et al. 2021): share of flipped / shifted queries labelled correctly',
  ),
  entry(
    'label-noise',
    'label-only noise robustness (Choquette-Choo et al. 2021): share of Gaussian-noise queries labelled correctly',
  ),
  entry(
    'label-boundary',
    'label-only decision-boundary distance (HopSkipJump, Chen et al. 2020; ART LabelOnlyDecisionBoundary); expensive',
  ),
];
