/** docs/attacks.md holds what a user needs of the reference attacks (issue 17 item 14). */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { referenceAttacks } from '../../src/attacks/registry.js';

const doc = readFileSync(new URL('../../docs/attacks.md', import.meta.url), 'utf8');
const section = (title: string) => {
  const i = doc.indexOf(title);
  assert.ok(i >= 0, `docs/attacks.md has "${title}"`);
  const end = doc.indexOf('\n## ', i + 1);
  return doc.slice(i, end < 0 ? undefined : end);
};

test('every reference attack of the registry has its formula in docs/attacks.md', () => {
  const formulas = section('## The formulas of the reference attacks');
  for (const a of referenceAttacks()) {
    assert.match(formulas, new RegExp(`^\\| \`${a.name}\` \\| .+ \\|$`, 'm'), `a formula row for ${a.name}`);
  }
});

test('the LiRA folder layout is documented as reference-input.ts reads it', () => {
  const layout = section('### A LiRA experiment folder');
  for (const s of ['keep.npy', 'scores/', 'last `scores/*.npy`', '--target-index', 'natural order'])
    assert.ok(layout.includes(s), `layout mentions ${s}`);
  const src = readFileSync(new URL('../../src/attacks/reference-input.ts', import.meta.url), 'utf8');
  assert.match(src, /LAST scores\/\*\.npy in name order/, 'the code still reads the last scores file');
});

test('the differences from the reference code come with measured numbers and the command that measured them', () => {
  const diff = section('### Where the code differs from the reference code');
  for (const s of ['one-sided', 'Means, not medians', 'fixed OUT variance', 'Every reference is used'])
    assert.ok(diff.includes(s), `names: ${s}`);
  assert.ok(diff.includes('bench/lira-reference-diff.py'), 'the command');
  const rows = diff.split('\n').filter((l) => /^\| (online|offline|\+)/.test(l));
  assert.equal(rows.length, 8, 'four steps per attack');
  for (const r of rows) assert.match(r, /\| 0\.\d{3} \| \d+\.\d% \| \d+\.\d% \|$/, r);
});
