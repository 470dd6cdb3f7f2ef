import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { isMiaError } from '../../src/errors.js';
import { loadAttackInput } from '../../src/signals/attack-input-files.js';

const tmp = mkdtempSync(join(tmpdir(), 'mia-csv-cells-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

function csv(name: string, text: string): string {
  const p = join(tmp, name);
  writeFileSync(p, text);
  return p;
}
const GOOD = 'split,label,logits_0,logits_1\ntrain,0,1,0\ntest,1,0,1\n';

test('a numeric cell that is not a plain decimal is rejected at file:line:column', () => {
  assert.equal(loadAttackInput(csv('good.csv', GOOD)).members.n, 1);
  for (const cell of ['0x10', '1e', '', ' 1']) {
    const p = csv('bad.csv', `split,label,logits_0,logits_1\ntrain,0,1,0\ntest,1,${cell},1\n`);
    assert.throws(
      () => loadAttackInput(p),
      (e) => isMiaError(e) && e.code === 'E_CSV' && e.where === `${p}:3:3`,
      `cell ${JSON.stringify(cell)}`,
    );
  }
  for (const cell of ['NaN', 'Infinity', '-inf']) {
    const p = csv('nan.csv', `split,label,logits_0,logits_1\ntrain,0,1,0\ntest,1,0,${cell}\n`);
    assert.throws(
      () => loadAttackInput(p),
      (e) => isMiaError(e) && e.code === 'E_NOT_FINITE' && e.where === `${p}:3:4`,
      cell,
    );
  }
});

test('logits columns that skip an index are an error naming the missing column', () => {
  const p = csv('gap.csv', 'split,label,logits_0,logits_1,logits_3\ntrain,0,1,0,0\ntest,1,0,1,0\n');
  assert.throws(
    () => loadAttackInput(p),
    (e) => isMiaError(e) && e.code === 'E_CSV' && /'logits_2' is missing/.test(e.message),
  );
});

test('probs columns that skip an index are refused at line 1 of the file, as logits columns are', () => {
  const p = csv('pgap.csv', 'split,label,probs_0,probs_2\ntrain,0,0.5,0.5\ntest,1,0.5,0.5\n');
  assert.throws(
    () => loadAttackInput(p),
    (e) =>
      isMiaError(e) && e.code === 'E_CSV' && e.where === `${p}:1` && /'probs_1' is missing/.test(e.message),
  );
});

test('a CSV with both logits and probs: agreeing columns are read and the note says the logits are used; disagreeing ones are refused', () => {
  const sm = (a: number, b: number) => [
    Math.exp(a) / (Math.exp(a) + Math.exp(b)),
    Math.exp(b) / (Math.exp(a) + Math.exp(b)),
  ];
  const row = (split: string, label: number, z: [number, number], p: number[]) =>
    `${split},${label},${z[0]},${z[1]},${p.map((v) => v.toFixed(6)).join(',')}`;
  const head = 'split,label,logits_0,logits_1,probs_0,probs_1';
  const good = csv(
    'both.csv',
    [head, row('train', 0, [2, 0], sm(2, 0)), row('test', 1, [0, 1], sm(0, 1))].join('\n'),
  );
  const input = loadAttackInput(good);
  assert.equal(input.members.numClasses, 2);
  assert.ok(input.members.logits !== undefined);
  assert.equal(input.notes?.length, 1);
  assert.match(input.notes![0]!, /both logits and probs; they agree .* the logits are used/);
  // probs of the test row swapped: not softmax(logits), refused naming both arrays
  const bad = csv(
    'both-bad.csv',
    [head, row('train', 0, [2, 0], sm(2, 0)), row('test', 1, [0, 1], sm(1, 0))].join('\n'),
  );
  assert.throws(
    () => loadAttackInput(bad),
    (e) => isMiaError(e) && e.code === 'E_PROBS_SUM' && e.where === `${bad}:logits_test+probs_test`,
  );
  // different numbers of logits and probs columns
  const odd = csv('both-odd.csv', 'split,label,logits_0,logits_1,probs_0\ntrain,0,1,0,1\ntest,1,0,1,1\n');
  assert.throws(
    () => loadAttackInput(odd),
    (e) => isMiaError(e) && e.code === 'E_CSV' && /2 logits columns but 1 probs/.test(e.message),
  );
});
