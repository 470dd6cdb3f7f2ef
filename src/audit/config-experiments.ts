/**
 * The experiments mode of the audit config (seed 000's case study): instead of one target audited
 * with reference models, named `models` are compared in `experiments`, each model trained on the same
 * training samples (its members) and attacked with output attacks against held-out samples (its
 * non-members), optionally on the first k classes only:
 *
 *   training:      how every model trains (optimizer, learning_rate, …, epochs, batch_size)
 *   models:        name → {architecture, and any training key overriding `training`}
 *   experiments:   - {name, title?, models: [names], first_k_classes?}
 *
 * A model used by several experiments on the same data is trained once (seed 000 reuses the depth-4
 * dense net of experiment 1 in experiment 2); with `first_k_classes` it is another model. Errors are
 * E_CONFIG at file:line:column of the key or value (config-reader.ts).
 */
import { isMap, isScalar } from 'yaml';
import { type ErrorWhere, MiaError } from '../errors.js';
import { normalizeArchSpec } from '../models/architectures.js';
import { EXPERIMENT_KEYS, REFERENCE_ONLY_AUDIT_KEYS, SHARED_TRAIN_KEYS, TRAIN_KEYS } from './config-keys.js';
import { readTraining, type TrainingConfig } from './config-models.js';
import { type ConfigSource, describeNode, SectionReader, whereOfNode } from './config-reader.js';

/** One model of the experiments mode. */
export interface ExperimentModelConfig {
  /** The name under `models` (letters, digits, `.`, `_`, `-`). */
  name: string;
  training: TrainingConfig;
}

/** One experiment: the models it compares, on all classes or the first k. */
export interface ExperimentConfig {
  /** Unique name (letters, digits, `.`, `_`, `-`), used in result keys and chart ids. */
  name: string;
  /** A line saying what the experiment compares (shown in the report). */
  title?: string;
  /** Names of `models`, in legend order. */
  models: string[];
  /** Keep only labels < k for this experiment's models (seed 000's 4-class experiment). */
  firstKClasses?: number;
}

export interface ExperimentsConfig {
  models: ExperimentModelConfig[];
  experiments: ExperimentConfig[];
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
const NAME_TEXT = 'a name of letters, digits, ".", "_" and "-" (starting with a letter or digit)';

/** The training defaults (adam, lr 0.001, no weight decay, constant schedule, 10 epochs, batch 64). */
function defaults(): TrainingConfig {
  return {
    architecture: normalizeArchSpec({ name: 'logistic' }),
    optimizer: { name: 'adam', lr: 0.001, weightDecay: 0, schedule: { kind: 'constant' } },
    epochs: 10,
    batchSize: 64,
  };
}

/**
 * Reads `training`, `models` and `experiments` (see the file header) from the root section, and
 * rejects the keys of `run` and `audit` that only apply to audits with reference models
 * (num_experiments > 1, reference_models, signal, augmentations, rmia, shadow). `dataK` is
 * data.first_k_classes (an experiment's k may not exceed it). `note` records the position of a dotted
 * path for errors found later (e.g. `experiments[2].first_k_classes`).
 */
export function readExperiments(
  root: SectionReader,
  sections: { run: SectionReader; audit: SectionReader },
  src: ConfigSource,
  dataK: number | undefined,
  note: (path: string, where: ErrorWhere) => void,
): ExperimentsConfig {
  if (!root.has('experiments')) {
    throw new MiaError('E_CONFIG', 'models needs experiments: the comparisons to run', {
      where: root.whereOf('models'),
      expected: 'experiments: [{name: …, models: [a, b]}, …]',
    });
  }
  if (!root.has('models')) {
    throw new MiaError('E_CONFIG', 'experiments needs models: the models they compare, by name', {
      where: root.whereOf('experiments'),
      expected: 'models: {name: {architecture: …}, …}',
    });
  }
  const { run, audit } = sections;
  for (const key of REFERENCE_ONLY_AUDIT_KEYS) {
    if (audit.has(key)) {
      audit.fail(key, 'applies to audits of a target with reference models, not to experiments', {
        expected: `no audit.${key} with models and experiments`,
      });
    }
  }
  if ((run.int('num_experiments', { min: 1 }) ?? 1) > 1) {
    run.fail(
      'num_experiments',
      'applies to audits with reference models; experiments are listed under experiments',
      {
        expected: '1 (or no num_experiments) with models and experiments',
      },
    );
  }
  for (const key of ['target', 'reference']) {
    if (root.has(key)) {
      root.fail(
        key,
        'is for an audit of one target with reference models; with experiments, name the models under models',
        {
          expected: 'models and experiments, without target or reference',
        },
      );
    }
  }
  const base = readTraining(root.section('training', SHARED_TRAIN_KEYS), src, defaults());

  const mNode = root.raw('models')!;
  if (!isMap(mNode)) {
    root.fail('models', 'must be a mapping of model names to {architecture, …}', {
      expected: 'e.g. {dense-4: {architecture: {name: dense, params: {depth: 4}}}}',
      found: describeNode(mNode),
    });
  }
  const models: ExperimentModelConfig[] = [];
  for (const pair of mNode.items) {
    const name = isScalar(pair.key) ? String(pair.key.value) : describeNode(pair.key);
    if (!NAME.test(name)) {
      throw new MiaError('E_CONFIG', `models: '${name}' is not a valid model name`, {
        where: whereOfNode(src, pair.key, `models.${name}`),
        expected: NAME_TEXT,
        found: `'${name}'`,
      });
    }
    const sec = new SectionReader(src, pair.value, `models.${name}`, TRAIN_KEYS);
    if (!sec.has('architecture')) {
      throw new MiaError('E_CONFIG', `models.${name}.architecture is required`, {
        where: sec.whereOf(),
        expected: 'an architecture name (conv, dense, small_cnn, mlp, logistic, resnet18) or {name, params}',
      });
    }
    models.push({ name, training: readTraining(sec, src, base) });
  }
  if (models.length === 0) root.fail('models', 'is empty', { expected: 'at least one model' });
  const known = models.map((m) => m.name);

  const seen = new Set<string>();
  const experiments =
    root.list('experiments', 'experiments {name, models}', (node, fail, i) => {
      const path = `experiments[${i}]`;
      if (!isMap(node))
        fail('must be a mapping {name, models}', 'a mapping with keys name, title, models, first_k_classes');
      const e: SectionReader = new SectionReader(src, node, path, EXPERIMENT_KEYS);
      const name = e.string('name');
      if (name === undefined) {
        throw new MiaError('E_CONFIG', `${path}.name is required`, {
          where: e.whereOf(),
          expected: NAME_TEXT,
        });
      }
      if (!NAME.test(name))
        e.fail('name', 'is not a valid experiment name', { expected: NAME_TEXT, found: `'${name}'` });
      if (seen.has(name))
        e.fail('name', `'${name}' names two experiments`, { expected: 'unique experiment names' });
      seen.add(name);
      const names = e.list('models', 'model names', (n, failItem) => {
        const v = isScalar(n) ? n.value : undefined;
        if (typeof v !== 'string' || !known.includes(v)) {
          failItem('is not a model listed under models', `one of ${known.join(', ')}`);
        }
        return v as string;
      });
      if (names === undefined || names.length === 0) {
        e.fail('models', names === undefined ? 'is required' : 'is empty', {
          expected: 'a list of the models to compare, e.g. [dense-7, dense-4]',
        });
      }
      const dup = names.find((m, j) => names.indexOf(m) !== j);
      if (dup !== undefined) e.fail('models', `lists '${dup}' twice`);
      const out: ExperimentConfig = { name, models: names };
      const title = e.string('title');
      if (title !== undefined) out.title = title;
      const k = e.int('first_k_classes', { min: 2 });
      if (k !== undefined) {
        if (dataK !== undefined && k > dataK) {
          e.fail('first_k_classes', `is larger than data.first_k_classes (${dataK})`, {
            expected: `an integer in [2, ${dataK}]`,
            found: String(k),
          });
        }
        out.firstKClasses = k;
        note(`${path}.first_k_classes`, e.whereOf('first_k_classes'));
      }
      note(path, e.whereOf());
      return out;
    }) ?? [];
  if (experiments.length === 0) root.fail('experiments', 'is empty', { expected: 'at least one experiment' });
  const used = new Set(experiments.flatMap((x) => x.models));
  for (const pair of mNode.items) {
    const name = isScalar(pair.key) ? String(pair.key.value) : '';
    if (!used.has(name)) {
      throw new MiaError('E_CONFIG', `models.${name} is not compared by any experiment`, {
        where: whereOfNode(src, pair.key, `models.${name}`),
        expected: 'every model listed in some experiment (remove it or add it to one)',
      });
    }
  }
  return { models, experiments };
}
