/**
 * Membership scores for a private set (seed 004's workflow, `mia score`): the target model's outputs
 * on a PUBLIC set whose membership is known and on a PRIVATE set to score (src/audit/membership-sets.ts),
 * and one of three ways to turn them into scores (higher = more likely a member):
 *
 * - 'shadow': S shadow models trained on disjoint parts of the public set (src/audit/shadow-models.ts),
 *   an MLP meta-classifier on their outputs (src/attacks/shadow.ts, Shokri et al. 2017) scores the
 *   target's outputs;
 * - a classifier kind ('lr', 'mlp', 'rf', 'knn'): trained on the target's own outputs on the public set
 *   with its membership labels;
 * - an output attack of src/attacks/registry.ts (the threshold attacks): a signal, no training;
 * - 'auto' (`mia score`'s default): shadow, lr and threshold, compared by AUC on lr's held-out quarter of
 *   the public set (the only samples none of them trained on with the target's membership); the best
 *   one's scores, and its metrics on that quarter.
 *
 * Besides the private scores, the attack's metrics on the public set: on the whole set for shadow and
 * the threshold attacks (the target's membership there never trains them), on a held-out quarter for
 * the classifiers.
 */
import { CLASSIFIER_KINDS, createClassifier } from '../attacks/classifiers/registry.js';
import { attackFeatures } from '../attacks/features.js';
import { type AttackScores, getOutputAttack } from '../attacks/registry.js';
import { fitShadowMetaClassifier } from '../attacks/shadow.js';
import { runTrainedAttack } from '../attacks/trained-attack.js';
import type { Logger } from '../core/logger.js';
import { MiaError } from '../errors.js';
import { createEngine } from '../models/engines/create-engine.js';
import type { BackendPreference } from '../models/engines/names.js';
import { loadPredictor } from '../models/load.js';
import type { Predictor } from '../models/predictor.js';
import type { ModelRecord } from '../models/store.js';
import { Rng } from '../rng.js';
import type { PooledOutputs } from '../signals/attack-input.js';
import { predictOutputs } from '../signals/inference.js';
import type { ModelOutputs } from '../signals/model-outputs.js';
import type { TrainingConfig } from './config.js';
import { entireDatasetResult } from './entire-dataset-result.js';
import { fitSetLayout, fitSetScale, targetScale } from './fit-set-to-target.js';
import type { MembershipSet, SetNormalization } from './membership-sets.js';
import type { AttackResult } from './run-attacks.js';
import { shadowSizing, trainShadowModels } from './shadow-models.js';

export interface ScorePrivateSetOptions {
  /** The target: a folder saved by mia-audit, an .onnx file or a tfjs model.json (src/models/load.ts). */
  targetPath: string;
  /** The public set (with `member`) and the private set, read by readMembershipSet. */
  pub: MembershipSet;
  priv: MembershipSet;
  /** 'shadow', a classifier kind (lr, mlp, rf, knn) or an output attack name (see the module header). */
  attack: string;
  seed: number;
  backend: BackendPreference;
  /** The shadow attack's models: how many (checked with checkShadowCount), where to cache them, and their training. */
  shadow?: {
    /** Omitted: sized like the target where the public set allows (shadowSizing). */
    count?: number;
    cacheDir?: string;
    /** The shadow models' training, given the target's saved record (undefined for ONNX / tfjs models). */
    training: (record: ModelRecord | undefined) => TrainingConfig;
  };
  /** Progress lines (the target and sets, the engine, each shadow model, the meta-classifier). */
  logger: Logger;
  /**
   * How the sets were read (--normalize); 'auto' (default) fits them to the target's recorded
   * normalisation and layout (src/audit/fit-set-to-target.ts), 'unit' / 'none' keep them as read.
   */
  normalize?: SetNormalization;
}

export interface PrivateSetScores {
  /** One score per private sample, in its order; higher = more likely a member. */
  scores: Float64Array;
  /** The attack's metrics on the public set; undefined when the evaluated part lacks a class. */
  publicResult: AttackResult | undefined;
  /** With attack 'auto': the candidate chosen. */
  chosen?: string;
}

async function outputsOf(p: Predictor, set: MembershipSet, where: string): Promise<ModelOutputs> {
  return predictOutputs(p, { x: set.x, y: set.y, n: set.n }, { where });
}

function pooledOf(o: ModelOutputs, member: Uint8Array): PooledOutputs {
  let m = 0;
  for (let i = 0; i < member.length; i++) m += member[i]!;
  return { ...o, isMember: member, nMembers: m, nNonMembers: member.length - m };
}

/**
 * Scores the private set (see the module header). Loads the target, checks that both sets have its
 * input shape (E_SHAPE_MISMATCH naming the file that differs), and always disposes of it. Throws the
 * errors of loadPredictor, trainShadowModels and the attacks; E_UNKNOWN_NAME for an unknown attack.
 */
export async function scorePrivateSet(o: ScorePrivateSetOptions): Promise<PrivateSetScores> {
  const { attack, backend, logger } = o;
  const loaded = await loadPredictor(o.targetPath, { inputShape: o.pub.shape, backend });
  const target = loaded.predictor;
  try {
    // the sets on the target's layout and scale (NCHW → NHWC, pixels 0–255 → x / 255), or one line why not
    const modelShape = loaded.kind === 'onnx' ? undefined : target.inputShape;
    const expected = targetScale(loaded.record);
    const fit = (set: MembershipSet): MembershipSet => {
      const laid = fitSetLayout(set, modelShape);
      const scaled = fitSetScale(laid.set, expected, o.normalize ?? 'auto');
      for (const note of [laid.note, scaled.note]) if (note !== undefined) logger.info(note);
      return scaled.set;
    };
    const pub = fit(o.pub);
    const priv = fit(o.priv);
    // an ONNX model takes the shape it is given; the others know theirs
    checkShapes(pub, priv, modelShape);
    const usesShadow = attack === 'shadow' || attack === AUTO_ATTACK;
    if (usesShadow && o.shadow === undefined) throw new Error('the shadow attack needs options.shadow');
    const member = pub.member!;
    let nm = 0;
    for (let i = 0; i < member.length; i++) nm += member[i]!;
    logger.info(
      `target ${target.description}; public ${pub.path}: ${pub.n} samples (${nm} members), private ${priv.path}: ${priv.n} samples` +
        (pub.normalized === 'unit' ? '; uint8 x divided by 255' : ''),
    );
    const pubOut = await outputsOf(target, pub, `${pub.path} through the target`);
    const privOut = await outputsOf(target, priv, `${priv.path} through the target`);
    const ctx: Candidate = { o, pub, pubOut, privOut, member, record: loaded.record };
    if (attack !== AUTO_ATTACK) {
      const r = await runCandidate(attack, ctx);
      return { scores: r.scores, publicResult: entireDatasetResult(r.public, member) };
    }
    // auto: every candidate, compared on the public samples none of them trained on with the target's
    // membership (the held-out quarter of lr; shadow and threshold never use that membership)
    const runs = [];
    for (const name of AUTO_CANDIDATES) runs.push(await runCandidate(name, ctx));
    const evaluated = runs.find((r) => r.public.evaluated !== undefined)!.public.evaluated!;
    const heldOut = runs.map((r) => entireDatasetResult({ ...r.public, evaluated }, member));
    let best = 0;
    for (let k = 1; k < runs.length; k++) if ((heldOut[k]?.auc ?? 0) > (heldOut[best]?.auc ?? 0)) best = k;
    logger.info(
      `attack: ${AUTO_CANDIDATES[best]}, the best on the public set's held-out part ` +
        `(${evaluated.reduce((a, v) => a + v, 0)} samples; AUC ${runs.map((r, k) => `${r.public.attack} ${heldOut[k]?.auc.toFixed(3) ?? 'n/a'}`).join(', ')})`,
    );
    return { scores: runs[best]!.scores, publicResult: heldOut[best], chosen: AUTO_CANDIDATES[best]! };
  } finally {
    await target.dispose();
  }
}

/** The default attack: the candidate best on the public set's held-out part (see scorePrivateSet). */
export const AUTO_ATTACK = 'auto';
/** The candidates of {@link AUTO_ATTACK}: the shadow models, a trained classifier, the plain threshold. */
export const AUTO_CANDIDATES = ['shadow', 'lr', 'threshold'] as const;

interface Candidate {
  o: ScorePrivateSetOptions;
  pub: MembershipSet;
  pubOut: ModelOutputs;
  privOut: ModelOutputs;
  member: Uint8Array;
  record: ModelRecord | undefined;
}

/** One attack's private scores and its public-set scores (with the samples they may be evaluated on). */
async function runCandidate(
  attack: string,
  c: Candidate,
): Promise<{ scores: Float64Array; public: AttackScores }> {
  const { o, pub, pubOut, privOut, member } = c;
  const { seed, backend, logger } = o;
  if (attack === 'shadow') {
    const training = o.shadow!.training(c.record);
    const sizing = shadowSizing(pub.n, c.record?.trainSize, o.shadow!.count);
    const count = sizing.count;
    logger.info(sizing.note);
    const engine = await createEngine('auto', { backend });
    logger.info(`engine: ${engine.name}, backend ${engine.backend.description}`);
    const shadows = await trainShadowModels(
      { x: pub.x, y: pub.y, n: pub.n, shape: pub.shape, numClasses: pubOut.numClasses },
      {
        count,
        training,
        seed,
        engine,
        logger,
        ...(o.shadow?.cacheDir !== undefined ? { cacheDir: o.shadow.cacheDir } : {}),
      },
    );
    const meta = fitShadowMetaClassifier(shadows, { seed });
    logger.info(
      `meta-classifier (MLP) trained on ${meta.trainMembers} member + ${meta.trainNonMembers} non-member outputs of ${count} shadow models`,
    );
    return {
      scores: meta.score(privOut),
      public: { attack: 'shadow', signal: 'sorted-probs+loss+label', scores: meta.score(pubOut) },
    };
  }
  const kind = CLASSIFIER_KINDS.find((k) => k === attack);
  if (kind !== undefined) {
    const f = attackFeatures(pubOut);
    const held = runTrainedAttack(kind, f.x, f.n, f.d, member, { seed });
    const clf = createClassifier(kind);
    clf.fit(f.x, f.n, f.d, member, new Rng(seed));
    const fp = attackFeatures(privOut);
    return {
      scores: clf.predictProba(fp.x, fp.n, fp.d),
      public: { attack, signal: 'sorted-probs+loss+label', scores: held.scores, evaluated: held.evaluated },
    };
  }
  const a = getOutputAttack(attack);
  const s = a.run(pooledOf(pubOut, member), { seed });
  return {
    scores: a.run(pooledOf(privOut, new Uint8Array(privOut.n)), { seed }).scores,
    public: { attack, signal: s.signal, scores: s.scores },
  };
}

const sameShape = (a: readonly number[], b: readonly number[]) =>
  a.length === b.length && a.every((d, i) => d === b[i] || b[i]! < 0);
const fmt = (shape: readonly number[]) => `[${shape.join(', ')}]`;

/**
 * The public and private samples must have one shape. When they do not, the error blames the file that
 * disagrees with the model's input shape when that is known (`modelShape`, −1 = any size), else names
 * both files.
 */
function checkShapes(
  pub: MembershipSet,
  priv: MembershipSet,
  modelShape: readonly number[] | undefined,
): void {
  if (sameShape(pub.shape, priv.shape)) return;
  const pubFits = modelShape !== undefined && sameShape(pub.shape, modelShape);
  const privFits = modelShape !== undefined && sameShape(priv.shape, modelShape);
  if (pubFits !== privFits) {
    const [bad, good] = pubFits ? [priv, pub] : [pub, priv];
    const kind = pubFits ? 'private' : 'public';
    throw new MiaError('E_SHAPE_MISMATCH', `the ${kind} samples do not have the target model's input shape`, {
      where: bad.path,
      expected: `${fmt(modelShape!)} as the model and ${good.path}`,
      found: fmt(bad.shape),
    });
  }
  throw new MiaError(
    'E_SHAPE_MISMATCH',
    `the samples of ${pub.path} (public) and ${priv.path} (private) have different shapes`,
    {
      where: 'mia score',
      expected: `one shape${modelShape !== undefined ? ` (the model takes ${fmt(modelShape)})` : ''}`,
      found: `${fmt(pub.shape)} and ${fmt(priv.shape)}`,
    },
  );
}
