import { resolve } from 'node:path';
import { closest } from '../audit/config-reader.js';
import { formatDuration } from '../core/duration.js';
import { stdoutLogger } from '../core/logger.js';
import type { Dataset } from '../data/dataset.js';
import type { Normalization } from '../data/normalize.js';
import { DATASET_NAMES, type DatasetName, type DatasetOptions, loadDataset } from '../data/registry.js';
import { subsetIndices, take } from '../data/splits.js';
import { isMiaError, MiaError } from '../errors.js';
import { describeArchitectures, normalizeArchSpec, parseArchParams } from '../models/architectures.js';
import { requestHash, shuffleSeedOf } from '../models/cache.js';
import { createEngine } from '../models/engines/create-engine.js';
import {
  BACKEND_NAMES,
  type BackendPreference,
  ENGINE_NAMES,
  type EngineName,
} from '../models/engines/names.js';
import { normalizeOptimizerSpec, type OptimizerSpec, parseSchedule } from '../models/optimizers.js';
import {
  checkModelDestination,
  type FinalEvaluation,
  isModelDir,
  type ModelRecord,
  NEWER_FORMAT,
  readModelRecord,
  saveModel,
} from '../models/store.js';
import { evaluateLogits, trainModel } from '../models/train.js';
import { Rng } from '../rng.js';
import { type CliCommand, intFlag, numberFlag, parseCommandArgs, SEED_RANGE } from './command.js';

const USAGE = `usage: mia train --dataset NAME --out DIR [options]

Trains a model and saves it in DIR (model.json, weights.npz, train-indices.npy).

  --dataset NAME        fashion-mnist, mnist, cifar10, synthetic, csv, npz
  --data-path PATH      where the dataset is (folder, .csv, .npz); default: the usual places, then a
                        download from the official source into the dataset cache (checksums verified)
  --offline             never download datasets
  --classes K           keep only the first K classes
  --normalize MODE      unit, standard or none (default: unit for images, none for tabular)
  --train-size N        train on N samples of the training split drawn with --seed (default: all)
  --val-size N          validate each epoch on the first N test samples (default: all; 0 = none)
  --arch NAME           architecture (default small_cnn):
${describeArchitectures()
  .map((l) => `                          ${l.slice(0, l.indexOf(': '))}`)
  .join('\n')}
  --arch-param K=V      architecture hyper-parameter (repeatable), e.g. --arch-param num_conv=2
  --epochs N            default 10
  --batch-size N        default 50
  --optimizer NAME      adam (default) or sgd
  --lr X                learning rate (default 0.001)
  --momentum X          SGD momentum (default 0)
  --weight-decay X      L2 weight decay added to the gradient (default 0)
  --schedule S          constant (default), step:EVERY:GAMMA, cosine[:MIN_LR]
  --seed N              seeds the training subset, the initial weights and the shuffles (default 0;
                        0 to 2147483647)
  --engine NAME         auto (default: onnxruntime for conv/dense nets, else TensorFlow.js), tfjs, ort
  --backend NAME        TensorFlow.js backend: auto (default: tfjs-node if installed, else wasm, else
                        cpu), node, wasm, cpu
  --out DIR             where to save the model: a new path, an empty folder or a saved model (replaced
                        if it holds another model); checked before training
  --force               train again even when DIR already holds the model this request trains

Run again with the same options, it finds the finished model in DIR (same architecture, optimiser,
epochs, batch size, seed, dataset and training rows) and reuses it instead of training.`;

const NORMALIZE: readonly string[] = ['unit', 'standard', 'none'];
const BACKENDS: readonly string[] = BACKEND_NAMES;

/** Dataset options from the shared flags (--data-path, --classes, --normalize); `fromRecord` fills gaps. */
export function datasetOptionsFromFlags(
  command: string,
  values: { 'data-path'?: string | undefined; classes?: string | undefined; normalize?: string | undefined },
  fromRecord: Record<string, unknown> = {},
): DatasetOptions {
  const o: DatasetOptions = { ...(fromRecord as DatasetOptions) };
  if (values['data-path'] !== undefined) o.path = resolve(values['data-path']);
  if (values.classes !== undefined)
    o.firstKClasses = intFlag(command, 'classes', values.classes, 0, { min: 2 });
  if (values.normalize !== undefined) {
    if (!NORMALIZE.includes(values.normalize)) {
      throw new MiaError('E_USAGE', `--normalize must be one of ${NORMALIZE.join(', ')}`, {
        where: `mia ${command}`,
        found: values.normalize,
      });
    }
    o.normalize = values.normalize as Normalization;
  }
  return o;
}

/**
 * The dataset name of --dataset, spelt exactly as `mia train --help` and the YAML config's data.dataset
 * spell it (a close miss is suggested, as the config does); E_UNKNOWN_NAME otherwise.
 */
export function datasetFlag(command: string, value: string): DatasetName {
  if ((DATASET_NAMES as readonly string[]).includes(value)) return value as DatasetName;
  const hint = closest(value, DATASET_NAMES);
  throw new MiaError(
    'E_UNKNOWN_NAME',
    `--dataset must be one of ${DATASET_NAMES.join(', ')}${hint !== undefined ? ` (did you mean '${hint}'?)` : ''}`,
    { where: `mia ${command}`, found: value },
  );
}

/** --engine: auto, tfjs or ort (checked before anything is loaded). */
export function engineFlag(command: string, value: string | undefined): EngineName {
  const e = value ?? 'auto';
  if (!(ENGINE_NAMES as readonly string[]).includes(e)) {
    throw new MiaError('E_USAGE', `--engine must be one of ${ENGINE_NAMES.join(', ')}`, {
      where: `mia ${command}`,
      found: e,
    });
  }
  return e as EngineName;
}

export function backendFlag(command: string, value: string | undefined): BackendPreference {
  const b = value ?? 'auto';
  if (!BACKENDS.includes(b)) {
    throw new MiaError('E_USAGE', `--backend must be one of ${BACKENDS.join(', ')}`, {
      where: `mia ${command}`,
      found: b,
    });
  }
  return b as BackendPreference;
}

/**
 * The options handed to loadDataset: the recorded ones plus downloads (allowed unless `offline`). Downloads
 * do not change the data, so they are not part of what a model records.
 */
export function loadOptions(recorded: DatasetOptions, offline: boolean | undefined): DatasetOptions {
  return { ...recorded, download: offline !== true };
}

/** Prints the dataset's notices and a one-line summary. */
export function announceDataset(train: Dataset, test: Dataset, notices: readonly string[]): void {
  for (const n of notices) console.log(`notice: ${n}`);
  console.log(
    `dataset ${train.name}: ${train.n} train / ${test.n} test, shape [${train.shape.join(', ')}], ` +
      `${train.numClasses} classes (${train.source})`,
  );
}

/** "train accuracy 68.60% (loss 0.9123), test accuracy …% (loss …) on N test samples", as after training. */
function formatFinal(f: FinalEvaluation): string {
  return (
    `train accuracy ${(100 * f.trainAccuracy).toFixed(2)}% (loss ${f.trainLoss.toFixed(4)}), ` +
    `test accuracy ${(100 * f.testAccuracy).toFixed(2)}% (loss ${f.testLoss.toFixed(4)}) on ${f.testSamples} test samples`
  );
}

/**
 * What the reuse message says about a saved model: the "final:" evaluation printed when it was trained,
 * when the record holds it; else (records written before it was recorded) the running training accuracy
 * during the last epoch and the validation accuracy after it, labelled as such.
 */
function reusedFigures(record: ModelRecord): string {
  const f = record.final;
  if (
    f !== undefined &&
    f !== null &&
    [f.trainAccuracy, f.trainLoss, f.testAccuracy, f.testLoss, f.testSamples].every(
      (v) => typeof v === 'number' && Number.isFinite(v),
    )
  ) {
    return `; final: ${formatFinal(f)}`;
  }
  const last = record.history.at(-1);
  if (last === undefined) return '';
  return (
    `; training accuracy during the last epoch ${(100 * last.trainAccuracy).toFixed(2)}%` +
    (last.valAccuracy !== null
      ? `, validation accuracy after it ${(100 * last.valAccuracy).toFixed(2)}%`
      : '')
  );
}

/**
 * normalizeOptimizerSpec with its range errors (E_CONFIG naming optimizer.*) told in terms of the flags
 * that set them (--lr, --weight-decay, --momentum, --schedule).
 */
function normalizeOptimizerSpecFlags(spec: OptimizerSpec) {
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

export const trainCommand: CliCommand = {
  name: 'train',
  summary: 'train a model on a dataset and save it',
  usage: USAGE,
  async run(argv) {
    const { values } = parseCommandArgs('train', argv, {
      dataset: { type: 'string' },
      'data-path': { type: 'string' },
      offline: { type: 'boolean' },
      classes: { type: 'string' },
      normalize: { type: 'string' },
      'train-size': { type: 'string' },
      'val-size': { type: 'string' },
      arch: { type: 'string' },
      'arch-param': { type: 'string', multiple: true },
      epochs: { type: 'string' },
      'batch-size': { type: 'string' },
      optimizer: { type: 'string' },
      lr: { type: 'string' },
      momentum: { type: 'string' },
      'weight-decay': { type: 'string' },
      schedule: { type: 'string' },
      seed: { type: 'string' },
      engine: { type: 'string' },
      backend: { type: 'string' },
      out: { type: 'string' },
      force: { type: 'boolean' },
    });
    const need = (flag: 'dataset' | 'out'): string => {
      const v = values[flag];
      if (v === undefined)
        throw new MiaError('E_USAGE', `--${flag} is required; see \`mia train --help\``, {
          where: 'mia train',
        });
      return v;
    };
    // every flag is checked before the dataset is loaded and anything is trained
    const datasetName = datasetFlag('train', need('dataset'));
    const out = need('out');
    checkModelDestination(out);
    const seed = intFlag('train', 'seed', values.seed, 0, SEED_RANGE);
    const epochs = intFlag('train', 'epochs', values.epochs, 10, { min: 1 });
    const batchSize = intFlag('train', 'batch-size', values['batch-size'], 50, { min: 1 });
    const arch = normalizeArchSpec({
      name: values.arch ?? 'small_cnn',
      params: parseArchParams(values['arch-param'] ?? []),
    });
    const lr = numberFlag('train', 'lr', values.lr, 0.001, { min: 0, exclusiveMin: true });
    const weightDecay = numberFlag('train', 'weight-decay', values['weight-decay'], 0, { min: 0 });
    const schedule = parseSchedule(values.schedule ?? 'constant');
    const optName = values.optimizer ?? 'adam';
    if (optName !== 'sgd' && values.momentum !== undefined) {
      throw new MiaError('E_USAGE', '--momentum applies to --optimizer sgd only', { where: 'mia train' });
    }
    const optimizer: OptimizerSpec =
      optName === 'sgd'
        ? {
            name: 'sgd',
            lr,
            momentum: numberFlag('train', 'momentum', values.momentum, 0, {
              min: 0,
              max: 1,
              exclusiveMax: true,
            }),
            weightDecay,
            schedule,
          }
        : ({ name: optName, lr, weightDecay, schedule } as OptimizerSpec);
    const opt = normalizeOptimizerSpecFlags(optimizer);
    const engineName = engineFlag('train', values.engine);
    const backend = backendFlag('train', values.backend);
    const trainSizeFlag =
      values['train-size'] !== undefined
        ? intFlag('train', 'train-size', values['train-size'], 0, { min: 1 })
        : undefined;
    const valSizeFlag =
      values['val-size'] !== undefined
        ? intFlag('train', 'val-size', values['val-size'], 0, { min: 0 })
        : undefined;
    const dsOptions = datasetOptionsFromFlags('train', values);

    const data = await loadDataset(datasetName, loadOptions(dsOptions, values.offline));
    announceDataset(data.train, data.test, data.notices);
    const trainSize = trainSizeFlag ?? data.train.n;
    if (trainSize > data.train.n) {
      throw new MiaError('E_USAGE', `--train-size must be an integer in [1, ${data.train.n}]`, {
        where: 'mia train',
        found: String(trainSize),
      });
    }
    const valSize = valSizeFlag ?? data.test.n;
    if (valSize > data.test.n) {
      throw new MiaError('E_USAGE', `--val-size must be an integer in [0, ${data.test.n}]`, {
        where: 'mia train',
        found: String(valSize),
      });
    }
    const indices =
      trainSize === data.train.n
        ? Int32Array.from({ length: trainSize }, (_, i) => i)
        : subsetIndices(data.train.n, trainSize, new Rng(seed));
    const train = take(data.train, indices);
    const val =
      valSize > 0
        ? take(
            data.test,
            Int32Array.from({ length: valSize }, (_, i) => i),
          )
        : undefined;

    const dsRecord: Record<string, unknown> = { ...dsOptions };
    const hash = requestHash({
      arch,
      inputShape: [...train.shape],
      numClasses: train.numClasses,
      optimizer: opt,
      epochs,
      batchSize,
      seed,
      dataset: { name: datasetName, options: dsRecord },
      indices,
      train,
    });
    if (values.force !== true && isModelDir(out)) {
      let previous: ModelRecord | undefined;
      try {
        previous = readModelRecord(out);
      } catch (e) {
        // a damaged model.json is replaced (as any other model); a newer one stops (upgrade, or --force)
        if (!isMiaError(e) || e.message.includes(NEWER_FORMAT)) throw e;
        console.log(`${out} holds a model that cannot be read (${e.message}); it will be replaced`);
      }
      if (previous !== undefined && previous.hash === hash) {
        console.log(
          `${out} already holds this model (trained ${previous.createdAt}${reusedFigures(previous)}); ` +
            'reused, nothing trained (--force trains again)',
        );
        return 0;
      }
      if (previous !== undefined)
        console.log(`${out} holds another model (a different request); it will be replaced`);
    }

    const engine = await createEngine(engineName, { backend });
    const model = await engine.build({
      arch,
      inputShape: [...train.shape],
      numClasses: train.numClasses,
      seed,
    });
    console.log(`engine: ${model.engine}, backend ${model.backend} (${engine.backend.description})`);
    try {
      console.log(
        `model: ${arch.name} ${JSON.stringify(arch.params)}, ${model.paramCount().toLocaleString('en-US')} parameters; ` +
          `${opt.name} lr ${opt.lr}, batch ${batchSize}, ${epochs} epochs, ${train.n} training samples, seed ${seed}`,
      );
      const shuffleSeed = shuffleSeedOf(seed);
      const result = await trainModel(model, train, {
        epochs,
        batchSize,
        optimizer,
        shuffleSeed,
        ...(val !== undefined ? { validation: val } : {}),
        logger: stdoutLogger,
      });
      const trainEval = evaluateLogits(
        await model.predict(train.x, train.n),
        train.y,
        train.n,
        train.numClasses,
      );
      const testEval = evaluateLogits(
        await model.predict(data.test.x, data.test.n),
        data.test.y,
        data.test.n,
        train.numClasses,
      );
      const final: FinalEvaluation = {
        trainAccuracy: trainEval.accuracy,
        trainLoss: trainEval.loss,
        testAccuracy: testEval.accuracy,
        testLoss: testEval.loss,
        testSamples: data.test.n,
      };
      console.log(`final: ${formatFinal(final)}; trained in ${formatDuration(result.seconds)}`);
      saveModel(out, model, {
        training: { optimizer: opt, epochs, batchSize, shuffleSeed },
        dataset: { name: datasetName, options: dsRecord },
        indices,
        history: result.history,
        hash,
        trainSeconds: result.seconds,
        final,
      });
      console.log(`saved ${out}`);
    } finally {
      model.dispose();
    }
    return 0;
  },
};
