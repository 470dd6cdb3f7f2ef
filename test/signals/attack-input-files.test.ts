import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { isMiaError, type MiaErrorCode } from '../../src/errors.js';
import { type NpyArray, npyArray } from '../../src/io/npy.js';
import { writeNpz } from '../../src/io/npz.js';
import { loadAttackInput } from '../../src/signals/attack-input-files.js';

const dir = mkdtempSync(join(tmpdir(), 'mia-attack-input-files-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function fails(path: string, code: MiaErrorCode, line: RegExp): void {
  assert.throws(
    () => loadAttackInput(path),
    (e: unknown) => {
      assert.ok(isMiaError(e), String(e));
      assert.equal(e.code, code, e.oneLine());
      assert.match(e.oneLine(), line);
      assert.ok(!e.oneLine().includes('\n'));
      return true;
    },
  );
}

// 3 classes, 2 members and 2 non-members
const logits = (): Record<string, NpyArray> => ({
  logits_train: npyArray(Float64Array.from([2, 0, 0, 0, 3, 0]), [2, 3]),
  logits_test: npyArray(Float64Array.from([0, 0, 1, 1, 0, 0]), [2, 3]),
});
function npz(name: string, arrays: Record<string, NpyArray>): string {
  const p = join(dir, name);
  writeNpz(p, arrays);
  return p;
}

test('.npz labels must be integers: a bool array and non-integer floats are refused naming array and dtype', () => {
  fails(
    npz('bool.npz', {
      ...logits(),
      labels_train: npyArray(Uint8Array.from([1, 0]), [2], 'bool'),
      labels_test: npyArray(Int32Array.from([0, 2]), [2]),
    }),
    'E_NPY_DTYPE',
    /bool\.npz:labels_train: labels must be integer class indices, not a bool array.*found dtype bool/,
  );
  fails(
    npz('float.npz', {
      ...logits(),
      labels_train: npyArray(Int32Array.from([0, 1]), [2]),
      labels_test: npyArray(Float64Array.from([0, 2.5]), [2]),
    }),
    'E_NPY_DTYPE',
    /float\.npz:labels_test: labels must be integer class indices; entry 1 is 2\.5.*found dtype float64/,
  );
  // floats holding integers (labels saved as 2.0) are accepted, as are integer dtypes
  const ok = loadAttackInput(
    npz('float-int.npz', {
      ...logits(),
      labels_train: npyArray(Float32Array.from([0, 1]), [2]),
      labels_test: npyArray(BigInt64Array.from([0n, 2n]), [2], 'int64'),
    }),
  );
  assert.deepEqual([...ok.members.labels], [0, 1]);
  assert.deepEqual([...ok.nonMembers.labels], [0, 2]);
});

test('.csv: a label that is not a class index and a negative loss name file:line', () => {
  const header = 'split,label,loss,logits_0,logits_1\n';
  const csv = (rows: string) => {
    const p = join(dir, `c${Math.random().toString(36).slice(2)}.csv`);
    writeFileSync(p, header + rows);
    return p;
  };
  fails(
    csv('train,0,0.1,1,0\ntrain,1,0.2,0,1\ntest,3.5,0.3,1,0\ntest,0,0.4,0,1\n'),
    'E_LABEL_RANGE',
    /c\w+\.csv:4: column 'label' must be a class index, found '3\.5' \(expected an integer in \[0, 2\)/,
  );
  fails(
    csv('train,0,0.1,1,0\ntrain,1,0.2,0,1\n\ntest,1,0.3,1,0\ntest,2,0.4,0,1\n'),
    'E_LABEL_RANGE',
    /c\w+\.csv:6: .*found '2'/,
  );
  fails(
    csv('train,0,0.1,1,0\ntrain,1,-0.2,0,1\ntest,0,0.3,1,0\ntest,0,0.4,0,1\n'),
    'E_VALUE',
    /c\w+\.csv:3: loss -0\.2 is negative/,
  );
});

test('.json with Python NaN / Infinity says they are not JSON and not allowed, with the key', () => {
  const write = (name: string, text: string) => {
    const p = join(dir, name);
    writeFileSync(p, text);
    return p;
  };
  const body = (bad: string) =>
    `{"logits_train": [[1, 0], [0, 1]], "logits_test": [[1, 0], [${bad}, 1]],\n "labels_train": [0, 1], "labels_test": [0, 1]}`;
  fails(
    write('nan.json', body('NaN')),
    'E_NOT_FINITE',
    /nan\.json:1:\d+: logits_test holds NaN .*not JSON and not allowed: the values must be finite numbers/,
  );
  fails(
    write('ninf.json', body('-Infinity')),
    'E_NOT_FINITE',
    /ninf\.json:1:\d+: logits_test holds -Infinity/,
  );
  // other syntax errors stay syntax errors
  fails(write('bad.json', body('x')), 'E_JSON', /bad\.json:1:\d+: invalid JSON/);
});
