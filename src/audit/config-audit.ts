/**
 * The `audit` keys both modes share: the attacks to run, the FPRs at which TPR is reported, the slices,
 * and the attacks during training (config-privacy.ts). The attack names themselves are read by each
 * mode (config-reference.ts: any attack; config-experiments.ts: output attacks only).
 */
import { isScalar } from 'yaml';
import { outputAttackNames, referenceAttacks } from '../attacks/registry.js';
import { SLICE_FAMILIES, type SliceFamily } from '../metrics/slicing.js';
import { type PrivacyConfig, readPrivacy } from './config-privacy.js';
import type { SectionReader } from './config-reader.js';
import { DEFAULT_FPR_TARGETS } from './run-attacks.js';

/** The audit section of both modes. */
export interface AuditSectionCommon {
  attacks: string[];
  fprTargets: number[];
  slices: SliceFamily[];
  /** Attacks during training (privacy-callback.ts); everyEpochs 0 = off. */
  privacy: PrivacyConfig;
}

/**
 * Every attack name the pipeline runs: the reference attacks of the registry (the LiRA variants, rmia /
 * rmia-online, attack-r / attack-p, `shadow`: a meta-classifier on the reference models' outputs),
 * `loss` (the loss threshold) and the output attacks of `mia attack` (threshold, threshold-entropy, …,
 * lr, mlp, rf, knn).
 */
export const ATTACK_NAMES: readonly string[] = [
  ...referenceAttacks().map((a) => a.name),
  'loss',
  ...outputAttackNames(),
];

/**
 * The shared audit keys, given the attacks the mode read (`attacks`, checked here for being empty or
 * listing a name twice).
 */
export function readAuditCommon(audit: SectionReader, attacks: string[]): AuditSectionCommon {
  if (attacks.length === 0) audit.fail('attacks', 'is empty', { expected: 'at least one attack' });
  const dup = attacks.find((a, i) => attacks.indexOf(a) !== i);
  if (dup !== undefined) audit.fail('attacks', `lists '${dup}' twice`);
  const privacy = readPrivacy(audit, ATTACK_NAMES);
  const fprTargets = audit.list('fpr_targets', 'numbers in (0, 1)', (n, fail) => {
    const v = isScalar(n) ? n.value : undefined;
    if (typeof v !== 'number' || !(v > 0 && v < 1)) fail('must be a number in (0, 1)');
    return v as number;
  }) ?? [...DEFAULT_FPR_TARGETS];
  const slices =
    audit.list('slices', `slice names (${SLICE_FAMILIES.join(', ')})`, (n, fail) => {
      const v = isScalar(n) ? n.value : undefined;
      if (typeof v !== 'string' || !(SLICE_FAMILIES as readonly string[]).includes(v)) {
        fail('is not a known slice', `one of ${SLICE_FAMILIES.join(', ')}`);
      }
      return v as SliceFamily;
    }) ?? (['entire', 'class', 'correctness'] as SliceFamily[]);
  if (!slices.includes('entire')) slices.unshift('entire');
  return { attacks, fprTargets, slices, privacy };
}
