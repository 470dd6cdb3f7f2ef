import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatLocation, isMiaError, MiaError } from '../src/errors.js';

test('formatLocation: file:line:column, file:line, file:key, file, key; the key yields to a line', () => {
  assert.equal(formatLocation({ file: 'c.yaml', key: 'target.epochs', line: 6, column: 3 }), 'c.yaml:6:3');
  assert.equal(formatLocation({ file: 'results.json', line: 2, column: 1 }), 'results.json:2:1');
  assert.equal(formatLocation({ file: 'r.csv', line: 4 }), 'r.csv:4');
  assert.equal(formatLocation({ file: 'run.npz', key: 'loss_test' }), 'run.npz:loss_test');
  assert.equal(formatLocation({ file: 'run.npz' }), 'run.npz');
  assert.equal(formatLocation({ key: 'target.epochs' }), 'target.epochs');
  assert.equal(
    formatLocation({ file: 'a.json', column: 3 }),
    'a.json',
    'a column without a line is left out',
  );
  assert.equal(formatLocation({}), '');
});

test('MiaError keeps a location object and its formatted where; a string where has no location', () => {
  const at = { file: 'run.npz', key: 'loss_test' };
  const e = new MiaError('E_VALUE', 'loss is negative', { where: at, expected: 'losses ≥ 0' });
  assert.deepEqual(e.location, { file: 'run.npz', key: 'loss_test' });
  assert.notEqual(e.location, at, 'a copy: changing the caller’s object does not move the error');
  assert.equal(e.where, 'run.npz:loss_test');
  assert.equal(e.oneLine(), '[E_VALUE] run.npz:loss_test: loss is negative (expected losses ≥ 0)');
  const s = new MiaError('E_USAGE', 'bad flag', { where: '--set target.epochs' });
  assert.equal(s.where, '--set target.epochs');
  assert.equal(s.location, undefined);
  assert.equal(s.oneLine(), '[E_USAGE] --set target.epochs: bad flag');
  const none = new MiaError('E_ARGUMENT', 'k must be ≥ 0');
  assert.equal(none.where, undefined);
  assert.equal(none.location, undefined);
  const empty = new MiaError('E_ARGUMENT', 'nowhere', { where: {} });
  assert.equal(empty.where, undefined, 'an empty location writes no where');
  assert.equal(empty.oneLine(), '[E_ARGUMENT] nowhere');
  assert.ok(isMiaError(e));
});
