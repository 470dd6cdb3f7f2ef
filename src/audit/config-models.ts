/**
 * The `target` and `reference` sections of the audit config: how a model is trained (architecture with
 * its hyper-parameters, optimiser, learning rate, schedule, epochs, batch size). Errors point at the
 * config key (config-reader.ts); the architecture and optimiser validators of src/models/ decide what
 * is valid.
 */
import { isMap, isScalar } from 'yaml';
import { isMiaError, MiaError } from '../errors.js';
import { type ArchParamValue, type ArchSpec, normalizeArchSpec } from '../models/architectures.js';
import { DEFAULT_DELTA, DP_SAMPLINGS, type DpConfig } from '../models/dp/dp-sgd.js';
import { archSpecFromOnnx } from '../models/onnx/onnx-arch-spec.js';
import {
  type LrSchedule,
  normalizeOptimizerSpec,
  OPTIMIZER_NAMES,
  type OptimizerSpec,
  parseSchedule,
} from '../models/optimizers.js';
import { isAugmenting, type TrainAugment } from '../models/train-augment.js';
import { ARCHITECTURE_KEYS, DP_KEYS, TRAIN_AUGMENT_KEYS, TRAIN_KEYS } from './config-keys.js';
import { type ConfigSource, describeNode, type SectionReader, whereOfNode } from './config-reader.js';

/** How one kind of model (target or reference) is trained. */
export interface TrainingConfig {
  /** Normalised: every hyper-parameter present. */
  architecture: Required<ArchSpec>;
  optimizer: OptimizerSpec;
  epochs: number;
  batchSize: number;
  /** Training-time random crops / flips (models/train-augment.ts); none when absent. */
  augment?: TrainAugment;
  /** DP-SGD (`dp`); absent: plain training. */
  dp?: DpConfig;
}

/**
 * The `dp` mapping of a training section: exactly one of noise_multiplier (σ ≥ 0) and target_epsilon
 * (ε > 0), max_grad_norm (C > 0, default 1), delta (default 1e-5; checked against 1/n when training
 * starts), sampling (poisson, default, or shuffle). `dp: false` turns off a DP setting inherited from
 * `base` (the target's, for the references). Absent: `base`'s.
 */
function readDp(s: SectionReader, base: DpConfig | undefined): DpConfig | undefined {
  const node = s.raw('dp');
  if (node === undefined) return base;
  if (isScalar(node) && node.value === false) return undefined;
  if (!isMap(node))
    s.fail(
      'dp',
      'must be a mapping {noise_multiplier | target_epsilon, max_grad_norm, delta, sampling} or false',
      {
        found: describeNode(node),
      },
    );
  const d = s.section('dp', DP_KEYS);
  const sigma = d.number('noise_multiplier', { min: 0 });
  const eps = d.number('target_epsilon', { min: 0, exclusiveMin: true });
  if ((sigma === undefined) === (eps === undefined))
    throw d.error(
      node,
      `${d.path}: give exactly one of noise_multiplier and target_epsilon`,
      {
        expected: 'noise_multiplier: σ or target_epsilon: ε',
        found: sigma === undefined ? 'neither' : 'both',
      },
      d.path,
    );
  const delta = d.number('delta', { min: 0, max: 1, exclusiveMin: true }) ?? DEFAULT_DELTA;
  if (delta >= 1) d.fail('delta', 'must be < 1', { expected: 'δ in (0, 1/n)', found: String(delta) });
  return {
    ...(sigma !== undefined ? { noiseMultiplier: sigma } : {}),
    ...(eps !== undefined ? { targetEpsilon: eps } : {}),
    maxGradNorm: d.number('max_grad_norm', { min: 0, exclusiveMin: true }) ?? 1,
    delta,
    sampling: d.oneOf('sampling', DP_SAMPLINGS) ?? 'poisson',
    where: d.path,
  };
}

/**
 * Reads a `target` or `reference` section; absent keys take `base`'s values (the target's, for the
 * references) or the defaults (adam, lr 0.001, no weight decay, constant schedule, 10 epochs, batch 64).
 * The architecture is required when there is no base.
 */
export function readTraining(
  s: SectionReader,
  src: ConfigSource,
  base: TrainingConfig | undefined,
): TrainingConfig {
  let architecture: Required<ArchSpec>;
  const archNode = s.raw('architecture');
  if (archNode === undefined) {
    architecture = base!.architecture;
  } else {
    let spec: ArchSpec;
    if (isScalar(archNode) && typeof archNode.value === 'string') {
      spec = { name: archNode.value };
    } else if (isMap(archNode) && archNode.has('from')) {
      // architecture: {from: target.onnx}: the layers of an ONNX model's graph, fresh weights
      const a = s.section('architecture', ARCHITECTURE_KEYS);
      const written = a.string('from')!;
      for (const k of ['name', 'params'] as const)
        if (a.raw(k) !== undefined) a.fail(k, 'cannot be given with architecture.from', {});
      const restore = a.bool('restore_batchnorm') ?? false;
      try {
        const from = src.resolveFile?.(written, a.pathOf('from')) ?? written;
        spec = archSpecFromOnnx(from, { restoreBatchnorm: restore }).spec;
      } catch (e) {
        throw rethrowAt(e, a, 'from');
      }
    } else if (isMap(archNode)) {
      const a = s.section('architecture', ARCHITECTURE_KEYS);
      if (a.raw('restore_batchnorm') !== undefined)
        a.fail('restore_batchnorm', 'applies to architecture.from only', {});
      const name = a.string('name');
      if (name === undefined) {
        throw a.error(archNode, `${a.path}.name is required`, { expected: 'an architecture name' }, a.path);
      }
      const params: Record<string, ArchParamValue> = {};
      const pNode = a.raw('params');
      if (pNode !== undefined) {
        const pMap = isMap(pNode)
          ? pNode
          : a.fail('params', 'must be a mapping', { found: describeNode(pNode) });
        for (const pair of pMap.items) {
          const key = isScalar(pair.key) ? String(pair.key.value) : describeNode(pair.key);
          const v = isScalar(pair.value) ? pair.value.value : undefined;
          if (typeof v !== 'number' && typeof v !== 'string') {
            throw new MiaError('E_CONFIG', `${a.path}.params.${key} must be a number or a string`, {
              where: whereOfNode(src, pair.value, `${a.path}.params.${key}`),
              found: describeNode(pair.value),
            });
          }
          params[key] = v;
        }
      }
      spec = { name, params };
    } else {
      s.fail('architecture', 'must be a name, {name, params} or {from: FILE.onnx}', {
        expected: 'e.g. small_cnn, {name: conv, params: {depth: 2}} or {from: target.onnx}',
        found: describeNode(archNode),
      });
    }
    try {
      architecture = normalizeArchSpec(spec);
    } catch (e) {
      // an unknown or bad hyper-parameter: point at its key under params when it is there
      const param = isMiaError(e)
        ? (/^architecture \S+\.(\S+)$/.exec(e.where ?? '')?.[1] ?? e.found)
        : undefined;
      const pNode = isMap(archNode) ? archNode.get('params', true) : undefined;
      if (param !== undefined && isMap(pNode)) {
        const pair = pNode.items.find((it) => isScalar(it.key) && String(it.key.value) === param);
        if (pair !== undefined && isMiaError(e)) {
          throw new MiaError('E_CONFIG', `${s.pathOf('architecture')}.params.${param}: ${e.message}`, {
            where: whereOfNode(src, pair.key, `${s.pathOf('architecture')}.params.${param}`),
            ...(e.expected !== undefined ? { expected: e.expected } : {}),
            ...(e.found !== undefined ? { found: e.found } : {}),
          });
        }
      }
      throw rethrowAt(e, s, 'architecture');
    }
  }
  const optName = s.oneOf('optimizer', OPTIMIZER_NAMES) ?? base?.optimizer.name ?? 'adam';
  const lr = s.number('learning_rate', { min: 0, exclusiveMin: true }) ?? base?.optimizer.lr ?? 0.001;
  const weightDecay = s.number('weight_decay', { min: 0 }) ?? base?.optimizer.weightDecay ?? 0;
  let schedule: LrSchedule = base?.optimizer.schedule ?? { kind: 'constant' };
  const sched = s.string('schedule');
  if (sched !== undefined) {
    try {
      schedule = parseSchedule(sched);
    } catch (e) {
      throw rethrowAt(e, s, 'schedule');
    }
  }
  let optimizer: OptimizerSpec;
  if (optName === 'sgd') {
    const baseMomentum = base?.optimizer.name === 'sgd' ? (base.optimizer.momentum ?? 0) : 0;
    optimizer = {
      name: 'sgd',
      lr,
      momentum: s.number('momentum', { min: 0, max: 0.999 }) ?? baseMomentum,
      weightDecay,
      schedule,
    };
  } else {
    if (s.has('momentum'))
      s.fail('momentum', 'applies to optimizer sgd only', { found: `optimizer ${optName}` });
    optimizer = { name: 'adam', lr, weightDecay, schedule };
  }
  try {
    normalizeOptimizerSpec(optimizer);
  } catch (e) {
    throw rethrowAt(e, s, 'optimizer');
  }
  const augment = s.has('augment') ? readAugment(s) : base?.augment;
  return {
    architecture,
    optimizer,
    epochs: s.int('epochs', { min: 1 }) ?? base?.epochs ?? 10,
    batchSize: s.int('batch_size', { min: 1 }) ?? base?.batchSize ?? 64,
    ...(isAugmenting(augment) ? { augment } : {}),
    ...withDp(readDp(s, base?.dp), s.path),
  };
}

/**
 * `augment: {crop: 4, flip: true}` (either key optional; `augment: {}` turns a base's off). Whether the
 * data are images of a side > crop is checked against the dataset (model-fit.ts).
 */
function readAugment(s: SectionReader): TrainAugment {
  const a = s.section('augment', TRAIN_AUGMENT_KEYS);
  return { crop: a.int('crop', { min: 0, max: 64 }) ?? 0, flip: a.bool('flip') ?? false };
}

/**
 * The `target` and `reference` sections of an audit with reference models (target.architecture
 * required; each reference key defaults to the target's). A `training` section, which belongs to the
 * experiments mode, is an error here.
 */
export function readTargetAndReference(
  root: SectionReader,
  src: ConfigSource,
): { target: TrainingConfig; reference: TrainingConfig } {
  if (root.has('training')) {
    root.fail(
      'training',
      'applies to the experiments mode (models and experiments); a single audit uses target',
      {
        expected: 'target (and reference), or models and experiments',
      },
    );
  }
  const t = root.section('target', TRAIN_KEYS);
  if (!t.has('architecture')) {
    throw new MiaError('E_CONFIG', 'target.architecture is required', {
      where: t.absent ? root.whereOf() : t.whereOf(),
      expected: 'an architecture name (small_cnn, conv, dense, mlp, logistic, resnet18) or {name, params}',
    });
  }
  const target = readTraining(t, src, undefined);
  return { target, reference: readTraining(root.section('reference', TRAIN_KEYS), src, target) };
}

/** `{dp}` re-labelled for the section that uses it (an inherited setting names its own section). */
function withDp(dp: DpConfig | undefined, path: string): { dp?: DpConfig } {
  if (dp === undefined) return {};
  return { dp: { ...dp, where: `${path}.dp` } };
}

/** A MiaError from a validator (architecture, schedule) re-pointed at the config key. */
function rethrowAt(e: unknown, s: SectionReader, key: string): unknown {
  if (!isMiaError(e)) return e;
  return new MiaError('E_CONFIG', `${s.pathOf(key)}: ${e.message}`, {
    where: s.whereOf(key),
    ...(e.expected !== undefined ? { expected: e.expected } : {}),
    ...(e.found !== undefined ? { found: e.found } : {}),
  });
}
