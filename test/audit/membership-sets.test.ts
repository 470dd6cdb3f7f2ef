import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { readMembershipSet } from '../../src/audit/membership-sets.js';
import { isMiaError } from '../../src/errors.js';
import { npyArray } from '../../src/io/npy.js';
import { writeNpz } from '../../src/io/npz.js';

const tmp = mkdtempSync(join(tmpdir(), 'mia-msets-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

function privateSet(name: string, ids: number[]): string {
  const n = ids.length;
  const path = join(tmp, name);
  writeNpz(path, {
    x: npyArray(
      Float32Array.from({ length: n * 3 }, (_, i) => i / 10),
      [n, 3],
    ),
    y: npyArray(
      Int32Array.from({ length: n }, (_, i) => i % 2),
      [n],
    ),
    id: npyArray(Int32Array.from(ids), [n]),
  });
  return path;
}

test('a private set keeps its ids, in order', () => {
  const set = readMembershipSet(privateSet('ok.npz', [7, 3, 10]), 'private');
  assert.deepEqual(set.ids, ['7', '3', '10']);
  assert.deepEqual(set.shape, [3]);
  assert.equal(set.member, undefined);
});

test('a repeated id is E_VALUE naming file:id and the id (scores.csv would hold it twice)', () => {
  const path = privateSet('dup.npz', [5, 8, 9, 8, 5]);
  assert.throws(
    () => readMembershipSet(path, 'private'),
    (e: unknown) => {
      assert.ok(isMiaError(e));
      assert.equal(e.code, 'E_VALUE');
      assert.equal(e.where, `${path}:id`);
      assert.equal(
        e.oneLine(),
        `[E_VALUE] ${path}:id: id 8 is repeated (samples 1 and 3) (expected one id per sample, all different, found 8 twice)`,
      );
      return true;
    },
  );
});
