/**
 * The reference mode of the audit config (Privacy Meter's shape): one `target` audited with
 * `audit.reference_models` reference models trained on halves of the audit samples, attacked by any
 * attack (reference attacks of the registry, loss, output attacks), optionally with each model as the
 * target in turn (run.num_experiments). Errors are E_CONFIG at the key (config-reader.ts).
 */
import { isScalar } from 'yaml';
import { findReferenceAttack } from '../attacks/registry.js';
import { MiaError } from '../errors.js';
import { exposureName, parseExposure } from '../signals/exposure.js';
import { ATTACK_NAMES, type AuditSectionCommon, readAuditCommon } from './config-audit.js';
import type { DataConfig } from './config-data.js';
import { AUGMENTATION_KEYS, RMIA_KEYS, SHADOW_KEYS } from './config-keys.js';
import { readTargetAndReference, type TrainingConfig } from './config-models.js';
import { type OneRunConfig, readOneRun } from './config-one-run.js';
import type { ConfigSource, SectionReader } from './config-reader.js';
import { type ReferenceSchedule, readReferenceModels } from './config-reference-models.js';

export type AuditSignal = 'scaled-logit' | 'confidence';
export const AUDIT_SIGNALS: readonly AuditSignal[] = ['scaled-logit', 'confidence'];

export const DEFAULT_AUDIT_ATTACKS: readonly string[] = ['rmia', 'lira-online', 'lira-offline', 'loss'];

/** The audit section of the reference mode. */
export interface ReferenceAuditSection extends AuditSectionCommon {
  /** The reference models (a schedule's max). */
  referenceModels: number;
  /** audit.reference_models as `{min, max, until}`: train pair by pair until the metric settles. */
  referenceSchedule?: ReferenceSchedule;
  signal: AuditSignal;
  augmentations: { flip: boolean; shift: number };
  rmia: { a?: number; gamma: number };
  shadow: { hiddenLayers: number[] };
  /**
   * audit.exposure: the output exposures the attacks run on (signals/exposure.ts names: probs, top-K,
   * round-D, label), in the order given; absent = only the full probabilities (results untagged).
   */
  exposure?: string[];
  /** audit.one_run (config-one-run.ts); absent = no one-run audit. */
  oneRun?: OneRunConfig;
}

/** What the reference mode reads beyond the shared sections. */
export interface ReferenceParts {
  numExperiments: number;
  target: TrainingConfig;
  reference: TrainingConfig;
  audit: ReferenceAuditSection;
}

/** True when attack `name` needs every sample to have IN and OUT reference models (registry needs). */
function needsInAndOut(name: string): boolean {
  return findReferenceAttack(name)?.needs.references === 'in-and-out';
}

/**
 * Reads `target`, `reference`, run.num_experiments and the audit keys of the reference mode, and checks
 * that every attack gets what it needs (reference models, IN and OUT models per sample, population).
 */
export function readReferenceAudit(
  root: SectionReader,
  sections: { run: SectionReader; data: SectionReader; audit: SectionReader },
  dataCfg: DataConfig,
  src: ConfigSource,
): ReferenceParts {
  const { run, data, audit } = sections;
  const numExperiments = run.int('num_experiments', { min: 1 }) ?? 1;
  const { target, reference } = readTargetAndReference(root, src);

  const attacks = audit.list('attacks', 'attack names', (n, fail) => {
    const v = isScalar(n) ? n.value : undefined;
    if (typeof v !== 'string' || !ATTACK_NAMES.includes(v))
      fail('is not a known attack', `one of ${ATTACK_NAMES.join(', ')}`);
    return v as string;
  }) ?? [...DEFAULT_AUDIT_ATTACKS];
  const common = readAuditCommon(audit, attacks);
  const refSetting = readReferenceModels(
    audit,
    attacks,
    common.fprTargets,
    attacks.some(needsInAndOut) ? 3 : 1,
  );
  const referenceModels = refSetting.count;
  // the attacks' needs hold from the first check on: the schedule's min
  const fewest = refSetting.fewest;
  for (const a of attacks) {
    const needs = findReferenceAttack(a)?.needs;
    if (needs === undefined) continue;
    if (needs.references === 'in-and-out' && fewest < 3) {
      audit.fail(
        'reference_models',
        `is ${fewest}, but ${a} needs every sample to have IN and OUT reference models`,
        { expected: 'at least 3 reference models', found: String(fewest) },
      );
    }
    if (needs.references !== 'none' && fewest < 1) {
      audit.fail('reference_models', `is 0, but ${a} needs reference models`, { expected: 'at least 1' });
    }
    if (needs.population && dataCfg.populationSize < 1) {
      data.fail('population_size', `is 0, but ${a} needs population samples`, { expected: 'at least 1' });
    }
  }
  const aug = audit.section('augmentations', AUGMENTATION_KEYS);
  const augmentations = { flip: aug.bool('flip') ?? false, shift: aug.int('shift', { min: 0, max: 8 }) ?? 0 };
  const rmiaSec = audit.section('rmia', RMIA_KEYS);
  const rmia: ReferenceAuditSection['rmia'] = {
    gamma: rmiaSec.number('gamma', { min: 0, exclusiveMin: true }) ?? 1,
  };
  const a = rmiaSec.number('a', { min: 0, max: 1 });
  if (a !== undefined) rmia.a = a;
  const shadowSec = audit.section('shadow', SHADOW_KEYS);
  const hiddenLayers = shadowSec.list('hidden_layers', 'positive integers', (n, fail) => {
    const v = isScalar(n) ? n.value : undefined;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) fail('must be a positive integer');
    return v as number;
  }) ?? [64];
  if (hiddenLayers.length < 1 || hiddenLayers.length > 2) {
    shadowSec.fail('hidden_layers', 'must list one or two layer widths', {
      found: `${hiddenLayers.length} widths`,
    });
  }
  const exposure = audit.list('exposure', 'output exposures (probs, top-K, round-D, label)', (n, fail) => {
    const v = isScalar(n) ? n.value : undefined;
    if (typeof v !== 'string') fail('must be an exposure name', 'probs, top-K, round-D or label');
    try {
      return exposureName(parseExposure(v as string, 'audit.exposure'));
    } catch (e) {
      if (e instanceof MiaError) fail(e.message, 'probs, top-K (K ≥ 1), round-D (D in 0..15) or label');
      throw e;
    }
  });
  if (exposure !== undefined) {
    if (exposure.length === 0) audit.fail('exposure', 'is empty', { expected: 'at least one exposure' });
    const dup = exposure.find((x, i) => exposure.indexOf(x) !== i);
    if (dup !== undefined) audit.fail('exposure', `lists '${dup}' twice`);
  }
  if (numExperiments > referenceModels + 1) {
    run.fail(
      'num_experiments',
      `is larger than the ${referenceModels + 1} models (target + audit.reference_models)`,
      { expected: `an integer in [1, ${referenceModels + 1}]`, found: String(numExperiments) },
    );
  }
  if (numExperiments > 1 && referenceModels < 3 && attacks.some(needsInAndOut)) {
    run.fail('num_experiments', 'needs at least 3 reference models', { found: String(numExperiments) });
  }
  if (refSetting.schedule !== undefined && numExperiments > 1) {
    run.fail('num_experiments', 'must be 1 when audit.reference_models is a schedule (min, max, until)', {
      found: String(numExperiments),
    });
  }
  if ((augmentations.flip || augmentations.shift > 0) && dataCfg.synthetic?.shape?.length === 1) {
    aug.fail(augmentations.flip ? 'flip' : 'shift', 'needs image data', { found: 'tabular synthetic data' });
  }
  const oneRun = readOneRun(audit, dataCfg.auditSize);
  return {
    numExperiments,
    target,
    reference,
    audit: {
      referenceModels,
      ...(refSetting.schedule !== undefined ? { referenceSchedule: refSetting.schedule } : {}),
      attacks: common.attacks,
      signal: audit.oneOf('signal', AUDIT_SIGNALS) ?? 'scaled-logit',
      augmentations,
      rmia,
      fprTargets: common.fprTargets,
      slices: common.slices,
      shadow: { hiddenLayers },
      privacy: common.privacy,
      ...(exposure !== undefined ? { exposure } : {}),
      ...(oneRun !== undefined ? { oneRun } : {}),
    },
  };
}
