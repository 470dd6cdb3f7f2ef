import { DEFAULT_OUTPUT_ATTACKS, outputAttackNames } from '../attacks/registry.js';
import { runOutputAttacks } from '../audit/run-attacks.js';
import { writeFileAtomic, writeJsonAtomic } from '../io/atomic.js';
import { parseSliceFamily, SLICE_FAMILIES } from '../metrics/slicing.js';
import { loadAttackInput } from '../signals/attack-input-files.js';
import { type CliCommand, intFlag, listFlag, parseCommandArgs } from './command.js';
import { formatResultsTable, resultsToCsv, worstCaseSentence } from './format-results.js';

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
  --top N           rows of the summary table (default 25)`;

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
    });
    if (values.input === undefined) {
      const { MiaError } = await import('../errors.js');
      throw new MiaError('E_USAGE', '--input is required; see `mia attack --help`', { where: 'mia attack' });
    }
    const seed = intFlag('attack', 'seed', values.seed, 0);
    const top = intFlag('attack', 'top', values.top, 25);
    const attacks = listFlag(values.attacks, DEFAULT_OUTPUT_ATTACKS);
    const slices = listFlag(values.slices, SLICE_FAMILIES).map(parseSliceFamily);
    const input = loadAttackInput(values.input);
    console.log(
      `${values.input}: ${input.members.n} members, ${input.nonMembers.n} non-members, ${input.members.numClasses} classes`,
    );
    const { results } = runOutputAttacks(input, {
      attacks,
      slices,
      seed,
      onAttack: (name, s) => console.log(`  ${name.padEnd(28)} ${s.toFixed(2)} s`),
    });
    console.log('');
    console.log(formatResultsTable(results, top));
    console.log('');
    console.log(worstCaseSentence(results));
    if (values.json !== undefined) {
      writeJsonAtomic(values.json, { results });
      console.log(`wrote ${values.json}`);
    }
    if (values.csv !== undefined) {
      writeFileAtomic(values.csv, resultsToCsv(results));
      console.log(`wrote ${values.csv}`);
    }
    return 0;
  },
};
