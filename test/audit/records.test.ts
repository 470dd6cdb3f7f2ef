import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { AttackScores } from '../../src/attacks/registry.js';
import { buildRecords, descendingRanks, recordsCsv } from '../../src/audit/records.js';
import { fakeResult, tprEntry } from './helpers.js';

test('descendingRanks: 1 for the highest, ties share the rank, NaN gets 0', () => {
  assert.deepEqual([...descendingRanks(Float64Array.of(0.2, 0.9, Number.NaN, 0.9, 0.1))], [3, 1, 0, 1, 4]);
});

const withThreshold = (attack: string, t01: number, t001: number) =>
  fakeResult(attack, 0.7, 0.1, {
    tprAtFpr: {
      '0.01': { ...tprEntry(0.1, 0, 1, false), threshold: t01 },
      '0.001': { ...tprEntry(0.05, 0, 1, false), threshold: t001 },
    },
  });

test('buildRecords counts the attacks that flag each sample per FPR and ranks by agreement at the lowest FPR first', () => {
  const scores: AttackScores[] = [
    { attack: 'a', signal: 's', scores: Float64Array.of(5, 3, 9, 1) },
    { attack: 'b', signal: 's', scores: Float64Array.of(8, 2, 1, Number.NaN) },
  ];
  const results = [withThreshold('a', 3, 9), withThreshold('b', 2, 8)];
  const rows = buildRecords(
    scores,
    Uint8Array.of(1, 0, 1, 0),
    Int32Array.of(0, 1, 2, 0),
    results,
    [0.01, 0.001],
  );
  // sample 0: a 5 ≥ 3, b 8 ≥ 2 and ≥ 8 → flagged 2 at 1%, 1 at 0.1%; sample 2: a 9 ≥ 3 and ≥ 9 → 1 and 1;
  // sample 1: a 3 ≥ 3, b 2 ≥ 2 → 2 at 1%, 0 at 0.1%; sample 3: none
  assert.deepEqual(
    rows.map((r) => [r.index, r.riskRank, r.flagged['0.001'], r.flagged['0.01']]),
    [
      [0, 1, 1, 2],
      [2, 2, 1, 1],
      [1, 3, 0, 2],
      [3, 4, 0, 0],
    ],
  );
  const csv = recordsCsv(rows, ['a', 'b'], [0.01, 0.001]).split('\n');
  assert.equal(
    csv[0],
    'index,label,member,risk_rank,flagged_at_0.001,flagged_at_0.01,a_score,a_rank,b_score,b_rank',
  );
  assert.equal(csv[1], '0,0,1,1,1,2,5,2,8,1');
  assert.equal(csv[4], '3,0,0,4,0,0,1,4,,');
});
