/**
 * `mia attack --input outputs.npz`: the output attacks (threshold and trained, src/attacks/registry.ts)
 * on one model's outputs, sliced; `mia attack --reference reference.npz`: LiRA, RMIA and Attack-R/P on
 * reference models' signals computed elsewhere (src/audit/reference-attacks.ts).
 */
import { DEFAULT_OUTPUT_ATTACKS, outputAttackNames } from '../attacks/registry.js';
import { checkOutputAttacks, checkTrainedAttackSizes } from '../audit/output-attack-checks.js';
import {
  DEFAULT_REFERENCE_ATTACKS,
  REFERENCE_ATTACKS,
  runReferenceAttacks,
} from '../audit/reference-attacks.js';
import type { AttackResult } from '../audit/run-attacks.js';
import { stdoutLogger } from '../core/logger.js';
import { MiaError } from '../errors.js';
import { writeFileAtomic, writeJsonAtomic } from '../io/atomic.js';
import { outputName } from '../io/output-target.js';
import { parseSliceFamily, SLICE_FAMILIES } from '../metrics/slicing.js';
import { defineCommand } from './command.js';
import { type FlagValues, int, list, num, SEED_RANGE, text } from './flags.js';
import { formatResultsTable, resultsToCsv, worstCaseSentence } from './format-results.js';

const REFERENCE = 'With reference models (signals computed elsewhere, e.g. by the LiRA reference code):';

const flags = {
  input: text({
    placeholder: 'FILE',
    example: 'run.npz',
    description: `.npz (TF Privacy keys: logits_train, logits_test, probs_train, probs_test,
loss_train, loss_test, labels_train, labels_test; preds_train, preds_test for
label-gap), .json with the same keys,
or .csv (columns split, label, [loss], logits_0.. or probs_0..)`,
  }),
  attacks: list({
    description: () => `comma-separated (default: ${DEFAULT_OUTPUT_ATTACKS.join(',')})
known: ${outputAttackNames().join(', ')}
with --reference: from ${REFERENCE_ATTACKS.join(', ')}
(default: those of ${DEFAULT_REFERENCE_ATTACKS.join(',')} the input supports)`,
  }),
  slices: list({ description: `comma-separated from ${SLICE_FAMILIES.join(', ')} (default: all)` }),
  json: text({ placeholder: 'FILE', output: 'file', description: 'write every result as JSON (- = stdout)' }),
  csv: text({ placeholder: 'FILE', output: 'file', description: 'write every result as CSV (- = stdout)' }),
  seed: int({ default: 0, range: SEED_RANGE, description: 'seed for trained attacks (default {default})' }),
  top: int({
    default: 25,
    check: (n) => (n >= 1 ? undefined : 'must be at least 1'),
    description: 'rows of the summary table (default {default})',
  }),
  reference: text({
    group: REFERENCE,
    placeholder: 'FILE',
    example: 'reference.npz',
    description: `reference.npz (keys keep [M,N], scores [M,N(,A)], target_scores [N(,A)],
optional target_member [N], pop_scores [M,Z], pop_target_scores [Z]) or a LiRA
experiment folder (per model keep.npy and scores/*.npy); replaces --input`,
  }),
  'rmia-a': num({
    requires: 'reference',
    placeholder: 'A',
    description: 'offline RMIA coefficient in [0, 1] (default: tuned on a reference model)',
  }),
  'rmia-gamma': num({
    requires: 'reference',
    placeholder: 'G',
    description: 'RMIA likelihood-ratio factor γ (default 1)',
  }),
  'target-index': int({
    requires: 'reference',
    placeholder: 'K',
    description: 'LiRA folders: which model is the target (default 0)',
  }),
  'scores-out': text({
    requires: 'reference',
    placeholder: 'FILE',
    output: 'file',
    description: "write each attack's per-sample scores (.npz, one array per attack)",
  }),
};

type AttackArgs = FlagValues<typeof flags>;

export const attackCommand = defineCommand({
  name: 'attack',
  summary:
    'run membership inference attacks on exported model outputs (.npz/.csv/.json) or reference signals',
  description:
    "Runs membership inference attacks on a model's outputs on members (*_train) and non-members (*_test).",
  flags,
  oneOf: [['input', 'reference']],
  async run(args) {
    if (args.reference !== undefined) return runWithReference(args, args.reference);
    const path = args.input!;
    // Every flag is checked before the input is read (a typo fails at once, before a long load).
    const attacks = checkOutputAttacks(
      args.attacks ?? [...DEFAULT_OUTPUT_ATTACKS],
      'mia attack',
      '--attacks',
    );
    const slices = (args.slices ?? [...SLICE_FAMILIES]).map(parseSliceFamily);
    const { loadAttackInput } = await import('../signals/attack-input-files.js');
    const { runOutputAttacks } = await import('../audit/run-attacks.js');
    const input = loadAttackInput(path);
    checkTrainedAttackSizes(attacks, input.members.n, input.nonMembers.n, path);
    console.log(
      `${path}: ${input.members.n} members, ${input.nonMembers.n} non-members, ${input.members.numClasses} classes`,
    );
    for (const note of input.notes ?? []) console.log(`  ${note}`);
    const { results } = runOutputAttacks(input, {
      attacks,
      slices,
      seed: args.seed,
      logger: stdoutLogger,
    });
    report(results, args);
    return 0;
  },
});

/** The summary table and worst case on stdout, and the --json / --csv files. */
function report(results: AttackResult[], args: AttackArgs): void {
  console.log('');
  console.log(formatResultsTable(results, args.top));
  console.log('');
  console.log(worstCaseSentence(results));
  if (args.json !== undefined) {
    writeJsonAtomic(args.json, { results });
    console.log(`wrote ${outputName(args.json)}`);
  }
  if (args.csv !== undefined) {
    writeFileAtomic(args.csv, resultsToCsv(results));
    console.log(`wrote ${outputName(args.csv)}`);
  }
}

/** `mia attack --reference`: LiRA / RMIA / Attack-R / Attack-P on signals computed elsewhere. */
async function runWithReference(args: AttackArgs, path: string): Promise<number> {
  if (args.slices !== undefined) {
    throw new MiaError('E_USAGE', '--slices needs labels, which reference signals do not carry', {
      where: 'mia attack --reference',
    });
  }
  // Every flag is parsed before the reference signals are read (runReferenceAttacks checks the names).
  const scoresOut = args['scores-out'];
  const t0 = performance.now();
  const out = await runReferenceAttacks({
    referencePath: path,
    ...(args.attacks !== undefined ? { attacks: args.attacks } : {}),
    seed: args.seed,
    ...(args['rmia-a'] !== undefined ? { rmiaA: args['rmia-a'] } : {}),
    ...(args['rmia-gamma'] !== undefined ? { rmiaGamma: args['rmia-gamma'] } : {}),
    ...(args['target-index'] !== undefined ? { targetIndex: args['target-index'] } : {}),
    ...(scoresOut !== undefined ? { scoresOut } : {}),
    // Metrics need both members and non-members; without --scores-out they are the only output.
    truth: scoresOut === undefined ? 'required' : 'if-given',
  });
  console.log(
    `${path}: ${out.scores.size} attacks scored in ${((performance.now() - t0) / 1000).toFixed(2)} s`,
  );
  for (const note of out.notes) console.log(`  ${note}`);
  if (scoresOut !== undefined) console.log(`wrote ${outputName(scoresOut)}`);
  if (out.isMember === undefined) {
    console.log('no membership truth (target_member) in the input: scores only, no metrics.');
    if (scoresOut === undefined) {
      throw new MiaError(
        'E_USAGE',
        'without target_member there are no metrics; pass --scores-out to keep the scores',
        { where: path },
      );
    }
    return 0;
  }
  const { entireDatasetResult } = await import('../audit/entire-dataset-result.js');
  const results: AttackResult[] = [];
  for (const [attack, scores] of out.scores) {
    const r = entireDatasetResult({ attack, signal: 'scaled-logit', scores }, out.isMember);
    if (r !== undefined) results.push(r);
  }
  report(results, args);
  return 0;
}
