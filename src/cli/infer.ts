import type { Dataset } from '../data/dataset.js';
import { loadDataset } from '../data/registry.js';
import { take } from '../data/splits.js';
import { MiaError } from '../errors.js';
import { npyArray, readNpy } from '../io/npy.js';
import { toInt32 } from '../io/npy-cast.js';
import { writeNpz } from '../io/npz.js';
import type { OnnxLayout } from '../models/engines/ort/onnx-model.js';
import { detectModelKind, loadPredictor } from '../models/load.js';
import type { OutputKind } from '../models/predictor.js';
import { readModelRecord } from '../models/store.js';
import { predictOutputs } from '../signals/inference.js';
import type { ModelOutputs } from '../signals/model-outputs.js';
import { type CliCommand, intFlag, parseCommandArgs } from './command.js';
import {
  announceDataset,
  backendFlag,
  datasetFlag,
  datasetOptionsFromFlags,
  engineFlag,
  loadOptions,
} from './train.js';

const USAGE = `usage: mia infer --model PATH --out outputs.npz [options]

Writes a model's outputs on members (its training samples: logits_train, probs_train, loss_train,
labels_train) and on non-members (*_test), with TF Privacy's key names, so that
\`mia attack --input outputs.npz\` runs on it directly. logits_* are written when the model gives logits.

  --model PATH            a model saved by \`mia train\` (folder), an .onnx file, or a tfjs layers model.json
  --dataset NAME          dataset (default: the one the model was trained on)
  --data-path PATH        where the dataset is
  --offline               never download datasets
  --classes K             keep the first K classes (default: as the model was trained)
  --normalize MODE        unit, standard or none (default: as the model was trained)
  --members FILE.npy      rows of the training split that are members (default: the model's training rows;
                          required for .onnx and tfjs models)
  --non-members FILE.npy  rows of the non-member split (default: its first as many rows as members, or all)
  --non-members-from S    split the non-members come from: test (default) or train
  --layout L              ONNX input layout: auto (default), nhwc, nchw
  --output KIND           what an ONNX / tfjs model outputs: auto (default), logits, probs
  --batch-size N          samples per forward pass (default 256)
  --engine NAME           engine for models saved by \`mia train\`: auto (default), tfjs, ort
  --backend NAME          TensorFlow.js backend: auto (default), node, wasm, cpu`;

/**
 * Reads an index file (.npy of integers): every index in [0, n) and none twice (a repeated row would
 * count one sample twice). Throws E_SHAPE_MISMATCH for an index outside, E_CONFIG for a repeated one,
 * E_EMPTY for no indices, naming `path`.
 */
function readIndices(path: string, n: number, split: string): Int32Array {
  const idx = toInt32(readNpy(path), path);
  const firstAt = new Map<number, number>();
  for (let i = 0; i < idx.length; i++) {
    const v = idx[i]!;
    if (v < 0 || v >= n) {
      throw new MiaError(
        'E_SHAPE_MISMATCH',
        `index ${v} at position ${i} is outside the ${split} split's [0, ${n})`,
        {
          where: path,
        },
      );
    }
    const seen = firstAt.get(v);
    if (seen !== undefined) {
      throw new MiaError(
        'E_CONFIG',
        `${split} row ${v} is listed twice (positions ${seen} and ${i}); each row may appear once`,
        { where: path },
      );
    }
    firstAt.set(v, i);
  }
  if (idx.length === 0) throw new MiaError('E_EMPTY', 'no indices', { where: path });
  return idx;
}

/**
 * Members and non-members drawn from the same split must be disjoint: throws E_CONFIG naming both sources
 * and the first row (in the non-member order) that is in both.
 */
function checkDisjoint(
  members: Int32Array,
  membersFrom: string,
  nonMembers: Int32Array,
  nonMembersFrom: string,
): void {
  const memberAt = new Map<number, number>();
  for (let i = 0; i < members.length; i++) if (!memberAt.has(members[i]!)) memberAt.set(members[i]!, i);
  for (let j = 0; j < nonMembers.length; j++) {
    const at = memberAt.get(nonMembers[j]!);
    if (at !== undefined) {
      throw new MiaError(
        'E_CONFIG',
        `train row ${nonMembers[j]} is both a member (${membersFrom}, position ${at}) and a non-member ` +
          `(${nonMembersFrom}, position ${j}); a sample cannot be both`,
        {
          where: 'mia infer',
          expected: 'members and non-members without a shared row when --non-members-from train',
        },
      );
    }
  }
}

function oneOf<T extends string>(
  flag: string,
  value: string | undefined,
  allowed: readonly T[],
  fallback: T,
): T {
  const v = value ?? fallback;
  if (!(allowed as readonly string[]).includes(v)) {
    throw new MiaError('E_USAGE', `--${flag} must be one of ${allowed.join(', ')}`, {
      where: 'mia infer',
      found: v,
    });
  }
  return v as T;
}

function outputsToArrays(o: ModelOutputs, suffix: string) {
  const c = o.numClasses;
  const arrays: Record<string, ReturnType<typeof npyArray>> = {};
  if (o.logits !== undefined) arrays[`logits${suffix}`] = npyArray(Float32Array.from(o.logits), [o.n, c]);
  arrays[`probs${suffix}`] = npyArray(Float32Array.from(o.probs), [o.n, c]);
  arrays[`loss${suffix}`] = npyArray(Float32Array.from(o.loss), [o.n]);
  arrays[`labels${suffix}`] = npyArray(o.labels, [o.n]);
  return arrays;
}

function accuracy(o: ModelOutputs): number {
  let ok = 0;
  for (let i = 0; i < o.n; i++) {
    let arg = 0;
    for (let k = 1; k < o.numClasses; k++)
      if (o.probs[i * o.numClasses + k]! > o.probs[i * o.numClasses + arg]!) arg = k;
    if (arg === o.labels[i]) ok++;
  }
  return ok / o.n;
}

export const inferCommand: CliCommand = {
  name: 'infer',
  summary: "write a model's outputs on members and non-members (.npz for mia attack)",
  usage: USAGE,
  async run(argv) {
    const { values } = parseCommandArgs('infer', argv, {
      model: { type: 'string' },
      dataset: { type: 'string' },
      'data-path': { type: 'string' },
      offline: { type: 'boolean' },
      classes: { type: 'string' },
      normalize: { type: 'string' },
      members: { type: 'string' },
      'non-members': { type: 'string' },
      'non-members-from': { type: 'string' },
      layout: { type: 'string' },
      output: { type: 'string' },
      'batch-size': { type: 'string' },
      engine: { type: 'string' },
      backend: { type: 'string' },
      out: { type: 'string' },
    });
    if (values.model === undefined || values.out === undefined) {
      throw new MiaError(
        'E_USAGE',
        `--${values.model === undefined ? 'model' : 'out'} is required; see \`mia infer --help\``,
        {
          where: 'mia infer',
        },
      );
    }
    const modelPath = values.model;
    const backend = backendFlag('infer', values.backend);
    const layout = oneOf<OnnxLayout>('layout', values.layout, ['auto', 'nhwc', 'nchw'], 'auto');
    const output = oneOf<'auto' | OutputKind>('output', values.output, ['auto', 'logits', 'probs'], 'auto');
    const from = oneOf('non-members-from', values['non-members-from'], ['test', 'train'] as const, 'test');
    const batchSize = intFlag('infer', 'batch-size', values['batch-size'], 256, { min: 1 });
    const engineName = values.engine !== undefined ? engineFlag('infer', values.engine) : undefined;
    const datasetFromFlag = values.dataset !== undefined ? datasetFlag('infer', values.dataset) : undefined;

    const kind = detectModelKind(modelPath);
    const record =
      kind === 'mia'
        ? readModelRecord(modelPath.endsWith('model.json') ? `${modelPath}/..` : modelPath)
        : undefined;
    const datasetName = datasetFromFlag ?? record?.dataset?.name;
    if (datasetName === undefined) {
      throw new MiaError('E_USAGE', '--dataset is required (the model does not record its dataset)', {
        where: 'mia infer',
      });
    }
    const sameDataset = record?.dataset !== null && record?.dataset?.name === datasetName;
    const dsOptions = datasetOptionsFromFlags('infer', values, sameDataset ? record!.dataset!.options : {});
    const data = await loadDataset(datasetName, loadOptions(dsOptions, values.offline));
    announceDataset(data.train, data.test, data.notices);
    if (record !== undefined && record.spec.numClasses !== data.train.numClasses) {
      // checked before the training rows: with other classes the rows are another split's
      throw new MiaError(
        'E_SHAPE_MISMATCH',
        `the model has ${record.spec.numClasses} classes while ` +
          (values.classes !== undefined
            ? `--classes ${values.classes} keeps ${data.train.numClasses}`
            : `dataset ${data.train.name} has ${data.train.numClasses}`),
        { where: modelPath, expected: `${record.spec.numClasses} classes` },
      );
    }

    // the index files are checked before the model is loaded
    const pool: Dataset = from === 'test' ? data.test : data.train;
    const memberFile =
      values.members !== undefined ? readIndices(values.members, data.train.n, 'train') : undefined;
    const nonMemberFile =
      values['non-members'] !== undefined ? readIndices(values['non-members'], pool.n, from) : undefined;
    if (memberFile !== undefined && nonMemberFile !== undefined && from === 'train')
      checkDisjoint(memberFile, values.members!, nonMemberFile, values['non-members']!);

    const loaded = await loadPredictor(modelPath, {
      inputShape: data.train.shape,
      ...(engineName !== undefined ? { engine: engineName } : {}),
      backend,
      layout,
      output,
    });
    const predictor = loaded.predictor;
    try {
      console.log(`model: ${predictor.description}`);
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
        throw new MiaError(
          'E_USAGE',
          '--members is required: the model does not record its training rows for this dataset',
          {
            where: 'mia infer',
          },
        );
      }
      let nonMembers: Int32Array;
      if (nonMemberFile !== undefined) {
        nonMembers = nonMemberFile;
        if (from === 'train' && memberFile === undefined)
          checkDisjoint(members, `the training rows of ${modelPath}`, nonMembers, values['non-members']!);
      } else if (from === 'test')
        nonMembers = Int32Array.from({ length: Math.min(members.length, pool.n) }, (_, i) => i);
      else {
        const isMember = new Uint8Array(pool.n);
        for (const i of members) isMember[i] = 1;
        const rest: number[] = [];
        for (let i = 0; i < pool.n && rest.length < members.length; i++) if (isMember[i] === 0) rest.push(i);
        nonMembers = Int32Array.from(rest);
      }
      const m = take(data.train, members);
      const nm = take(pool, nonMembers);
      const opts = { batchSize };
      const mOut = await predictOutputs(predictor, m, { ...opts, where: 'members', suffix: '_train' });
      const nmOut = await predictOutputs(predictor, nm, { ...opts, where: 'non-members', suffix: '_test' });
      writeNpz(values.out, { ...outputsToArrays(mOut, '_train'), ...outputsToArrays(nmOut, '_test') });
      console.log(
        `members: ${mOut.n} (${data.train.name} train rows), accuracy ${(100 * accuracy(mOut)).toFixed(2)}%; ` +
          `non-members: ${nmOut.n} (${from} rows), accuracy ${(100 * accuracy(nmOut)).toFixed(2)}%`,
      );
      console.log(
        `wrote ${values.out} (${predictor.outputKind === 'logits' ? 'logits, ' : ''}probs, loss, labels); next: mia attack --input ${values.out}`,
      );
    } finally {
      await predictor.dispose();
    }
    return 0;
  },
};
