/**
 * `mia score --target MODEL --public public.npz --private private.npz --out scores.csv`: membership
 * scores for a private set (seed 004's workflow; `mia evaluate` scores them against the truth). The work:
 * src/audit/score-private-set.ts; file formats: src/audit/membership-sets.ts.
 */
import { CLASSIFIER_KINDS } from '../attacks/classifiers/registry.js';
import { outputAttackNames } from '../attacks/registry.js';
import type { TrainingConfig } from '../audit/config.js';
import type { SetNormalization } from '../audit/membership-sets.js';
import { stdoutLogger } from '../core/logger.js';
import { MiaError } from '../errors.js';
import { writeJsonAtomic } from '../io/atomic.js';
import { outputName } from '../io/output-target.js';
import { normalizeArchSpec, parseArchParams } from '../models/architectures.js';
import { archSpecFromOnnx, describeOnnxArch } from '../models/onnx/onnx-arch-spec.js';
import { normalizeOptimizerSpec, type OptimizerSpec } from '../models/optimizers.js';
import type { ModelRecord } from '../models/store.js';
import { defineCommand } from './command.js';
import { type FlagValues, int, num, parsed, SEED_RANGE, text, texts, usageError } from './flags.js';
import { formatResultsTable } from './format-results.js';
import { backendFlag, OTHER_BACKENDS } from './shared-flags.js';

/** The attacks of `--attack`: shadow, the trained classifiers, the threshold attacks. */
function scoreAttacks(): string[] {
  return [
    'auto',
    'shadow',
    ...CLASSIFIER_KINDS,
    ...outputAttackNames().filter((a) => a.startsWith('threshold')),
  ];
}

const NORMALIZE: readonly SetNormalization[] = ['auto', 'unit', 'none'];

const flags = {
  target: text({
    required: true,
    example: 'MODEL',
    placeholder: 'PATH',
    description: 'the model: a folder saved by mia-audit, an .onnx file or a tfjs model.json',
  }),
  public: text({
    required: true,
    example: 'public.npz',
    placeholder: 'FILE',
    description: `.npz with x [n, …], y [n] and member [n] (1 = in the target's training set);
x: uint8 or float, images NHWC [n, h, w, c] or NCHW [n, c, h, w] (transposed),
[n, h, w] (one channel) or rows [n, d]`,
  }),
  private: text({
    required: true,
    example: 'private.npz',
    placeholder: 'FILE',
    description: '.npz with x, y and optionally id [n] (distinct integer ids; default 0..n-1)',
  }),
  out: text({
    required: true,
    example: 'scores.csv',
    placeholder: 'FILE',
    output: 'file',
    description: 'scores.csv (id,score)',
  }),
  attack: parsed({
    default: 'auto',
    placeholder: 'NAME',
    parse: (name) => {
      const known = scoreAttacks();
      if (!known.includes(name)) {
        throw new MiaError('E_UNKNOWN_NAME', `unknown attack '${name}'`, {
          where: '--attack',
          expected: known.join(', '),
        });
      }
      return name;
    },
    description: `auto (default): shadow, lr and threshold, and the scores of the one with the
  best AUC on the public set's held-out quarter (printed with every candidate's);
shadow: S shadow models trained on disjoint parts of the public set
  (half members, half not), an MLP meta-classifier on their sorted confidence
  vectors (Shokri et al. 2017) scores the target's outputs;
lr, mlp, rf, knn: a classifier trained on the target's own outputs on the public
  set with its membership labels;
threshold (loss), threshold-entropy, threshold-confidence,
  threshold-modified-entropy, threshold-scaled-logit, threshold-max-prob:
  a signal of the target's outputs, no training`,
  }),
  // for the shadow attack, checked against the public set's size once it is read
  'shadow-models': int({
    placeholder: 'S',
    description: `number of shadow models, 1 to a quarter of the public samples (default: as many
  as the public set allows with each training on as many samples as the target,
  at most 4; the output says when the public set is too small for that)`,
  }),
  arch: text({
    placeholder: 'NAME',
    description: "shadow architecture (default: the target's, when it is a mia-audit model or an .onnx file)",
  }),
  'arch-param': texts({ placeholder: 'K=V', description: 'architecture hyper-parameter (repeatable)' }),
  epochs: int({ range: { min: 1 }, description: "shadow training epochs (default: the target's, else 20)" }),
  'batch-size': int({ range: { min: 1 }, description: "default: the target's, else 64" }),
  lr: num({
    range: { min: 0, exclusiveMin: true },
    description: "Adam learning rate (default: the target's, else 0.001)",
  }),
  normalize: parsed({
    default: 'auto' as SetNormalization,
    placeholder: 'MODE',
    parse: (mode, command) => {
      if (!(NORMALIZE as readonly string[]).includes(mode))
        throw usageError(command, '--normalize must be auto, unit or none', mode);
      return mode as SetNormalization;
    },
    description: `auto (default): x fitted to the target's recorded normalisation — uint8 x and
  float pixels in [0, 255] are divided by 255 for a model trained on [0, 1]; values
  that do not fit, or float pixels for a model that records no normalisation,
  stop with an error; unit: divide by 255; none: x as it is`,
  }),
  cache: text({
    placeholder: 'DIR',
    description: 'keep the trained shadow models here; a rerun reuses them',
  }),
  seed: int({ default: 0, range: SEED_RANGE, description: 'default {default}' }),
  json: text({
    placeholder: 'FILE',
    output: 'file',
    description: "the attack's metrics on the public set (whose membership is known)",
  }),
  backend: backendFlag(`auto (default), ${OTHER_BACKENDS}`),
};

type ScoreArgs = FlagValues<typeof flags>;

export const scoreCommand = defineCommand({
  name: 'score',
  summary: 'membership scores (id,score CSV) for a private set: shadow models + meta-classifier, …',
  description: `Writes a membership score for every sample of the private set (higher = more likely a member of the
target's training set) as CSV with columns id,score; \`mia evaluate --scores scores.csv --truth truth.csv\`
scores them against the truth.`,
  flags,
  epilog: `Public-set metrics are printed: for auto on the held-out quarter it was chosen on; for shadow and the threshold attacks on the whole public set (the
target's membership there is never used for training them); for lr/mlp/rf/knn on a held-out quarter.`,
  async run(args) {
    const count = args['shadow-models'];
    const shadow = args.attack === 'shadow' || args.attack === 'auto';
    if (!shadow && count !== undefined && count < 1)
      throw usageError('score', '--shadow-models must be an integer ≥ 1', String(count));
    const { readMembershipSet } = await import('../audit/membership-sets.js');
    const { MIN_SHADOW_PART, checkShadowCount } = await import('../audit/shadow-models.js');
    const { scorePrivateSet } = await import('../audit/score-private-set.js');
    const { writeScoresCsv } = await import('../signals/predictions.js');
    const pub = readMembershipSet(args.public, 'public', args.normalize);
    const priv = readMembershipSet(args.private, 'private', args.normalize);
    if (shadow) {
      // --shadow-models against the public set: 1 to ⌊n / 4⌋ models (trainShadowModels' checkShadowCount)
      const most = Math.floor(pub.n / MIN_SHADOW_PART);
      if (most < 1) {
        throw new MiaError(
          'E_CONFIG',
          `the public set has ${pub.n} samples, too few for shadow models (at least ${MIN_SHADOW_PART} per model)`,
          { where: args.public },
        );
      }
      if (count !== undefined && (count < 1 || count > most)) {
        throw usageError(
          'score',
          `--shadow-models must be at least 1 (and at most ${most}: ${args.public} has ${pub.n} samples, ` +
            `at least ${MIN_SHADOW_PART} per shadow model)`,
          String(count),
        );
      }
      if (count !== undefined) checkShadowCount(pub.n, count);
    }
    const { scores, publicResult, chosen } = await scorePrivateSet({
      targetPath: args.target,
      pub,
      priv,
      attack: args.attack,
      seed: args.seed,
      backend: args.backend,
      shadow: {
        ...(count !== undefined ? { count } : {}),
        ...(args.cache !== undefined ? { cacheDir: args.cache } : {}),
        training: (record) => shadowTraining(args, record),
      },
      logger: stdoutLogger,
      normalize: args.normalize,
    });
    writeScoresCsv(args.out, priv.ids, scores);
    console.log(`wrote ${outputName(args.out)}: ${priv.n} scores (higher = more likely a member)`);
    if (publicResult !== undefined) {
      console.log('');
      const part = chosen !== undefined ? `, held-out part; attack ${chosen}` : '';
      console.log(`On the public set (membership known${part}):\n${formatResultsTable([publicResult], 1)}`);
      if (args.json !== undefined) {
        writeJsonAtomic(args.json, { results: [publicResult] });
        console.log(`wrote ${outputName(args.json)}`);
      }
    }
    return 0;
  },
});

/** The shadow models' training: flags, else the target's record, else defaults. */
function shadowTraining(args: ScoreArgs, record: ModelRecord | undefined): TrainingConfig {
  if (args.arch === undefined && record === undefined && args.target.toLowerCase().endsWith('.onnx')) {
    // an ONNX target (e.g. a PyTorch export): shadow models of its own architecture, fresh weights
    if (args['arch-param'].length > 0) throw usageError('score', '--arch-param needs --arch');
    const { spec, arch } = archSpecFromOnnx(args.target);
    console.log(`shadow architecture from ${args.target}: ${describeOnnxArch(arch)}`);
    return {
      architecture: spec,
      optimizer: { name: 'adam', lr: args.lr ?? 0.001 },
      epochs: args.epochs ?? 20,
      batchSize: args['batch-size'] ?? 64,
    };
  }
  const archName = args.arch ?? record?.spec.arch.name;
  if (archName === undefined) {
    throw new MiaError(
      'E_USAGE',
      '--arch is required for shadow models when the target is not a mia-audit model',
      { where: 'mia score' },
    );
  }
  const params = args['arch-param'].length > 0 ? parseArchParams(args['arch-param']) : undefined;
  const architecture = normalizeArchSpec({
    name: archName,
    params: params ?? (args.arch === undefined ? (record?.spec.arch.params ?? {}) : {}),
  });
  const tr = record?.training ?? undefined;
  const lr = args.lr ?? tr?.optimizer.lr ?? 0.001;
  const optimizer: OptimizerSpec =
    args.lr === undefined && tr !== null && tr !== undefined ? tr.optimizer : { name: 'adam', lr };
  normalizeOptimizerSpec(optimizer);
  return {
    architecture,
    optimizer,
    epochs: args.epochs ?? tr?.epochs ?? 20,
    batchSize: args['batch-size'] ?? tr?.batchSize ?? 64,
  };
}
