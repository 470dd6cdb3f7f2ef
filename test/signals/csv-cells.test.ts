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
