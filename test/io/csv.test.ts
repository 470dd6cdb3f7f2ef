import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isMiaError, type MiaError } from '../../src/errors.js';
import { formatCsv, parseCsv } from '../../src/io/csv.js';
import { Rng } from '../../src/rng.js';

function miaError(fn: () => unknown): MiaError {
  try {
    fn();
  } catch (e) {
    if (isMiaError(e)) return e;
    throw e;
  }
  assert.fail('expected a MiaError');
}

test('plain CSV with LF, CRLF, lone CR, no trailing newline', () => {
  for (const text of [
    'id,score\na,1\nb,2\n',
    'id,score\r\na,1\r\nb,2\r\n',
    'id,score\ra,1\rb,2',
    'id,score\na,1\nb,2',
  ]) {
    const r = parseCsv(text, 'f.csv');
    assert.deepEqual(r.header, ['id', 'score']);
    assert.deepEqual(r.rows, [
      ['a', '1'],
      ['b', '2'],
    ]);
    assert.equal(r.lineOf(0), 2);
    assert.equal(r.lineOf(1), 3);
  }
});

test('quoted fields: commas, doubled quotes, line breaks (lineOf follows), empty fields, spaces kept', () => {
  const text = 'id,text,n\r\n1,"a, b",2\r\n2,"say ""hi""",\r\n3,"two\r\nlines\nthree",x\r\n4, sp ,""\r\n';
  const r = parseCsv(text, 'q.csv');
  assert.deepEqual(r.rows, [
    ['1', 'a, b', '2'],
    ['2', 'say "hi"', ''],
    ['3', 'two\r\nlines\nthree', 'x'],
    ['4', ' sp ', ''],
  ]);
  assert.deepEqual(
    [0, 1, 2, 3].map((i) => r.lineOf(i)),
    [2, 3, 4, 7],
  );
  assert.throws(() => r.lineOf(4), RangeError);
});

test('BOM ignored, blank lines skipped with correct line numbers, trailing comma is an empty field', () => {
  const r = parseCsv('\ufeffa,b\n\n1,2\r\n\r\n\n3,\n', 'b.csv');
  assert.deepEqual(r.header, ['a', 'b']);
  assert.deepEqual(r.rows, [
    ['1', '2'],
    ['3', ''],
  ]);
  assert.equal(r.lineOf(0), 3);
  assert.equal(r.lineOf(1), 6);
  assert.deepEqual(parseCsv('x\n', 'h.csv').rows, []);
  assert.deepEqual(parseCsv(',score\n0,1\n', 'pandas.csv').header, ['', 'score']);
  assert.deepEqual(parseCsv('a\nx"y\n', 'lit.csv').rows, [['x"y']]);
});

test('errors name file:line', () => {
  const cases: [string, string, RegExp][] = [
    ['a,b\n1,2\n3\n', 'r.csv:3', /wrong number of fields/],
    ['a,b\n1,2,3\n', 'r.csv:2', /wrong number of fields/],
    ['a,b\n1,2\n3,"open\nmore\n', 'r.csv:3', /unterminated/],
    ['a,b\n1,"x"y\n', 'r.csv:2', /after a closing quote/],
    ['', 'r.csv:1', /no header/],
    ['\n\n', 'r.csv:1', /no header/],
    ['a,b,a\n', 'r.csv:1', /duplicate column/],
    ['a,b\n"multi\nline",1\n1,2,3\n', 'r.csv:4', /wrong number of fields/],
  ];
  for (const [text, where, msg] of cases) {
    const e = miaError(() => parseCsv(text, 'r.csv'));
    assert.equal(e.code, 'E_CSV', JSON.stringify(text));
    assert.equal(e.where, where, JSON.stringify(text));
    assert.deepEqual(e.location, { file: 'r.csv', line: Number(where.slice('r.csv:'.length)) });
    assert.match(e.message, msg);
  }
  const ragged = miaError(() => parseCsv('a,b\n1\n', 'r.csv'));
  assert.equal(ragged.expected, '2 fields');
  assert.equal(ragged.found, '1');
});

test('formatCsv quotes only when needed and round-trips through parseCsv (property)', () => {
  assert.equal(
    formatCsv(
      ['id', 'score', 'ok'],
      [
        ['a,b', 0.1, true],
        ['say "x"', -1e-7, false],
        ['two\nlines', Number.NaN, true],
      ],
    ),
    'id,score,ok\n"a,b",0.1,true\n"say ""x""",-1e-7,false\n"two\nlines",NaN,true\n',
  );
  assert.equal(formatCsv(['only'], [[''], ['x']]), 'only\n""\nx\n');
  assert.throws(() => formatCsv(['a', 'b'], [['1']]), RangeError);

  const rng = new Rng(11);
  const alphabet = ['a', 'b', ',', '"', '\n', '\r', ' ', 'é', '\r\n'];
  const field = () => {
    let s = '';
    const len = rng.nextUint32() % 5;
    for (let i = 0; i < len; i++) s += alphabet[rng.nextUint32() % alphabet.length];
    return s;
  };
  for (let trial = 0; trial < 200; trial++) {
    const cols = 1 + (rng.nextUint32() % 3);
    const header = Array.from({ length: cols }, (_, k) => `c${k}`);
    const rows = Array.from({ length: rng.nextUint32() % 6 }, () => Array.from({ length: cols }, field));
    const back = parseCsv(formatCsv(header, rows), 'p.csv');
    assert.deepEqual(back.header, header);
    assert.deepEqual(back.rows, rows);
  }
});

test('a million id,score rows parse, with line numbers (speed: bench/evaluate.ts)', (t) => {
  const n = 1_000_000;
  const lines = ['id,score'];
  for (let i = 0; i < n; i++) lines.push(`sample_${i},${(i % 997) / 997}`);
  const text = `${lines.join('\n')}\n`;
  const t0 = performance.now();
  const r = parseCsv(text, 'big.csv');
  const ms = performance.now() - t0;
  t.diagnostic(`parseCsv: ${n} rows, ${(text.length / 1e6).toFixed(1)} MB in ${ms.toFixed(0)} ms`);
  assert.equal(r.rows.length, n);
  assert.deepEqual(r.rows[n - 1], [`sample_${n - 1}`, String(((n - 1) % 997) / 997)]);
  assert.equal(r.lineOf(n - 1), n + 1);
});
