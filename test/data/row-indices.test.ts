import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { checkDisjointRows, defaultNonMembers, readRowIndices } from '../../src/data/row-indices.js';
import { isMiaError } from '../../src/errors.js';
import { npyArray, writeNpy } from '../../src/io/npy.js';

const dir = mkdtempSync(join(tmpdir(), 'mia-row-indices-'));
function file(name: string, values: number[]): string {
  const path = join(dir, name);
  writeNpy(path, npyArray(Int32Array.from(values), [values.length]));
  return path;
}
const code = (c: string) => (e: unknown) => isMiaError(e) && e.code === c;

test('readRowIndices: rows in [0, n), each once, at least one; errors name the file and the split', () => {
  assert.deepEqual(Array.from(readRowIndices(file('ok.npy', [3, 0, 2]), 4, 'train')), [3, 0, 2]);
  assert.throws(
    () => readRowIndices(file('out.npy', [0, 4]), 4, 'test'),
    (e: unknown) =>
      code('E_SHAPE_MISMATCH')(e) &&
      /index 4 at position 1 is outside the test split's \[0, 4\)/.test(String(e)),
  );
  assert.throws(
    () => readRowIndices(file('twice.npy', [1, 2, 1]), 4, 'train'),
    (e: unknown) =>
      code('E_VALUE')(e) && /train row 1 is listed twice \(positions 0 and 2\)/.test(String(e)),
  );
  assert.throws(() => readRowIndices(file('none.npy', []), 4, 'train'), code('E_EMPTY'));
});

test('checkDisjointRows names the first shared row in non-member order', () => {
  const ctx = { where: 'here', expected: 'no shared row' };
  checkDisjointRows(Int32Array.from([0, 1]), 'm', Int32Array.from([2, 3]), 'nm', ctx);
  assert.throws(
    () => checkDisjointRows(Int32Array.from([5, 1, 3]), 'm.npy', Int32Array.from([0, 3, 1]), 'nm.npy', ctx),
    (e: unknown) =>
      code('E_VALUE')(e) &&
      (e as { message: string }).message.startsWith(
        'train row 3 is both a member (m.npy, position 2) and a non-member (nm.npy, position 1)',
      ),
  );
});

test('defaultNonMembers: the first rows of the test split, or the first non-member rows of train', () => {
  const members = Int32Array.from([4, 0, 2]);
  assert.deepEqual(Array.from(defaultNonMembers(members, 10, 'test')), [0, 1, 2]);
  assert.deepEqual(Array.from(defaultNonMembers(members, 2, 'test')), [0, 1]);
  assert.deepEqual(Array.from(defaultNonMembers(members, 10, 'train')), [1, 3, 5]);
  assert.deepEqual(Array.from(defaultNonMembers(members, 5, 'train')), [1, 3]);
});
