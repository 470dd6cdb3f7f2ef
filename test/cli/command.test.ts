import assert from 'node:assert/strict';
import { test } from 'node:test';
import { describeRange, intFlag, numberFlag, parseCommandArgs, SEED_RANGE } from '../../src/cli/command.js';
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
