import assert from 'node:assert/strict';
import { test } from 'node:test';
import { defineCommand, parseCommandArgs } from '../../src/cli/command.js';
import {
  bool,
  choice,
  describeRange,
  int,
  intFlag,
  list,
  num,
  numberFlag,
  SEED_RANGE,
  text,
  texts,
} from '../../src/cli/flags.js';
import { isMiaError, type MiaError } from '../../src/errors.js';

function errorOf(f: () => unknown): MiaError {
  try {
    f();
  } catch (e) {
    assert.ok(isMiaError(e), String(e));
    return e;
  }
  assert.fail('expected a MiaError');
}

const OPTIONS = {
  seed: { type: 'string' },
  top: { type: 'string', short: 't' },
  quiet: { type: 'boolean' },
  set: { type: 'string', multiple: true },
} as const;

test('parseCommandArgs takes a negative number as the value of a string option', () => {
  const { values, positionals } = parseCommandArgs(
    'x',
    ['--seed', '-1', '-t', '-3', '--set', '-0.5', '--set', '-.5', 'cfg.yaml'],
    OPTIONS,
    true,
  );
  assert.equal(values.seed, '-1');
  assert.equal(values.top, '-3');
  assert.deepEqual(values.set, ['-0.5', '-.5']);
  assert.deepEqual(positionals, ['cfg.yaml']);
  // so the range check gives the real error
  const e = errorOf(() => intFlag('x', 'seed', values.seed, 0, SEED_RANGE));
  assert.equal(e.oneLine(), '[E_USAGE] mia x: --seed must be an integer in [0, 2147483647] (found -1)');
  // `--opt=-1` keeps working; after `--` nothing is rewritten
  assert.equal(parseCommandArgs('x', ['--seed=-2'], OPTIONS).values.seed, '-2');
  const rest = parseCommandArgs('x', ['--', '--seed', '-1'], OPTIONS, true);
  assert.equal(rest.values.seed, undefined);
  assert.deepEqual(rest.positionals, ['--seed', '-1']);
});

test('parseCommandArgs still refuses flags where values belong, unknown flags and booleans with values', () => {
  for (const argv of [
    ['--seed', '--quiet'],
    ['--seed', '-x'],
    ['--seeds', '1'],
    ['--quiet', '-1'],
  ]) {
    const e = errorOf(() => parseCommandArgs('x', argv, OPTIONS));
    assert.equal(e.code, 'E_USAGE', argv.join(' '));
    assert.match(e.message, /see `mia x --help`$/);
  }
});

test('intFlag / numberFlag: the fallback when absent, else a value in range or E_USAGE naming the flag', () => {
  assert.equal(intFlag('train', 'epochs', undefined, 10, { min: 1 }), 10);
  assert.equal(intFlag('train', 'epochs', '3', 10, { min: 1 }), 3);
  assert.equal(numberFlag('train', 'lr', '0.5', 1, { min: 0, exclusiveMin: true }), 0.5);
  const cases: [() => number, string][] = [
    [() => intFlag('train', 'epochs', '0', 10, { min: 1 }), '--epochs must be an integer ≥ 1 (found 0)'],
    [() => intFlag('train', 'epochs', '', 10, { min: 1 }), '--epochs must be an integer ≥ 1 (found )'],
    [() => intFlag('train', 'epochs', '1.5', 10, { min: 1 }), '--epochs must be an integer ≥ 1 (found 1.5)'],
    [() => intFlag('train', 'top', 'abc', 10), '--top must be an integer (found abc)'],
    [
      () => numberFlag('train', 'lr', '0', 1, { min: 0, exclusiveMin: true }),
      '--lr must be a number > 0 (found 0)',
    ],
    [
      () => numberFlag('train', 'momentum', '1', 0, { min: 0, max: 1, exclusiveMax: true }),
      '--momentum must be a number in [0, 1) (found 1)',
    ],
    [
      () => numberFlag('train', 'weight-decay', '-1', 0, { min: 0 }),
      '--weight-decay must be a number ≥ 0 (found -1)',
    ],
    [() => numberFlag('train', 'lr', 'NaN', 1), '--lr must be a number (found NaN)'],
  ];
  for (const [f, line] of cases) {
    const e = errorOf(f);
    assert.equal(e.code, 'E_USAGE');
    assert.equal(e.oneLine(), `[E_USAGE] mia train: ${line}`);
  }
  assert.equal(describeRange({ max: 5, exclusiveMax: true }), '< 5');
  assert.equal(describeRange({ min: 0, max: 1, exclusiveMin: true }), 'in (0, 1]');
  assert.equal(describeRange({}), '');
});

const toy = defineCommand({
  name: 'toy',
  summary: 'a command for the parser tests',
  description: 'Does nothing.',
  positional: { name: 'file', placeholder: 'FILE.yaml', noun: 'config file' },
  flags: {
    out: text({ required: true, placeholder: 'DIR', example: 'out/', description: 'where it goes' }),
    a: text({ placeholder: 'A', description: 'one of a pair' }),
    b: text({ placeholder: 'B', description: 'the other' }),
    n: int({ default: 3, range: { min: 1 }, description: 'a count (default {default})' }),
    x: num({ requires: 'a', description: 'only with --a' }),
    kind: choice(['red', 'blue'], { default: 'red', description: 'red or blue\nsecond line' }),
    tags: list({ default: ['p', 'q'], description: 'tags (default {default})' }),
    set: texts({ placeholder: 'K=V', group: 'Overrides:', description: 'repeatable' }),
    quiet: bool({ description: 'say less' }),
  },
  oneOf: [['a', 'b']],
  run: async (args) => {
    ran.push(args);
    return 0;
  },
});
const ran: unknown[] = [];

test('defineCommand parses into typed values: defaults, lists, repeats, booleans, the positional', async () => {
  ran.length = 0;
  assert.equal(
    await toy.run(['c.yaml', '--out', 'o', '--a', 'v', '--x', '-2', '--set', 'k=1', '--set', 'j=2']),
    0,
  );
  assert.deepEqual(ran[0], {
    file: 'c.yaml',
    out: 'o',
    a: 'v',
    b: undefined,
    n: 3,
    x: -2,
    kind: 'red',
    tags: ['p', 'q'],
    set: ['k=1', 'j=2'],
    quiet: false,
  });
  await toy.run([
    'c.yaml',
    '--out',
    'o',
    '--b',
    'w',
    '--n',
    '5',
    '--kind',
    'blue',
    '--tags',
    ' s, ,t ',
    '--quiet',
  ]);
  assert.deepEqual(ran[1], {
    file: 'c.yaml',
    out: 'o',
    a: undefined,
    b: 'w',
    n: 5,
    x: undefined,
    kind: 'blue',
    tags: ['s', 't'],
    set: [],
    quiet: true,
  });
});

test('defineCommand: each user error is one line naming the command and the flag, and nothing runs', async () => {
  ran.length = 0;
  const cases: [string[], string][] = [
    [
      ['--out', 'o', '--a', 'v'],
      '[E_USAGE] mia toy: give exactly one config file; see `mia toy --help` (found none)',
    ],
    [
      ['f', 'g', '--out', 'o', '--a', 'v'],
      '[E_USAGE] mia toy: give exactly one config file; see `mia toy --help` (found f g)',
    ],
    [['f', '--a', 'v'], '[E_USAGE] mia toy: --out is required; see `mia toy --help`'],
    [['f', '--out', 'o'], '[E_USAGE] mia toy: --a (or --b) is required; see `mia toy --help`'],
    [['f', '--out', 'o', '--a', 'v', '--b', 'w'], '[E_USAGE] mia toy: --a and --b cannot be combined'],
    [['f', '--out', 'o', '--b', 'w', '--x', '1'], '[E_USAGE] mia toy: --x goes with --a'],
    [['f', '--out', 'o', '--a', 'v', '--n', '0'], '[E_USAGE] mia toy: --n must be an integer ≥ 1 (found 0)'],
    [['f', '--out', 'o', '--a', 'v', '--x', 'abc'], '[E_USAGE] mia toy: --x must be a number (found abc)'],
    [
      ['f', '--out', 'o', '--a', 'v', '--kind', 'green'],
      '[E_USAGE] mia toy: --kind must be one of red, blue (found green)',
    ],
  ];
  for (const [argv, line] of cases) {
    await assert.rejects(
      toy.run(argv),
      (e: unknown) => isMiaError(e) && e.oneLine() === line,
      argv.join(' '),
    );
  }
  await assert.rejects(toy.run(['f', '--out', 'o', '--a', 'v', '--quiet=1']), /--quiet/);
  await assert.rejects(toy.run(['f', '--out']), /see `mia toy --help`/);
  assert.equal(ran.length, 0);
});

test('the usage text is generated from the declaration: usage line, aligned flags, groups, defaults', () => {
  assert.equal(
    toy.usage(),
    [
      'usage: mia toy FILE.yaml (--a A | --b B) --out out/ [options]',
      '',
      'Does nothing.',
      '',
      '  --out DIR     where it goes',
      '  --a A         one of a pair',
      '  --b B         the other',
      '  --n N         a count (default 3)',
      '  --x X         only with --a',
      '  --kind NAME   red or blue',
      '                second line',
      '  --tags LIST   tags (default p,q)',
      '',
      'Overrides:',
      '  --set K=V     repeatable',
      '  --quiet       say less',
    ].join('\n'),
  );
  const one = defineCommand({
    name: 'one',
    summary: 's',
    description: 'd',
    flags: { json: text({ placeholder: 'FILE', example: 'out.json', description: 'j' }) },
    epilog: 'After.',
    run: async () => 0,
  });
  assert.equal(one.usage(), 'usage: mia one [--json out.json]\n\nd\n\n  --json FILE   j\n\nAfter.');
});
