/**
 * The audit config's output-attack lists and its attacks during training (audit.privacy_every_epochs,
 * privacy_attacks, privacy_samples; privacy-callback.ts). Errors are E_CONFIG at the key or list item
 * (config-reader.ts).
 */
import { isScalar } from 'yaml';
import { LABEL_QUERY_KINDS } from '../attacks/label-query-attacks.js';
import { outputAttackNames } from '../attacks/registry.js';
import type { SectionReader } from './config-reader.js';
import { DEFAULT_PRIVACY_ATTACKS, DEFAULT_PRIVACY_SAMPLES } from './privacy-callback.js';

/** Attacks during training: every `everyEpochs` epochs (0 = off), `attacks` on ≤ `samples` per side. */
export interface PrivacyConfig {
  everyEpochs: number;
  attacks: string[];
  samples: number;
}

/**
 * A list of output attacks (src/attacks/registry.ts: threshold, threshold-entropy, …, lr, mlp, rf,
 * knn) at `key`, or undefined when absent. A name of `allAttacks` that is not an output attack (a
 * reference attack) is an error saying `why` it cannot run there; `loss` is pointed to `threshold`.
 */
export function readOutputAttacks(
  s: SectionReader,
  key: string,
  why: string,
  allAttacks: readonly string[],
): string[] | undefined {
  const names = outputAttackNames();
  return s.list(key, 'output attack names', (n, fail) => {
    const v = isScalar(n) ? n.value : undefined;
    if (v === 'loss') fail('is called threshold here (the loss threshold)', names.join(', '));
    if (typeof v === 'string' && LABEL_QUERY_KINDS[v] !== undefined) {
      fail(
        `queries the model on perturbed inputs, which only the reference mode's audit.attacks does (or mia attack --model)`,
        'an attack on the outputs, e.g. label-gap',
      );
    }
    if (typeof v !== 'string' || !names.includes(v)) {
      fail(
        allAttacks.includes(String(v))
          ? `needs reference models, but ${why}`
          : 'is not a known output attack',
        `one of ${names.join(', ')}`,
      );
    }
    return v as string;
  });
}

/** audit.privacy_every_epochs (default 0 = off), privacy_attacks (default threshold, lr), privacy_samples (default 2000). */
export function readPrivacy(audit: SectionReader, allAttacks: readonly string[]): PrivacyConfig {
  const privacy: PrivacyConfig = {
    everyEpochs: audit.int('privacy_every_epochs', { min: 0 }) ?? 0,
    attacks: readOutputAttacks(
      audit,
      'privacy_attacks',
      'they run on the model being trained',
      allAttacks,
    ) ?? [...DEFAULT_PRIVACY_ATTACKS],
    samples: audit.int('privacy_samples', { min: 10 }) ?? DEFAULT_PRIVACY_SAMPLES,
  };
  if (privacy.attacks.length === 0) {
    audit.fail('privacy_attacks', 'is empty', {
      expected: `at least one of ${outputAttackNames().join(', ')}`,
    });
  }
  const dup = privacy.attacks.find((a, i) => privacy.attacks.indexOf(a) !== i);
  if (dup !== undefined) audit.fail('privacy_attacks', `lists '${dup}' twice`);
  return privacy;
}
