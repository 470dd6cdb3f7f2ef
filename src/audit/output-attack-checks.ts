/**
 * The checks `mia attack --input` and POST /api/v1/attacks make before they run the output attacks
 * (attacks/registry.ts) on one model's outputs: the attack names, and enough samples for the trained ones.
 */
import { getOutputAttack, outputAttackNames } from '../attacks/registry.js';
import { MiaError } from '../errors.js';
import { REFERENCE_ATTACKS } from './reference-attacks.js';

/**
 * The attack names for one model's outputs (`mia attack --input`, POST /api/v1/attacks): each known, at most once, at least one. A reference-model attack
 * name gets a hint to --reference (it needs reference models' signals, not one model's outputs).
 * Errors name `command` (E_USAGE for an empty list) and `field` (an unknown or repeated name).
 */
export function checkOutputAttacks(names: string[], command: string, field: string): string[] {
  const known = outputAttackNames();
  if (names.length === 0) {
    throw new MiaError('E_USAGE', '--attacks lists no attack', {
      where: command,
      expected: known.join(', '),
    });
  }
  const seen = new Set<string>();
  for (const name of names) {
    if (!known.includes(name)) {
      const reference = REFERENCE_ATTACKS.includes(name) || /^(lira|rmia|attack-[rp]$)/.test(name);
      const hint = reference
        ? '; reference-model attacks (rmia, lira-*, attack-r, attack-p) need `mia attack --reference FILE` ' +
          "(reference models' signals) or an audit config (`mia audit`)"
        : '';
      throw new MiaError('E_UNKNOWN_NAME', `unknown attack '${name}'${hint}`, {
        where: field,
        expected: known.join(', '),
      });
    }
    if (seen.has(name)) {
      throw new MiaError('E_USAGE', `attack '${name}' is listed twice`, { where: field });
    }
    seen.add(name);
  }
  return names;
}

/** Trained attacks split members and non-members in halves: each needs at least 2 of both. */
export function checkTrainedAttackSizes(
  attacks: string[],
  members: number,
  nonMembers: number,
  file: string,
): void {
  const trained = attacks.filter((a) => getOutputAttack(a).kind === 'trained');
  if (trained.length === 0 || (members >= 2 && nonMembers >= 2)) return;
  const plural = (k: number, what: string) => `${k} ${what}${k === 1 ? '' : 's'}`;
  throw new MiaError(
    'E_EMPTY',
    `the trained attacks (${trained.join(', ')}) need at least 2 members (rows of *_train) and 2 ` +
      'non-members (rows of *_test); choose threshold attacks with --attacks, or give more samples',
    { where: file, found: `${plural(members, 'member')}, ${plural(nonMembers, 'non-member')}` },
  );
}
