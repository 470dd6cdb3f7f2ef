import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadCsvDataset, parseNumberField } from '../../src/data/tabular.js';
import { rejectsMia, tempDir } from './helpers.js';

function withCsv(files: Record<string, string>, fn: (dir: string) => Promise<void> | void) {
  return async () => {
    const t = tempDir('csv');
    try {
      for (const [name, text] of Object.entries(files)) {
        mkdirSync(join(t.dir, name, '..'), { recursive: true });
        writeFileSync(join(t.dir, name), text);
      }
      await fn(t.dir);
    } finally {
      t.cleanup();
    }
  };
}

test(
  'the "label" column wherever it stands; features in column order; one-hot columns are numbers',
  withCsv({ 'a.csv': 'f1,label,f2,oh_a,oh_b\n0.5,1,-2,1,0\n1e3,0,3.25,0,1\n' }, (dir) => {
    const { train, test: t } = loadCsvDataset(join(dir, 'a.csv'));
    assert.equal(t, undefined);
    assert.equal(train.n, 2);
    assert.deepEqual(train.shape, [4]);
    assert.deepEqual([...train.x], [0.5, -2, 1, 0, 1000, 3.25, 0, 1]);
    assert.deepEqual([...train.y], [1, 0]);
    assert.equal(train.numClasses, 2);
    assert.deepEqual(train.classNames, ['0', '1']);
    assert.equal(train.name, 'a.csv');
    assert.ok(train.source.includes("label column 'label'"));
  }),
);

test(
  'no "label" column: the last column; a named column when asked; Purchase-100 style labels 1..k become 0..k-1',
  withCsv({ 'p.csv': 'a,b,class\n1,0,100\n0,1,1\n1,1,7\n' }, (dir) => {
    const last = loadCsvDataset(join(dir, 'p.csv'));
    assert.deepEqual([...last.train.y], [2, 0, 1]);
    assert.deepEqual(last.train.classNames, ['1', '7', '100']); // numeric order, not string order
    const named = loadCsvDataset(join(dir, 'p.csv'), 'a');
    assert.deepEqual([...named.train.y], [1, 0, 1]);
    assert.deepEqual([...named.train.x], [0, 100, 1, 1, 1, 7]);
  }),
);

test(
  'string labels are sorted and numbered; a folder with train.csv and test.csv shares one class map',
  withCsv({ 'd/train.csv': 'x,label\n1,cat\n2,dog\n', 'd/test.csv': 'x,label\n3,bird\n4,cat\n' }, (dir) => {
    const r = loadCsvDataset(join(dir, 'd'));
    assert.ok(r.test !== undefined);
    assert.deepEqual(r.train.classNames, ['bird', 'cat', 'dog']);
    assert.deepEqual([...r.train.y], [1, 2]);
    assert.deepEqual([...r.test.y], [0, 1]);
    assert.equal(r.test.split, 'test');
    assert.equal(r.test.numClasses, 3);
  }),
);

test(
  'bad numbers are one-line errors with file:line and column; nan/inf are E_NOT_FINITE',
  withCsv(
    {
      'bad.csv': 'f1,f2,label\n1,2,0\n"3",x7,1\n',
      'empty.csv': 'f1,label\n1,0\n\n,1\n',
      'nan.csv': 'f1,label\n1,0\nNaN,1\n',
      'one.csv': 'label\n1\n',
      'rows.csv': 'f,label\n',
      'd/train.csv': 'a,label\n1,0\n',
      'd/test.csv': 'b,label\n1,0\n',
    },
    async (dir) => {
      await rejectsMia(() => loadCsvDataset(join(dir, 'bad.csv')), 'E_CSV', 'bad.csv:3', "'f2'", '"x7"');
      await rejectsMia(() => loadCsvDataset(join(dir, 'empty.csv')), 'E_CSV', 'empty.csv:4', 'empty field');
      await rejectsMia(() => loadCsvDataset(join(dir, 'nan.csv')), 'E_NOT_FINITE', 'nan.csv:3');
      await rejectsMia(() => loadCsvDataset(join(dir, 'one.csv')), 'E_CSV', 'one.csv:1');
      await rejectsMia(() => loadCsvDataset(join(dir, 'rows.csv')), 'E_EMPTY', 'rows.csv');
      await rejectsMia(() => loadCsvDataset(join(dir, 'd')), 'E_CSV', 'test.csv:1', 'header differs');
      await rejectsMia(() => loadCsvDataset(join(dir, 'bad.csv'), 'y'), 'E_MISSING_FIELD', "'y'");
      await rejectsMia(() => loadCsvDataset(join(dir, 'none.csv')), 'E_IO', 'none.csv');
    },
  ),
);

test('parseNumberField accepts decimal notation only', async () => {
  assert.equal(parseNumberField(' -1.5e2 ', 'w', 'c'), -150);
  assert.equal(parseNumberField('.5', 'w', 'c'), 0.5);
  assert.equal(parseNumberField('7.', 'w', 'c'), 7);
  await rejectsMia(() => parseNumberField('0x10', 'f.csv:2', 'c'), 'E_CSV', 'f.csv:2');
  await rejectsMia(() => parseNumberField('1,5', 'w', 'c'), 'E_CSV');
  await rejectsMia(() => parseNumberField('-inf', 'w', 'c'), 'E_NOT_FINITE');
  await rejectsMia(() => parseNumberField('1e999', 'w', 'c'), 'E_NOT_FINITE');
});
