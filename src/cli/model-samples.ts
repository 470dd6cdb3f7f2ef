/**
 * A saved model and its members and non-members, as `mia infer` and `mia attack --model` take them: the
 * model (a folder saved by `mia train`, an .onnx file or a tfjs model.json, src/models/load.ts), the
 * dataset (default: the one the model records), members = the model's recorded training rows of the
 * dataset's training split (or --members FILE.npy), non-members = rows of the test split (or
 * --non-members-from train; default: its first as many rows as members; src/data/row-indices.ts).
 */
import type { Dataset } from '../data/dataset.js';
import { MiaError } from '../errors.js';
import type { OnnxLayout } from '../models/engines/ort/onnx-model.js';
import type { OutputKind, Predictor } from '../models/predictor.js';
import { choice, type FlagValues, int, text, usageError } from './flags.js';
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

const LAYOUTS = ['auto', 'nhwc', 'nchw'] as const satisfies readonly OnnxLayout[];
const OUTPUTS = ['auto', 'logits', 'probs'] as const satisfies readonly ('auto' | OutputKind)[];

/** The --model flag's description. */
export const MODEL_FLAG_DESCRIPTION =
  'a model saved by `mia train` (folder), an .onnx file, or a tfjs layers model.json';

/** The flags that name a model's samples and how it runs (each command declares --model itself). */
export function modelSampleFlags() {
  return {
    dataset: datasetNameFlag({ description: 'dataset (default: the one the model was trained on)' }),
    ...datasetFlags({
      'data-path': 'where the dataset is',
      classes: 'keep the first K classes (default: as the model was trained)',
      normalize: 'unit, standard or none (default: as the model was trained)',
    }),
    members: text({
      placeholder: 'FILE.npy',
      description: `rows of the training split that are members (default: the model's training rows;
required for .onnx and tfjs models)`,
    }),
    'non-members': text({
      placeholder: 'FILE.npy',
      description: 'rows of the non-member split (default: its first as many rows as members, or all)',
    }),
    'non-members-from': choice(['test', 'train'], {
      default: 'test',
      placeholder: 'S',
      description: 'split the non-members come from: test (default) or train',
    }),
    layout: choice(LAYOUTS, {
      default: 'auto',
      placeholder: 'L',
      description: 'ONNX input layout: auto (default), nhwc, nchw',
    }),
    output: choice(OUTPUTS, {
      default: 'auto',
      placeholder: 'KIND',
      description: 'what an ONNX / tfjs model outputs: auto (default), logits, probs',
    }),
    'batch-size': int({
      default: 256,
      range: { min: 1 },
      description: 'samples per forward pass (default {default})',
    }),
    engine: engineFlag(`engine for models saved by \`mia train\`: auto (default), ${OTHER_ENGINES}`),
    backend: backendFlag(`TensorFlow.js backend: auto (default), ${OTHER_BACKENDS}`),
  };
}

type SampleArgs = FlagValues<ReturnType<typeof modelSampleFlags>>;

/** The loaded model and its members and non-members. */
export interface ModelSamples {
  predictor: Predictor;
  members: Dataset;
  nonMembers: Dataset;
  /** The split the non-members come from. */
  from: 'test' | 'train';
  /** The dataset's name (the training split's). */
  datasetName: string;
}

/**
 * Loads the dataset, checks the index files, loads the model and picks its members and non-members
 * (see the file header). Errors are one line: E_USAGE naming `command` when the dataset or members
 * cannot be known, E_SHAPE_MISMATCH when the model does not fit the dataset. The caller disposes the
 * predictor.
 */
export async function loadModelSamples(
  modelPath: string,
  args: SampleArgs,
  command: string,
): Promise<ModelSamples> {
  const { detectModelKind, loadPredictor } = await import('../models/load.js');
  const { readModelRecord } = await import('../models/store.js');
  const { loadDataset } = await import('../data/registry.js');
  const { take } = await import('../data/splits.js');
  const { checkDisjointRows, defaultNonMembers, readRowIndices } = await import('../data/row-indices.js');
  const from = args['non-members-from'];
  const disjoint = (m: Int32Array, mFrom: string, nm: Int32Array, nmFrom: string) =>
    checkDisjointRows(m, mFrom, nm, nmFrom, {
      where: `mia ${command}`,
      expected: 'members and non-members without a shared row when --non-members-from train',
    });

  const kind = detectModelKind(modelPath);
  const record =
    kind === 'mia'
      ? readModelRecord(modelPath.endsWith('model.json') ? `${modelPath}/..` : modelPath)
      : undefined;
  const datasetName = args.dataset ?? record?.dataset?.name;
  if (datasetName === undefined) {
    throw usageError(command, '--dataset is required (the model does not record its dataset)');
  }
  const sameDataset = record?.dataset !== null && record?.dataset?.name === datasetName;
  const dsOptions = datasetOptionsFromFlags(args, sameDataset ? record!.dataset!.options : {});
  const data = await loadDataset(datasetName, loadOptions(dsOptions, args.offline));
  announceDataset(data.train, data.test, data.notices);
  if (record !== undefined && record.spec.numClasses !== data.train.numClasses) {
    // checked before the training rows: with other classes the rows are another split's
    throw new MiaError(
      'E_SHAPE_MISMATCH',
      `the model has ${record.spec.numClasses} classes while ` +
        (args.classes !== undefined
          ? `--classes ${args.classes} keeps ${data.train.numClasses}`
          : `dataset ${data.train.name} has ${data.train.numClasses}`),
      { where: modelPath, expected: `${record.spec.numClasses} classes` },
    );
  }

  // the index files are checked before the model is loaded
  const pool: Dataset = from === 'test' ? data.test : data.train;
  const memberFile =
    args.members !== undefined ? readRowIndices(args.members, data.train.n, 'train') : undefined;
  const nonMemberFile =
    args['non-members'] !== undefined ? readRowIndices(args['non-members'], pool.n, from) : undefined;
  if (memberFile !== undefined && nonMemberFile !== undefined && from === 'train')
    disjoint(memberFile, args.members!, nonMemberFile, args['non-members']!);

  const loaded = await loadPredictor(modelPath, {
    inputShape: data.train.shape,
    ...(args.engine !== undefined ? { engine: args.engine } : {}),
    backend: args.backend,
    layout: args.layout,
    output: args.output,
  });
  const predictor = loaded.predictor;
  try {
    let members: Int32Array;
    if (memberFile !== undefined) members = memberFile;
    else if (loaded.indices !== undefined && sameDataset) {
      members = loaded.indices;
      const max = members.reduce((m, v) => Math.max(m, v), 0);
      if (max >= data.train.n) {
        throw new MiaError(
          'E_SHAPE_MISMATCH',
          "the model's training rows do not fit this dataset's training split",
          {
            where: modelPath,
            expected: `indices < ${data.train.n}`,
            found: String(max),
          },
        );
      }
    } else {
      throw usageError(
        command,
        '--members is required: the model does not record its training rows for this dataset',
      );
    }
    let nonMembers: Int32Array;
    if (nonMemberFile !== undefined) {
      nonMembers = nonMemberFile;
      if (from === 'train' && memberFile === undefined)
        disjoint(members, `the training rows of ${modelPath}`, nonMembers, args['non-members']!);
    } else nonMembers = defaultNonMembers(members, pool.n, from);
    return {
      predictor,
      members: take(data.train, members),
      nonMembers: take(pool, nonMembers),
      from,
      datasetName: data.train.name,
    };
  } catch (e) {
    await predictor.dispose();
    throw e;
  }
}
