import { DEFAULT_OUTPUT_ATTACKS, getOutputAttack, outputAttackNames } from '../attacks/registry.js';
import { REFERENCE_ATTACKS, runReferenceAttacks } from '../audit/reference-attacks.js';
import {
  type AttackResult,
  DEFAULT_FPR_TARGETS,
  resultForSlice,
  runOutputAttacks,
} from '../audit/run-attacks.js';
import { stdoutLogger } from '../core/logger.js';
import { MiaError } from '../errors.js';
import { writeFileAtomic, writeJsonAtomic } from '../io/atomic.js';
import { parseSliceFamily, SLICE_FAMILIES } from '../metrics/slicing.js';
import { loadAttackInput } from '../signals/attack-input-files.js';
import { type CliCommand, intFlag, listFlag, numberFlag, parseCommandArgs, SEED_RANGE } from './command.js';
import { formatResultsTable, resultsToCsv, worstCaseSentence } from './format-results.js';

const DEFAULT_REFERENCE_ATTACKS = ['lira-online', 'lira-offline', 'lira-global', 'rmia'];

const USAGE = `usage: mia attack --input run.npz [options]

Runs membership inference attacks on a model's outputs on members (*_train) and non-members (*_test).

  --input FILE      .npz (TF Privacy keys: logits_train, logits_test, probs_train, probs_test,
                    loss_train, loss_test, labels_train, labels_test), .json with the same keys,
                    or .csv (columns split, label, [loss], logits_0.. or probs_0..)
  --attacks LIST    comma-separated (default: ${DEFAULT_OUTPUT_ATTACKS.join(',')})
                    known: ${outputAttackNames().join(', ')}
  --slices LIST     comma-separated from ${SLICE_FAMILIES.join(', ')} (default: all)
  --json FILE       write every result as JSON
  --csv FILE        write every result as CSV
  --seed N          seed for trained attacks (default 0)
  --top N           rows of the summary table (default 25)

With reference models (signals computed elsewhere, e.g. by the LiRA reference code):
  --reference FILE  reference.npz (keys keep [M,N], scores [M,N(,A)], target_scores [N(,A)],
                    optional target_member [N], pop_scores [M,Z], pop_target_scores [Z]) or a LiRA
                    experiment folder (per model keep.npy and scores/*.npy); replaces --input
  --attacks LIST    from ${REFERENCE_ATTACKS.join(', ')}
                    (default: ${DEFAULT_REFERENCE_ATTACKS.join(',')})
  --rmia-a A        offline RMIA coefficient in [0, 1] (default: tuned on a reference model)
  --rmia-gamma G    RMIA likelihood-ratio factor γ (default 1)
  --target-index K  LiRA folders: which model is the target (default 0)
  --scores-out FILE write each attack's per-sample scores (.npz, one array per attack)`;

export const attackCommand: CliCommand = {
  name: 'attack',
  summary: 'run membership inference attacks on exported model outputs',
  usage: USAGE,
  async run(argv) {
    const { values } = parseCommandArgs('attack', argv, {
      input: { type: 'string' },
      attacks: { type: 'string' },
      slices: { type: 'string' },
      json: { type: 'string' },
      csv: { type: 'string' },
      seed: { type: 'string' },
      top: { type: 'string' },
      reference: { type: 'string' },
      'rmia-a': { type: 'string' },
      'rmia-gamma': { type: 'string' },
      'target-index': { type: 'string' },
      'scores-out': { type: 'string' },
    });
    if (values.reference !== undefined) return runWithReference(values);
    if (values.input === undefined) {
      throw new MiaError('E_USAGE', '--input (or --reference) is required; see `mia attack --help`', {
        where: 'mia attack',
      });
    }
    for (const flag of ['rmia-a', 'rmia-gamma', 'target-index', 'scores-out'] as const) {
      if (values[flag] !== undefined) {
        throw new MiaError('E_USAGE', `--${flag} goes with --reference`, { where: 'mia attack' });
      }
    }
    // Every flag is checked before the input is read (a typo fails at once, before a long load).
    const seed = intFlag('attack', 'seed', values.seed, 0, SEED_RANGE);
    const top = topFlag(values.top);
    const attacks = checkOutputAttacks(listFlag(values.attacks, DEFAULT_OUTPUT_ATTACKS));
    const slices = listFlag(values.slices, SLICE_FAMILIES).map(parseSliceFamily);
    const input = loadAttackInput(values.input);
    checkTrainedAttackSizes(attacks, input.members.n, input.nonMembers.n, values.input);
    console.log(
      `${values.input}: ${input.members.n} members, ${input.nonMembers.n} non-members, ${input.members.numClasses} classes`,
    );
    const { results } = runOutputAttacks(input, {
      attacks,
      slices,
      seed,
      logger: stdoutLogger,
    });
    report(results, top, values.json, values.csv);
    return 0;
  },
};

/** --top: an integer ≥ 1. */
function topFlag(value: string | undefined): number {
  const top = intFlag('attack', 'top', value, 25);
  if (top < 1) {
    throw new MiaError('E_USAGE', '--top must be at least 1', { where: 'mia attack', found: String(value) });
  }
  return top;
}

/**
 * The --attacks names for `--input`: each known, at most once, at least one. A reference-model attack
 * name gets a hint to --reference (it needs reference models' signals, not one model's outputs).
 */
function checkOutputAttacks(names: string[]): string[] {
  const known = outputAttackNames();
  if (names.length === 0) {
    throw new MiaError('E_USAGE', '--attacks lists no attack', {
      where: 'mia attack',
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
        where: '--attacks',
        expected: known.join(', '),
      });
    }
    if (seen.has(name)) {
      throw new MiaError('E_USAGE', `attack '${name}' is listed twice`, { where: '--attacks' });
    }
    seen.add(name);
  }
  return names;
}

/** Trained attacks split members and non-members in halves: each needs at least 2 of both. */
function checkTrainedAttackSizes(attacks: string[], members: number, nonMembers: number, file: string): void {
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

function report(
  results: AttackResult[],
  top: number,
  json: string | undefined,
  csv: string | undefined,
): void {
  console.log('');
  console.log(formatResultsTable(results, top));
  console.log('');
  console.log(worstCaseSentence(results));
  if (json !== undefined) {
    writeJsonAtomic(json, { results });
    console.log(`wrote ${json}`);
  }
  if (csv !== undefined) {
    writeFileAtomic(csv, resultsToCsv(results));
    console.log(`wrote ${csv}`);
  }
}

type Values = Partial<Record<string, string | boolean>>;

/** `mia attack --reference`: LiRA / RMIA / Attack-R / Attack-P on signals computed elsewhere. */
async function runWithReference(values: Values): Promise<number> {
  const str = (k: string) => (typeof values[k] === 'string' ? (values[k] as string) : undefined);
  if (str('input') !== undefined) {
    throw new MiaError('E_USAGE', '--input and --reference cannot be combined', { where: 'mia attack' });
  }
  if (str('slices') !== undefined) {
    throw new MiaError('E_USAGE', '--slices needs labels, which reference signals do not carry', {
      where: 'mia attack --reference',
    });
  }
  const path = str('reference')!;
  // Every flag is parsed before the reference signals are read (runReferenceAttacks checks the names).
  const attacks = listFlag(str('attacks'), DEFAULT_REFERENCE_ATTACKS);
  const rmiaA = str('rmia-a');
  const rmiaGamma = str('rmia-gamma');
  const targetIndex = str('target-index');
  const scoresOut = str('scores-out');
  const seed = intFlag('attack', 'seed', str('seed'), 0, SEED_RANGE);
  const top = topFlag(str('top'));
  const t0 = performance.now();
  const out = await runReferenceAttacks({
    referencePath: path,
    attacks,
    seed,
    ...(rmiaA !== undefined ? { rmiaA: numberFlag('attack', 'rmia-a', rmiaA, 0) } : {}),
    ...(rmiaGamma !== undefined ? { rmiaGamma: numberFlag('attack', 'rmia-gamma', rmiaGamma, 1) } : {}),
    ...(targetIndex !== undefined ? { targetIndex: intFlag('attack', 'target-index', targetIndex, 0) } : {}),
    ...(scoresOut !== undefined ? { scoresOut } : {}),
    // Metrics need both members and non-members; without --scores-out they are the only output.
    truth: scoresOut === undefined ? 'required' : 'if-given',
  });
  console.log(
    `${path}: ${attacks.length} attacks scored in ${((performance.now() - t0) / 1000).toFixed(2)} s`,
  );
  for (const note of out.notes) console.log(`  ${note}`);
  if (scoresOut !== undefined) console.log(`wrote ${scoresOut}`);
  if (out.isMember === undefined) {
    console.log('no membership truth (target_member) in the input: scores only, no metrics.');
    if (scoresOut === undefined) {
      throw new MiaError(
        'E_USAGE',
        'without target_member there are no metrics; pass --scores-out to keep the scores',
        {
          where: path,
        },
      );
    }
    return 0;
  }
  const isMember = out.isMember;
  const mask = new Uint8Array(isMember.length).fill(1);
  const results: AttackResult[] = [];
  for (const [attack, scores] of out.scores) {
    const r = resultForSlice(
      { attack, signal: 'scaled-logit', scores },
      { feature: 'entire_dataset' },
      mask,
      isMember,
      DEFAULT_FPR_TARGETS,
    );
    if (r !== undefined) results.push(r);
  }
  report(results, top, str('json'), str('csv'));
  return 0;
}
