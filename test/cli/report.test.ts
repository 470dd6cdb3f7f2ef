import assert from 'node:assert/strict';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { reportCommand } from '../../src/cli/report.js';
import { isMiaError } from '../../src/errors.js';
import { makeRunDir } from '../report/fixture.js';
import { runMia } from './run-mia.js';

const runDir = join(mkdtempSync(join(tmpdir(), 'mia-cli-report-')), 'run');
makeRunDir(runDir, { n: 200, attacks: ['threshold', 'threshold-entropy'], privacy: false });

test('reportCommand: writes the report and names it in one line', async (t) => {
  const log = t.mock.method(console, 'log', () => {});
  const code = await reportCommand.run([runDir, '--no-png', '--roc-points', '100']);
  assert.equal(code, 0);
  assert.equal(log.mock.callCount(), 1);
  assert.match(
    String(log.mock.calls[0]!.arguments[0]),
    /^report: .*report\.html \(4 charts as SVG, [\d.]+ s\)$/,
  );
  assert.ok(existsSync(join(runDir, 'report', 'report.html')));
  assert.ok(existsSync(join(runDir, 'report', 'roc.svg')));
  assert.ok(!existsSync(join(runDir, 'report', 'roc.png')));
});

test('reportCommand: usage errors are one-line E_USAGE; a missing results.json is E_IO naming it', async () => {
  const usage = (e: unknown) => isMiaError(e) && e.code === 'E_USAGE';
  await assert.rejects(reportCommand.run([]), usage);
  await assert.rejects(reportCommand.run(['a', 'b']), usage);
  await assert.rejects(reportCommand.run([runDir, '--png-scale', 'big']), usage);
  await assert.rejects(reportCommand.run([runDir, '--png-scale', '0']), usage);
  await assert.rejects(reportCommand.run([runDir, '--roc-points', '2']), usage);
  await assert.rejects(reportCommand.run([runDir, '--colour']), usage);
  const empty = mkdtempSync(join(tmpdir(), 'mia-cli-report-empty-'));
  await assert.rejects(
    reportCommand.run([empty]),
    (e) => isMiaError(e) && e.code === 'E_IO' && e.where === join(empty, 'results.json'),
  );
});

const registered = runMia(['report', '--help']).code === 0;

test('`mia report` as a user runs it', {
  skip: !registered && "'report' is not registered in src/cli/main.ts yet",
}, () => {
  const ok = runMia(['report', runDir]);
  assert.equal(ok.code, 0, ok.stderr);
  assert.match(ok.stdout, /report: .*report\.html \(4 charts as SVG and PNG/);
  assert.ok(existsSync(join(runDir, 'report', 'roc.png')));
  const empty = mkdtempSync(join(tmpdir(), 'mia-cli-report-empty-'));
  const bad = runMia(['report', empty]);
  assert.equal(bad.code, 2);
  assert.equal(bad.stderr.trim().split('\n').length, 1);
  assert.match(bad.stderr, /^error \[E_IO\] .*results\.json: no results\.json/);
});
