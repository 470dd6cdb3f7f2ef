/**
 * `mia score --target MODEL --public public.npz --private private.npz --out scores.csv`: membership
 * scores for a private set (seed 004's workflow; `mia evaluate` scores them against the truth). File
 * formats: src/audit/membership-sets.ts.
 */

import { createClassifier } from '../attacks/classifiers/registry.js';
import { attackFeatures } from '../attacks/features.js';
import { getOutputAttack, outputAttackNames } from '../attacks/registry.js';
import { fitShadowMetaClassifier } from '../attacks/shadow.js';
import { runTrainedAttack } from '../attacks/trained-attack.js';
import type { TrainingConfig } from '../audit/config.js';
import { type MembershipSet, readMembershipSet, type SetNormalization } from '../audit/membership-sets.js';
import { type AttackResult, DEFAULT_FPR_TARGETS, resultForSlice } from '../audit/run-attacks.js';
import { checkShadowCount, MIN_SHADOW_PART, trainShadowModels } from '../audit/shadow-models.js';
import { stdoutLogger } from '../core/logger.js';
import { MiaError } from '../errors.js';
import { writeFileAtomic, writeJsonAtomic } from '../io/atomic.js';
import { formatCsv } from '../io/csv.js';
import { normalizeArchSpec, parseArchParams } from '../models/architectures.js';
import { createEngine } from '../models/engines/create-engine.js';
import { loadPredictor } from '../models/load.js';
import { normalizeOptimizerSpec, type OptimizerSpec } from '../models/optimizers.js';
import type { Predictor } from '../models/predictor.js';
import { Rng } from '../rng.js';
import type { PooledOutputs } from '../signals/attack-input.js';
import { predictOutputs } from '../signals/inference.js';
import type { ModelOutputs } from '../signals/model-outputs.js';
import { type CliCommand, intFlag, numberFlag, parseCommandArgs, SEED_RANGE } from './command.js';
import { formatResultsTable } from './format-results.js';
import { backendFlag } from './train.js';

const TRAINED = ['lr', 'mlp', 'rf', 'knn'] as const;

const USAGE = `usage: mia score --target MODEL --public public.npz --private private.npz --out scores.csv [options]

Writes a membership score for every sample of the private set (higher = more likely a member of the
target's training set) as CSV with columns id,score; \`mia evaluate --scores scores.csv --truth truth.csv\`
scores them against the truth.

  --target PATH       the model: a folder saved by mia-audit, an .onnx file or a tfjs model.json
  --public FILE       .npz with x [n, …], y [n] and member [n] (1 = in the target's training set)
  --private FILE      .npz with x, y and optionally id [n] (distinct integer ids; default 0..n-1)
  --out FILE          scores.csv (id,score)
  --attack NAME       shadow (default): S shadow models trained on disjoint parts of the public set
                        (half members, half not), an MLP meta-classifier on their sorted confidence
                        vectors (Shokri et al. 2017) scores the target's outputs;
                      lr, mlp, rf, knn: a classifier trained on the target's own outputs on the public
                        set with its membership labels;
                      threshold (loss), threshold-entropy, threshold-confidence,
                        threshold-modified-entropy, threshold-scaled-logit, threshold-max-prob:
                        a signal of the target's outputs, no training
  --shadow-models S   number of shadow models, 1 to a quarter of the public samples (default 4)
  --arch NAME         shadow architecture (default: the target's, when it is a mia-audit model)
  --arch-param K=V    architecture hyper-parameter (repeatable)
  --epochs N          shadow training epochs (default: the target's, else 20)
  --batch-size N      default: the target's, else 64
  --lr X              Adam learning rate (default: the target's, else 0.001)
  --normalize MODE    auto (default: uint8 x is divided by 255, floats are used as they are), unit, none
  --cache DIR         keep the trained shadow models here; a rerun reuses them
  --seed N            default 0
  --json FILE         the attack's metrics on the public set (whose membership is known)
  --backend NAME      auto (default), node, wasm, cpu

Public-set metrics are printed: for shadow and the threshold attacks on the whole public set (the
target's membership there is never used for training them); for lr/mlp/rf/knn on a held-out quarter.`;

function need(values: Record<string, unknown>, flag: string): string {
  const v = values[flag];
  if (typeof v !== 'string') {
    throw new MiaError('E_USAGE', `--${flag} is required; see \`mia score --help\``, { where: 'mia score' });
  }
  return v;
}

async function outputsOf(p: Predictor, set: MembershipSet, where: string): Promise<ModelOutputs> {
  return predictOutputs(p, { x: set.x, y: set.y, n: set.n }, { where });
}

function pooledOf(o: ModelOutputs, member: Uint8Array): PooledOutputs {
  let m = 0;
  for (let i = 0; i < member.length; i++) m += member[i]!;
  return { ...o, isMember: member, nMembers: m, nNonMembers: member.length - m };
}

function publicResult(
  attack: string,
  signal: string,
  scores: Float64Array,
  member: Uint8Array,
  evaluated?: Uint8Array,
): AttackResult | undefined {
  const mask = new Uint8Array(member.length).fill(1);
  return resultForSlice(
    { attack, signal, scores, ...(evaluated !== undefined ? { evaluated } : {}) },
    { feature: 'entire_dataset' },
    mask,
    member,
    DEFAULT_FPR_TARGETS,
  );
}

export const scoreCommand: CliCommand = {
  name: 'score',
  summary: 'membership scores for a private set (shadow models + meta-classifier, …) as id,score CSV',
  usage: USAGE,
  async run(argv) {
    const { values } = parseCommandArgs('score', argv, {
      target: { type: 'string' },
      public: { type: 'string' },
      private: { type: 'string' },
      out: { type: 'string' },
      attack: { type: 'string' },
      'shadow-models': { type: 'string' },
      arch: { type: 'string' },
      'arch-param': { type: 'string', multiple: true },
      epochs: { type: 'string' },
      'batch-size': { type: 'string' },
      lr: { type: 'string' },
      normalize: { type: 'string' },
      cache: { type: 'string' },
      seed: { type: 'string' },
      json: { type: 'string' },
      backend: { type: 'string' },
    });
    const targetPath = need(values, 'target');
    const publicPath = need(values, 'public');
    const privatePath = need(values, 'private');
    const out = need(values, 'out');
    const attack = values.attack ?? 'shadow';
    const known = ['shadow', ...TRAINED, ...outputAttackNames().filter((a) => a.startsWith('threshold'))];
    if (!known.includes(attack)) {
      throw new MiaError('E_UNKNOWN_NAME', `unknown attack '${attack}'`, {
        where: '--attack',
        expected: known.join(', '),
      });
    }
    const normalize = (values.normalize ?? 'auto') as SetNormalization;
    if (!['auto', 'unit', 'none'].includes(normalize)) {
      throw new MiaError('E_USAGE', '--normalize must be auto, unit or none', {
        where: 'mia score',
        found: normalize,
      });
    }
    const seed = intFlag('score', 'seed', values.seed, 0, SEED_RANGE);
    const backend = backendFlag('score', values.backend);
    const shadowFlags: ShadowFlags = {
      // for the shadow attack, checked against the public set's size once it is read
      count: intFlag(
        'score',
        'shadow-models',
        values['shadow-models'],
        4,
        attack === 'shadow' ? {} : { min: 1 },
      ),
      epochs: optional(values.epochs, (v) => intFlag('score', 'epochs', v, 0, { min: 1 })),
      batchSize: optional(values['batch-size'], (v) => intFlag('score', 'batch-size', v, 0, { min: 1 })),
      lr: optional(values.lr, (v) => numberFlag('score', 'lr', v, 0, { min: 0, exclusiveMin: true })),
    };
    const pub = readMembershipSet(publicPath, 'public', normalize);
    const priv = readMembershipSet(privatePath, 'private', normalize);
    if (attack === 'shadow') checkShadowCountFlag(pub.n, shadowFlags.count, publicPath);
    const loaded = await loadPredictor(targetPath, { inputShape: pub.shape, backend });
    const target = loaded.predictor;
    let scores: Float64Array;
    let result: AttackResult | undefined;
    try {
      // an ONNX model takes the shape it is given; the others know theirs
      checkShapes(pub, priv, loaded.kind === 'onnx' ? undefined : target.inputShape);
      const training = attack === 'shadow' ? shadowTraining(values, shadowFlags, loaded.record) : undefined;
      const member = pub.member!;
      let nm = 0;
      for (let i = 0; i < member.length; i++) nm += member[i]!;
      console.log(
        `target ${target.description}; public ${publicPath}: ${pub.n} samples (${nm} members), private ${privatePath}: ${priv.n} samples` +
          (pub.normalized === 'unit' ? '; uint8 x divided by 255' : ''),
      );
      const pubOut = await outputsOf(target, pub, `${publicPath} through the target`);
      const privOut = await outputsOf(target, priv, `${privatePath} through the target`);
      if (training !== undefined) {
        const count = shadowFlags.count;
        const engine = await createEngine('auto', { backend });
        console.log(`engine: ${engine.name}, backend ${engine.backend.description}`);
        const shadows = await trainShadowModels(
          { x: pub.x, y: pub.y, n: pub.n, shape: pub.shape, numClasses: pubOut.numClasses },
          {
            count,
            training,
            seed,
            engine,
            logger: stdoutLogger,
            ...(values.cache !== undefined ? { cacheDir: values.cache } : {}),
          },
        );
        const meta = fitShadowMetaClassifier(shadows, { seed });
        console.log(
          `meta-classifier (MLP) trained on ${meta.trainMembers} member + ${meta.trainNonMembers} non-member outputs of ${count} shadow models`,
        );
        scores = meta.score(privOut);
        result = publicResult('shadow', 'sorted-probs+loss+label', meta.score(pubOut), member);
      } else if ((TRAINED as readonly string[]).includes(attack)) {
        const kind = attack as (typeof TRAINED)[number];
        const f = attackFeatures(pubOut);
        const held = runTrainedAttack(kind, f.x, f.n, f.d, member, { seed });
        result = publicResult(attack, 'sorted-probs+loss+label', held.scores, member, held.evaluated);
        const clf = createClassifier(kind);
        clf.fit(f.x, f.n, f.d, member, new Rng(seed));
        const fp = attackFeatures(privOut);
        scores = clf.predictProba(fp.x, fp.n, fp.d);
      } else {
        const a = getOutputAttack(attack);
        const s = a.run(pooledOf(pubOut, member), { seed });
        result = publicResult(attack, s.signal, s.scores, member);
        scores = a.run(pooledOf(privOut, new Uint8Array(priv.n)), { seed }).scores;
      }
    } finally {
      await target.dispose();
    }
    const rows = priv.ids.map((id, i) => [id, scores[i]!] as (string | number)[]);
    writeFileAtomic(out, formatCsv(['id', 'score'], rows));
    console.log(`wrote ${out}: ${priv.n} scores (higher = more likely a member)`);
    if (result !== undefined) {
      console.log('');
      console.log(`On the public set (membership known):\n${formatResultsTable([result], 1)}`);
      if (values.json !== undefined) {
        writeJsonAtomic(values.json, { results: [result] });
        console.log(`wrote ${values.json}`);
      }
    }
    return 0;
  },
};

/** The numeric flags of the shadow models, checked before anything is read. */
interface ShadowFlags {
  count: number;
  epochs: number | undefined;
  batchSize: number | undefined;
  lr: number | undefined;
}

function optional<T>(value: string | undefined, parse: (v: string) => T): T | undefined {
  return value === undefined ? undefined : parse(value);
}

/** --shadow-models against the public set: 1 to ⌊n / 4⌋ models (trainShadowModels' checkShadowCount). */
function checkShadowCountFlag(n: number, count: number, publicPath: string): void {
  const most = Math.floor(n / MIN_SHADOW_PART);
  if (most < 1) {
    throw new MiaError(
      'E_CONFIG',
      `the public set has ${n} samples, too few for shadow models (at least ${MIN_SHADOW_PART} per model)`,
      { where: publicPath },
    );
  }
  if (count < 1 || count > most) {
    throw new MiaError(
      'E_USAGE',
      `--shadow-models must be at least 1 (and at most ${most}: ${publicPath} has ${n} samples, ` +
        `at least ${MIN_SHADOW_PART} per shadow model)`,
      { where: 'mia score', found: String(count) },
    );
  }
  checkShadowCount(n, count);
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

/** The shadow models' training: flags, else the target's record, else defaults. */
function shadowTraining(
  values: Record<string, string | boolean | string[] | undefined>,
  flags: ShadowFlags,
  record: import('../models/store.js').ModelRecord | undefined,
): TrainingConfig {
  const str = (k: string) => (typeof values[k] === 'string' ? (values[k] as string) : undefined);
  const archName = str('arch') ?? record?.spec.arch.name;
  if (archName === undefined) {
    throw new MiaError(
      'E_USAGE',
      '--arch is required for shadow models when the target is not a mia-audit model',
      {
        where: 'mia score',
      },
    );
  }
  const params =
    values['arch-param'] !== undefined ? parseArchParams(values['arch-param'] as string[]) : undefined;
  const architecture = normalizeArchSpec({
    name: archName,
    params: params ?? (str('arch') === undefined ? (record?.spec.arch.params ?? {}) : {}),
  });
  const tr = record?.training ?? undefined;
  const lr = flags.lr ?? tr?.optimizer.lr ?? 0.001;
  const optimizer: OptimizerSpec =
    flags.lr === undefined && tr !== null && tr !== undefined ? tr.optimizer : { name: 'adam', lr };
  normalizeOptimizerSpec(optimizer);
  return {
    architecture,
    optimizer,
    epochs: flags.epochs ?? tr?.epochs ?? 20,
    batchSize: flags.batchSize ?? tr?.batchSize ?? 64,
  };
}
