// The results table of `mia attack` / `mia audit`: each TPR at an FPR target with its 95% interval,
// the point estimates, lower and upper bounds each aligned down their column.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { AttackResult } from '../../src/audit/run-attacks.js';
import { formatResultsTable } from '../../src/cli/format-results.js';
import { tprEntry } from '../audit/helpers.js';
import { reportResult } from '../report/fixture.js';

const row = (attack: string, auc: number, tpr: [number, number, number, boolean]) =>
  reportResult(attack, auc, { '0.01': tprEntry(...tpr) }) as unknown as AttackResult;

test('the results table shows every TPR with its 95% interval, columns aligned', () => {
  const table = formatResultsTable(
    [
      row('rmia', 0.66, [0.088, 0.0712, 0.1074, false]),
      row('loss', 0.58, [0.01, 0.0048, 0.0183, false]),
      row('lira', 0.69, [0.156, 0.1342, 0.1793, true]),
    ],
    10,
  );
  const lines = table.split('\n').slice(1); // after the "Entire dataset" title
  assert.match(lines[0]!, /AUC 95% CI {2}advantage {2,}TPR@1\.0% \[95% CI\]$/);
  const rows = lines.slice(2, 5);
  // highest AUC first; the TPR column is the last `w` characters of each line
  const w = '15.6%* [13.4%, 17.9%]'.length;
  assert.deepEqual(
    rows.map((l) => l.slice(-w)),
    ['15.6%* [13.4%, 17.9%]', '  8.8% [ 7.1%, 10.7%]', '  1.0% [0.48%,  1.8%]'],
  );
  assert.deepEqual(
    rows.map((l) => l.split(' ')[0]),
    ['lira', 'rmia', 'loss'],
  );
  for (const l of rows) assert.equal(l.length, lines[0]!.length, l);
  assert.match(table, /\* fewer than 10 non-member false positives/);
});
