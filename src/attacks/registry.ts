/**
 * The attacks by name: the output attacks (one model's outputs on members and non-members: thresholds on
 * a signal, trained classifiers) and the reference-model attacks (reference-attack.ts: LiRA, RMIA,
 * Attack-R/P, shadow). Adding an attack: its file exports the entry, and one line here lists it.
 */
import { MiaError } from '../errors.js';
import type { PooledOutputs } from '../signals/attack-input.js';
import type { LabelQueryResults } from '../signals/label-queries.js';
import type { SignalName } from '../signals/signals.js';
import { attackFeatures } from './features.js';
import { labelGapScores } from './label-only.js';
import { LABEL_QUERY_ATTACKS } from './label-query-attacks.js';
import { LIRA_ATTACKS } from './lira-attacks.js';
import type { ReferenceAttack } from './reference-attack.js';
import { BASELINE_REFERENCE_ATTACKS } from './reference-baselines.js';
import { RMIA_REFERENCE_ATTACKS } from './rmia-attacks.js';
import { SHADOW_REFERENCE_ATTACK } from './shadow.js';
import { thresholdAttackScores } from './threshold.js';
import { runTrainedAttack } from './trained-attack.js';
import { crossFitNote } from './trained-attack-note.js';
import type { TrainedAttackProgress } from './trained-attack-scale.js';

/** What every attack on one model's outputs returns: one membership score per pooled sample. */
export interface AttackScores {
  attack: string;
  /** The signal or feature set the attack reads (reported with the results). */
  signal: string;
  /** Length n (members first, as PooledOutputs); higher = more likely a member. */
  scores: Float64Array;
  /**
   * Samples whose scores the metrics may use (1) — a trained attack leaves out the samples it trained
   * on when it cannot score them out-of-sample. Undefined = all samples.
   */
  evaluated?: Uint8Array;
  /** How the attack was set up (e.g. the attack-training split), in words. */
  note?: string;
}

export interface AttackContext {
  seed: number;
  /** Trained attacks: the cap on each attacker's training rows per class (TrainedAttackOptions). */
  maxTrainPerClass?: number | undefined;
  /** Trained attacks: progress as each attacker trains and scores. */
  onProgress?: ((progress: TrainedAttackProgress) => void) | undefined;
  /** Query-based label-only attacks: the model's labels on perturbed queries of the pooled samples. */
  labelQueries?: LabelQueryResults | undefined;
}

/** An attack that needs only the target model's outputs on members and non-members. */
export interface OutputAttack {
  name: string;
  kind: 'threshold' | 'trained';
  description: string;
  /** What the attack reads: 'labels' = only the predicted label (label-only attacks); default 'probs'. */
  needs?: 'probs' | 'labels';
  /** Query-based label-only attacks: the perturbed queries of the model they read (label-query-attacks.ts). */
  queries?: keyof LabelQueryResults;
  run(pooled: PooledOutputs, context: AttackContext): AttackScores;
}

function threshold(name: string, signal: SignalName, description: string): OutputAttack {
  return {
    name,
    kind: 'threshold',
    description,
    run: (pooled) => ({ attack: name, signal, scores: thresholdAttackScores(pooled, signal) }),
  };
}

function trained(name: 'lr' | 'mlp' | 'rf' | 'knn', description: string): OutputAttack {
  return {
    name,
    kind: 'trained',
    description,
    run(pooled, context) {
      const f = attackFeatures(pooled);
      const r = runTrainedAttack(name, f.x, f.n, f.d, pooled.isMember, {
        seed: context.seed,
        crossFit: true,
        maxTrainPerClass: context.maxTrainPerClass,
        onProgress: context.onProgress,
      });
      return {
        attack: name,
        signal: 'sorted-probs+loss+label',
        scores: r.scores,
        evaluated: r.evaluated,
        note: crossFitNote(r),
      };
    },
  };
}

const ATTACKS: readonly OutputAttack[] = [
  threshold('threshold', 'loss', "loss threshold (TF Privacy's THRESHOLD_ATTACK)"),
  threshold('threshold-entropy', 'entropy', 'prediction-entropy threshold (labels unused)'),
  threshold('threshold-confidence', 'confidence', 'true-class probability threshold'),
  threshold(
    'threshold-modified-entropy',
    'modified-entropy',
    "Song & Mittal modified entropy (TF Privacy's THRESHOLD_ENTROPY_ATTACK with labels)",
  ),
  threshold(
    'threshold-scaled-logit',
    'scaled-logit',
    'scaled logit ln(p/(1-p)) of the true class (LiRA signal)',
  ),
  threshold('threshold-max-prob', 'max-prob', 'highest class probability'),
  trained('lr', 'logistic regression on sorted probabilities, loss and label'),
  trained('mlp', 'multi-layer perceptron on sorted probabilities, loss and label'),
  trained('rf', 'random forest on sorted probabilities, loss and label'),
  trained('knn', 'k-nearest neighbours on sorted probabilities, loss and label'),
  {
    name: 'label-gap',
    kind: 'threshold',
    needs: 'labels',
    description: 'label-only gap attack (Yeom et al. 2018): member ⇔ correctly classified',
    run: (pooled) => ({ attack: 'label-gap', signal: 'predicted-label', scores: labelGapScores(pooled) }),
  },
  ...LABEL_QUERY_ATTACKS,
];

/** The attacks `mia attack` runs when --attacks is not given. */
export const DEFAULT_OUTPUT_ATTACKS: readonly string[] = [
  'threshold',
  'threshold-entropy',
  'threshold-confidence',
  'threshold-modified-entropy',
  'threshold-scaled-logit',
  'lr',
  'mlp',
  'rf',
  'knn',
];

export function outputAttackNames(): string[] {
  return ATTACKS.map((a) => a.name);
}

/**
 * Throws E_MISSING_FIELD when `attack` reads probabilities but `pooled` holds only predicted labels
 * (preds_* without logits or probs); `where` names the input.
 */
export function checkAttackFits(attack: OutputAttack, pooled: PooledOutputs, where: string): void {
  if (pooled.labelOnly !== true || attack.needs === 'labels') return;
  throw new MiaError(
    'E_MISSING_FIELD',
    `attack '${attack.name}' needs logits or probs; the input holds only predicted labels (preds_*)`,
    { where, expected: 'logits_* or probs_*, or --attacks label-gap' },
  );
}

/** Looks an attack up by name; E_UNKNOWN_NAME lists the known names. */
export function getOutputAttack(name: string): OutputAttack {
  const a = ATTACKS.find((x) => x.name === name);
  if (a === undefined) {
    throw new MiaError('E_UNKNOWN_NAME', `unknown attack '${name}'`, {
      where: '--attacks',
      expected: outputAttackNames().join(', '),
    });
  }
  return a;
}

/** Every reference-model attack, in the order help texts list them. */
const REFERENCE_ATTACKS: readonly ReferenceAttack[] = [
  ...LIRA_ATTACKS,
  ...RMIA_REFERENCE_ATTACKS,
  ...BASELINE_REFERENCE_ATTACKS,
  SHADOW_REFERENCE_ATTACK,
];

/** The reference-model attacks (see {@link REFERENCE_ATTACKS}), in registry order. */
export function referenceAttacks(): readonly ReferenceAttack[] {
  return REFERENCE_ATTACKS;
}

/** The reference-model attack called `name`, or undefined when `name` is not one. */
export function findReferenceAttack(name: string): ReferenceAttack | undefined {
  return REFERENCE_ATTACKS.find((a) => a.name === name);
}
