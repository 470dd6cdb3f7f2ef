import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { evaluateScores } from '../../src/audit/evaluate-scores.js';
import { evaluateCommand } from '../../src/cli/evaluate.js';
import { MiaError } from '../../src/errors.js';
import { joinScoresAndTruth } from '../../src/signals/predictions.js';

const dir = mkdtempSync(join(tmpdir(), 'mia-evaluate-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function fails(f: () => unknown, code: string, line: RegExp): void {
  assert.throws(f, (e: unknown) => {
    if (!(e instanceof MiaError)) return false;
    assert.equal(e.code, code, e.oneLine());
    assert.match(e.oneLine(), line);
    return true;
  });
}

test('joins on id in any order; member as 1/0/true/false', () => {
  const j = joinScoresAndTruth(
    'id,score\nc,0.35\na,0.1\nd,0.8\nb,0.4\n',
    'member,id\n0,a\nFALSE,b\n1,c\ntrue,d\n',
    's.csv',
    't.csv',
  );
  assert.deepEqual(Array.from(j.scores), [0.1, 0.4, 0.35, 0.8]);
  assert.deepEqual(Array.from(j.isMember), [0, 0, 1, 1]);
  const r = evaluateScores(j);
  // sklearn.metrics.roc_auc_score([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]) = 0.75
  assert.equal(r.auc, 0.75);
  assert.equal(r.nMembers, 2);
  assert.equal(r.nNonMembers, 2);
  assert.deepEqual(Object.keys(r.tprAtFpr), ['0.001', '0.01', '0.05', '0.1']);
  // at FPR 0 the top score (d, a member) is caught: TPR 1/2
  assert.equal(r.tprAtFpr['0.001']!.tpr, 0.5);
});

test('one-line errors name file:line and the id', () => {
  const truth = 'id,member\na,1\nb,0\n';
  fails(
    () => joinScoresAndTruth('id,score\na,1\n', truth, 's.csv', 't.csv'),
    'E_CSV',
    /t\.csv:3: id 'b' has no score in s\.csv/,
  );
  fails(
    () => joinScoresAndTruth('id,score\na,1\nb,2\nc,3\n', truth, 's.csv', 't.csv'),
    'E_CSV',
    /s\.csv:4: id 'c' has no row in t\.csv/,
  );
  fails(
    () => joinScoresAndTruth('id,score\na,1\nb,2\na,3\n', truth, 's.csv', 't.csv'),
    'E_CSV',
    /s\.csv:4: id 'a' appears twice \(also on line 2\)/,
  );
  fails(
    () => joinScoresAndTruth('id,score\na,1\nb,x1\n', truth, 's.csv', 't.csv'),
    'E_CSV',
    /s\.csv:3: score of id 'b' is not a number.*found "x1"/,
  );
  fails(
    () => joinScoresAndTruth('id,score\na,1\nb,\n', truth, 's.csv', 't.csv'),
    'E_CSV',
    /s\.csv:3: score of id 'b'/,
  );
  fails(
    () => joinScoresAndTruth('id,score\na,1\nb,NaN\n', truth, 's.csv', 't.csv'),
    'E_CSV',
    /score of id 'b'/,
  );
  fails(
    () => joinScoresAndTruth('id,score\na,1\nb,2\n', 'id,member\na,1\nb,yes\n', 's.csv', 't.csv'),
    'E_CSV',
    /t\.csv:3: member of id 'b' must be 1, 0, true or false/,
  );
  fails(
    () => joinScoresAndTruth('id,value\na,1\n', truth, 's.csv', 't.csv'),
    'E_CSV',
    /s\.csv: no 'score' column/,
  );
  fails(
    () =>
      evaluateScores(joinScoresAndTruth('id,score\na,1\nb,2\n', 'id,member\na,1\nb,1\n', 's.csv', 't.csv')),
    'E_EMPTY',
    /members and non-members/,
  );
  // ±Infinity and exponents are numbers
  const j = joinScoresAndTruth('id,score\na,-Infinity\nb,1e-3\n', truth, 's.csv', 't.csv');
  assert.deepEqual(Array.from(j.scores), [-Infinity, 0.001]);
});

test('plain and quoted CSV (parseCsv path) give the same join; CRLF, BOM, blank lines, spaces, extra columns', () => {
  const truth = 'id,member\na,0\nb,0\nc,1\nd,1\n';
  const want = joinScoresAndTruth('id,score\nc,0.35\na,0.1\nd,0.8\nb,0.4\n', truth, 's.csv', 't.csv');
  for (const text of [
    '\ufeffid,score\r\nc,0.35\r\na,0.1\r\n\r\nd,0.8\r\nb,0.4\r\n',
    'x,id,score\n1,"c",0.35\n2,a,"0.1"\n3,"d", 0.8\n4, b ,0.4',
    'score,id\n0.35,c\n0.1,a\n\n0.8,d\n0.4,b\n',
  ]) {
    assert.deepEqual(joinScoresAndTruth(text, truth, 's.csv', 't.csv'), want, JSON.stringify(text));
  }
  // line numbers count blank lines and header, on both paths
  fails(
    () => joinScoresAndTruth('id,score\n\na,1\nb,x\n', 'id,member\na,1\nb,0\n', 's.csv', 't.csv'),
    'E_CSV',
    /s\.csv:4: score of id 'b'/,
  );
  fails(
    () => joinScoresAndTruth('id,score\n\n"a",1\nb,x\n', 'id,member\na,1\nb,0\n', 's.csv', 't.csv'),
    'E_CSV',
    /s\.csv:4: score of id 'b'/,
  );
  // malformed CSV is reported by parseCsv
  fails(
    () => joinScoresAndTruth('id,score\na,1,2\n', 'id,member\na,1\n', 's.csv', 't.csv'),
    'E_CSV',
    /s\.csv:2/,
  );
  fails(
    () => joinScoresAndTruth('id,score\na,"1\n', 'id,member\na,1\n', 's.csv', 't.csv'),
    'E_CSV',
    /s\.csv:2/,
  );
  fails(() => joinScoresAndTruth('', 'id,member\na,1\n', 's.csv', 't.csv'), 'E_CSV', /s\.csv/);
});

test('evaluateCommand prints AUC and TPR@FPR with intervals and writes the attack-result JSON', async () => {
  const s = join(dir, 'scores.csv');
  const t = join(dir, 'truth.csv');
  const out = join(dir, 'out.json');
  writeFileSync(s, 'id,score\nx3,0.35\nx1,0.1\nx4,0.8\nx2,0.4\n');
  writeFileSync(t, 'id,member\nx1,0\nx2,0\nx3,1\nx4,1\n');
  const lines: string[] = [];
  const log = console.log;
  console.log = (...a: unknown[]) => lines.push(a.join(' '));
  try {
    assert.equal(await evaluateCommand.run(['--scores', s, '--truth', t, '--json', out]), 0);
  } finally {
    console.log = log;
  }
  const text = lines.join('\n');
  assert.match(text, /4 samples \(2 members, 2 non-members\)/);
  assert.match(text, /AUC\s+0\.7500/);
  assert.match(text, /TPR@5% FPR\s+50\.00%\s+\[\d+\.\d+%, \d+\.\d+%\]/);
  const json = JSON.parse(readFileSync(out, 'utf8')) as Record<string, unknown>;
  for (const k of [
    'nMembers',
    'nNonMembers',
    'auc',
    'advantage',
    'aucInterval',
    'ppvMaxOverThresholds',
    'tprAtFpr',
    'epsilonLowerBound',
  ]) {
    assert.ok(k in json, k);
  }
  assert.equal(json.auc, 0.75);
  const tpr = json.tprAtFpr as Record<string, { tpr: number; low: number; high: number }>;
  assert.deepEqual(Object.keys(tpr), ['0.001', '0.01', '0.05', '0.1']);
  assert.ok(tpr['0.05']!.low <= tpr['0.05']!.tpr && tpr['0.05']!.tpr <= tpr['0.05']!.high);
  await assert.rejects(
    evaluateCommand.run(['--scores', s]),
    (e: unknown) => e instanceof MiaError && e.code === 'E_USAGE',
  );
});

test('200,000 shuffled rows join on id and evaluate (speed: bench/evaluate.ts)', async () => {
  const n = 200_000;
  let sc = 'id,score\n';
  let tr = 'id,member\n';
  const parts: string[] = [];
  const tparts: string[] = [];
  let seed = 1;
  for (let i = 0; i < n; i++) {
    seed = (seed * 1103515245 + 12345) >>> 0;
    const member = i % 2;
    parts.push(`s${i},${(seed / 4294967296 + 0.2 * member).toFixed(6)}`);
    tparts.push(`s${(i * 7919) % n},${((i * 7919) % n) % 2}`);
  }
  sc += `${parts.join('\n')}\n`;
  tr += `${tparts.join('\n')}\n`;
  const s = join(dir, 'big-scores.csv');
  const t = join(dir, 'big-truth.csv');
  writeFileSync(s, sc);
  writeFileSync(t, tr);
  const log = console.log;
  console.log = () => {};
  const out = join(dir, 'big.json');
  try {
    assert.equal(await evaluateCommand.run(['--scores', s, '--truth', t, '--json', out]), 0);
  } finally {
    console.log = log;
  }
  const r = JSON.parse(readFileSync(out, 'utf8')) as { nMembers: number; nNonMembers: number; auc: number };
  assert.equal(r.nMembers, n / 2);
  assert.equal(r.nNonMembers, n / 2);
  // members' scores are uniform on [0.2, 1.2), non-members' on [0, 1): AUC = 1 − 0.8²/2 = 0.68
  assert.ok(Math.abs(r.auc - 0.68) < 0.01, `AUC ${r.auc}`);
});

test('end to end through bin/mia.js (once `evaluate` is registered in src/cli/main.ts)', (t) => {
  const main = readFileSync(new URL('../../src/cli/main.ts', import.meta.url), 'utf8');
  if (!main.includes("'evaluate'")) {
    t.skip('evaluate is not registered in src/cli/main.ts yet');
    return;
  }
  const s = join(dir, 'e2e-scores.csv');
  const tr = join(dir, 'e2e-truth.csv');
  writeFileSync(s, 'id,score\na,0.9\nb,0.2\nc,0.6\n');
  writeFileSync(tr, 'id,member\na,1\nb,0\n');
  const bin = new URL('../../bin/mia.js', import.meta.url).pathname;
  const bad = spawnSync(process.execPath, [bin, 'evaluate', '--scores', s, '--truth', tr], {
    encoding: 'utf8',
  });
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /^error \[E_CSV\] .*e2e-scores\.csv:4: id 'c' has no row in .*e2e-truth\.csv\n$/);
  writeFileSync(tr, 'id,member\na,1\nb,0\nc,0\n');
  const ok = spawnSync(process.execPath, [bin, 'evaluate', '--scores', s, '--truth', tr], {
    encoding: 'utf8',
  });
  assert.equal(ok.status, 0, ok.stderr);
  assert.match(ok.stdout, /AUC\s+1\.0000/);
});

test('scores: inf / -inf / Infinity in any case are numbers; nan is refused by name; a one-class truth names its file', () => {
  const truth = 'id,member\na,1\nb,0\nc,1\nd,0\ne,1\nf,0\n';
  const j = joinScoresAndTruth(
    'id,score\na,inf\nb,-inf\nc,+Inf\nd,-INFINITY\ne,Infinity\nf,-infinity\n',
    truth,
    's.csv',
    't.csv',
  );
  assert.deepEqual(Array.from(j.scores), [Infinity, -Infinity, Infinity, -Infinity, Infinity, -Infinity]);
  assert.equal(evaluateScores(j).auc, 1);
  for (const nan of ['nan', 'NaN', '-nan']) {
    fails(
      () => joinScoresAndTruth(`id,score\na,1\nb,${nan}\nc,1\nd,0\ne,1\nf,0\n`, truth, 's.csv', 't.csv'),
      'E_CSV',
      /s\.csv:3: score of id 'b' is NaN; every score must be a number \(inf and -inf are allowed\)/,
    );
  }
  fails(
    () => joinScoresAndTruth('id,score\na,infinit\n', 'id,member\na,1\n', 's.csv', 't.csv'),
    'E_CSV',
    /s\.csv:2: score of id 'a' is not a number/,
  );
  fails(
    () => joinScoresAndTruth('id,score\na,1\nb,2\n', 'id,member\na,1\nb,1\n', 's.csv', 'truth.csv'),
    'E_EMPTY',
    /^\[E_EMPTY\] truth\.csv: the member column has no non-member.*found 2 members, 0 non-members/,
  );
  fails(
    () => joinScoresAndTruth('id,score\na,1\nb,2\n', 'id,member\na,0\nb,false\n', 's.csv', 'truth.csv'),
    'E_EMPTY',
    /^\[E_EMPTY\] truth\.csv: the member column has no member/,
  );
  fails(
    () =>
      evaluateScores({ scores: Float64Array.from([1, 2]), isMember: Uint8Array.from([1, 1]) }, 'mine.csv'),
    'E_EMPTY',
    /^\[E_EMPTY\] mine\.csv: /,
  );
});
