import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { readRecords, recordsHtml } from '../../src/report/records.js';

const tmp = mkdtempSync(join(tmpdir(), 'mia-records-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

test('readRecords keeps the top records in risk order with their highest-ranking attack, and counts flagged members', () => {
  const path = join(tmp, 'records.csv');
  writeFileSync(
    path,
    'index,label,member,risk_rank,flagged_at_0.001,flagged_at_0.01,a_score,a_rank,b_score,b_rank\n' +
      '2,2,1,2,1,1,9,1,1,3\n0,0,1,1,1,2,5,2,8,1\n1,1,0,3,0,2,3,3,2,2\n3,0,0,4,0,0,1,4,,\n',
  );
  const s = readRecords(path, 3);
  assert.deepEqual(
    s.top.map((r) => [r.riskRank, r.index, r.member, r.attack, r.score, r.rank]),
    [
      [1, 0, true, 'b', 8, 1],
      [2, 2, true, 'a', 9, 1],
      [3, 1, false, 'b', 2, 2],
    ],
  );
  assert.deepEqual(s.fprs, ['0.001', '0.01']);
  assert.deepEqual(s.flaggedMembers, { '0.001': 2, '0.01': 2 });
  const html = recordsHtml(s, ['zero', 'one', 'two']);
  assert.match(
    html,
    /2 of the 2 members are flagged by at least one attack at 0\.1% FPR, 2 at 1%\. 2 of the 3 records/,
  );
  assert.match(html, /<td>2 \(two\)<\/td>/);
});

test('readRecords names the line of a malformed number', () => {
  const path = join(tmp, 'bad.csv');
  writeFileSync(path, 'index,label,member,risk_rank\n0,x,1,1\n');
  assert.throws(() => readRecords(path), /column 'label' is not a number/);
});
