/**
 * `mia train --dataset NAME --out DIR`: trains a model on a dataset and saves it, or reuses the model DIR
 * already holds for the same request. The work: src/audit/train-saved-model.ts.
 */
import { DATASET_NAMES } from '../data/registry.js';
import { MiaError } from '../errors.js';
import { describeArchitectures } from '../models/architectures.js';
import { DEFAULT_DELTA, DP_SAMPLINGS, type DpConfig, type DpSampling } from '../models/dp/dp-sgd.js';
import type { OptimizerSpec } from '../models/optimizers.js';
import { defineCommand } from './command.js';
import { consoleLogger } from './console-logger.js';
import { bool, int, num, SEED_RANGE, text, texts, usageError } from './flags.js';
import {
  announceDataset,
  backendFlag,
  datasetFlags,
  datasetNameFlag,
  datasetOptionsFromFlags,
  engineFlag,
  loadOptions,
  OTHER_BACKENDS,
  OTHER_ENGINES,
} from './shared-flags.js';

/**
 * normalizeOptimizerSpec with its range errors (E_CONFIG naming optimizer.*) told in terms of the flags
 * that set them (--lr, --weight-decay, --momentum, --schedule).
 */
async function normalizeOptimizerSpecFlags(spec: OptimizerSpec) {
  const { normalizeOptimizerSpec } = await import('../models/optimizers.js');
  try {
    return normalizeOptimizerSpec(spec);
  } catch (e) {
    if (!(e instanceof MiaError) || e.code !== 'E_CONFIG') throw e;
    const field = (e.where ?? '').replace(/^optimizer\./, '');
    const flag = field.startsWith('schedule')
      ? '--schedule'
      : field === 'weightDecay'
        ? '--weight-decay'
        : `--${field}`;
    throw new MiaError('E_USAGE', `${flag}: ${e.message}`, {
      where: 'mia train',
      ...(e.found !== undefined ? { found: e.found } : {}),
    });
  }
}

/** The DP-SGD settings of --dp-noise | --dp-epsilon, --dp-clip, --dp-delta, --dp-sampling (undefined: none). */
function dpFromFlags(args: {
  'dp-noise'?: number | undefined;
  'dp-epsilon'?: number | undefined;
  'dp-clip'?: number | undefined;
  'dp-delta'?: number | undefined;
  'dp-sampling'?: string | undefined;
}): DpConfig | undefined {
  const sigma = args['dp-noise'];
  const eps = args['dp-epsilon'];
  const others = (['dp-clip', 'dp-delta', 'dp-sampling'] as const).filter((k) => args[k] !== undefined);
  if (sigma === undefined && eps === undefined) {
    if (others.length > 0) throw usageError('train', `--${others[0]} needs --dp-noise or --dp-epsilon`);
    return undefined;
  }
  if (sigma !== undefined && eps !== undefined)
    throw usageError('train', 'give one of --dp-noise and --dp-epsilon, not both');
  const sampling = args['dp-sampling'] ?? 'poisson';
  if (!(DP_SAMPLINGS as readonly string[]).includes(sampling))
    throw usageError('train', '--dp-sampling must be poisson or shuffle', sampling);
  return {
    ...(sigma !== undefined ? { noiseMultiplier: sigma } : {}),
    ...(eps !== undefined ? { targetEpsilon: eps } : {}),
    maxGradNorm: args['dp-clip'] ?? 1,
    delta: args['dp-delta'] ?? DEFAULT_DELTA,
    sampling: sampling as DpSampling,
    where: 'mia train --dp',
  };
}

export const trainCommand = defineCommand({
  name: 'train',
  summary: 'train a model on a dataset and save it',
  description: 'Trains a model and saves it in DIR (model.json, weights.npz, train-indices.npy).',
  flags: {
    dataset: datasetNameFlag({ required: true, description: DATASET_NAMES.join(', ') }),
    ...datasetFlags({
      'data-path': `where the dataset is (folder, .csv, .npz); default: the usual places, then a
download from the official source into the dataset cache (checksums verified)`,
      classes: 'keep only the first K classes',
      normalize: 'unit, standard or none (default: unit for images, none for tabular)',
    }),
    'train-size': int({
      range: { min: 1 },
      description: 'train on N samples of the training split drawn with --seed (default: all)',
    }),
    'val-size': int({
      range: { min: 0 },
      description: 'validate each epoch on the first N test samples (default: all; 0 = none)',
    }),
    arch: text({
      placeholder: 'NAME',
      description: () =>
        [
          'architecture (default small_cnn):',
          ...describeArchitectures().map((l) => `  ${l.slice(0, l.indexOf(': '))}`),
        ].join('\n'),
    }),
    'arch-param': texts({
      placeholder: 'K=V',
      description: 'architecture hyper-parameter (repeatable), e.g. --arch-param num_conv=2',
    }),
    'arch-from': text({
      placeholder: 'FILE',
      description: `train the architecture of an ONNX model (e.g. a PyTorch export of the target) with
fresh weights; instead of --arch (docs/models.md)`,
    }),
    'arch-restore-bn': bool({
      description: `with --arch-from: restore each biased conv as conv + batch norm (PyTorch's
eval-mode export folds BatchNorm into the conv)`,
    }),
    augment: text({
      placeholder: 'LIST',
      description: `training-time augmentation, seeded: crop:PIXELS (random crop of the zero-padded
image) and/or flip (horizontal, p = ½), e.g. crop:4,flip (default none)`,
    }),
    epochs: int({ default: 10, range: { min: 1 }, description: 'default {default}' }),
    'batch-size': int({ default: 50, range: { min: 1 }, description: 'default {default}' }),
    optimizer: text({ default: 'adam', placeholder: 'NAME', description: 'adam (default) or sgd' }),
    lr: num({
      default: 0.001,
      range: { min: 0, exclusiveMin: true },
      description: 'learning rate (default {default})',
    }),
    momentum: num({ range: { min: 0, max: 1, exclusiveMax: true }, description: 'SGD momentum (default 0)' }),
    'weight-decay': num({
      default: 0,
      range: { min: 0 },
      description: 'L2 weight decay added to the gradient (default {default})',
    }),
    schedule: text({
      default: 'constant',
      placeholder: 'S',
      description: 'constant (default), step:EVERY:GAMMA, cosine[:MIN_LR]',
    }),
    seed: int({
      default: 0,
      range: SEED_RANGE,
      description: `seeds the training subset, the initial weights and the shuffles (default {default};
${SEED_RANGE.min} to ${SEED_RANGE.max})`,
    }),
    engine: engineFlag(
      `auto (default: onnxruntime for conv/dense nets, else TensorFlow.js), ${OTHER_ENGINES}`,
    ),
    backend: backendFlag(`TensorFlow.js backend: auto (default: tfjs-node if installed, else wasm, else
cpu), ${OTHER_BACKENDS}`),
    out: text({
      output: 'dir',
      required: true,
      placeholder: 'DIR',
      description: `where to save the model: a new path, an empty folder or a saved model (replaced
if it holds another model); checked before training`,
    }),
    force: bool({ description: 'train again even when DIR already holds the model this request trains' }),
    'dp-noise': num({
      range: { min: 0 },
      placeholder: 'σ',
      description: 'train with DP-SGD (onnxruntime engine) at noise multiplier σ (docs/dp.md)',
    }),
    'dp-epsilon': num({
      range: { min: 0, exclusiveMin: true },
      placeholder: 'ε',
      description: 'train with DP-SGD, σ calibrated (RDP accountant) to reach ε after the epochs',
    }),
    'dp-clip': num({
      range: { min: 0, exclusiveMin: true },
      placeholder: 'C',
      description: 'DP-SGD per-sample gradient L2 clipping norm (default 1)',
    }),
    'dp-delta': num({
      range: { min: 0, max: 1, exclusiveMin: true },
      placeholder: 'δ',
      description: 'DP-SGD δ (default 1e-5; must be < 1/n)',
    }),
    'dp-sampling': text({
      placeholder: 'S',
      description:
        'DP-SGD batches: poisson (default, q = batch size / n) or shuffle (not what the ε assumes)',
    }),
  },
  epilog: `Run again with the same options, it finds the finished model in DIR (same architecture, optimiser,
epochs, batch size, augmentation, seed, dataset and training rows) and reuses it instead of training.`,
  async run(args) {
    const { normalizeArchSpec, parseArchParams } = await import('../models/architectures.js');
    const { parseSchedule } = await import('../models/optimizers.js');
    const { checkModelDestination } = await import('../models/store.js');
    // every flag is checked before the dataset is loaded and anything is trained
    checkModelDestination(args.out);
    const archFrom = args['arch-from'];
    if (archFrom !== undefined && (args.arch !== undefined || args['arch-param'].length > 0))
      throw usageError('train', 'give --arch-from or --arch / --arch-param, not both');
    if (archFrom === undefined && args['arch-restore-bn'])
      throw usageError('train', '--arch-restore-bn applies to --arch-from only');
    let arch = normalizeArchSpec({
      name: args.arch ?? 'small_cnn',
      params: parseArchParams(args['arch-param']),
    });
    if (archFrom !== undefined) {
      const { archSpecFromOnnx, describeOnnxArch } = await import('../models/onnx/onnx-arch-spec.js');
      const read = archSpecFromOnnx(archFrom, { restoreBatchnorm: args['arch-restore-bn'] });
      arch = read.spec;
      stdoutLogger.info(`architecture from ${archFrom}: ${describeOnnxArch(read.arch)}`);
    }
    const archLabel =
      archFrom !== undefined ? `the architecture of ${archFrom}` : `architecture ${arch.name}`;
    const schedule = parseSchedule(args.schedule);
    const { lr, momentum } = args;
    const weightDecay = args['weight-decay'];
    if (args.optimizer !== 'sgd' && momentum !== undefined) {
      throw usageError('train', '--momentum applies to --optimizer sgd only');
    }
    const optimizer: OptimizerSpec =
      args.optimizer === 'sgd'
        ? { name: 'sgd', lr, momentum: momentum ?? 0, weightDecay, schedule }
        : ({ name: args.optimizer, lr, weightDecay, schedule } as OptimizerSpec);
    const normalizedOptimizer = await normalizeOptimizerSpecFlags(optimizer);
    const datasetOptions = datasetOptionsFromFlags(args);
    const { checkAugment, parseAugmentFlag } = await import('../models/train-augment.js');
    const augment =
      args.augment !== undefined ? parseAugmentFlag(args.augment, 'mia train --augment') : undefined;
    const dp = dpFromFlags(args);

    const { loadDataset } = await import('../data/registry.js');
    const data = await loadDataset(args.dataset, loadOptions(datasetOptions, args.offline));
    announceDataset(data.train, data.test, data.notices);
    const trainSize = args['train-size'] ?? data.train.n;
    if (trainSize > data.train.n) {
      throw usageError('train', `--train-size must be an integer in [1, ${data.train.n}]`, String(trainSize));
    }
    const valSize = args['val-size'] ?? data.test.n;
    if (valSize > data.test.n) {
      throw usageError('train', `--val-size must be an integer in [0, ${data.test.n}]`, String(valSize));
    }
    // an absurd size or a conv stack too deep for the input: one line before anything is allocated
    const { checkModelFits } = await import('../models/model-size.js');
    checkModelFits(arch, data.train.shape, data.train.numClasses, args['batch-size'], {
      label: () => archLabel,
      where: (param) =>
        `mia train ${param !== undefined ? `--arch-param ${param}` : archFrom !== undefined ? '--arch-from' : '--arch'}`,
    });
    if (augment !== undefined) checkAugment(augment, data.train.shape, 'mia train --augment');
    const { trainSavedModel } = await import('../audit/train-saved-model.js');
    const out = consoleLogger();
    await trainSavedModel(
      {
        data,
        datasetName: args.dataset,
        datasetOptions,
        trainSize,
        valSize,
        arch,
        optimizer,
        normalizedOptimizer,
        epochs: args.epochs,
        batchSize: args['batch-size'],
        ...(augment !== undefined ? { augment } : {}),
        seed: args.seed,
        engine: args.engine ?? 'auto',
        backend: args.backend,
        out: args.out,
        force: args.force,
        ...(dp !== undefined ? { dp } : {}),
      },
      out,
    );
    out.end();
    return 0;
  },
});
