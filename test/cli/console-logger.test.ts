// Training progress on a terminal is one line per model rewritten in place; anywhere else, plain lines;
// the run directory's log.txt always has every line (issue 17, item 16).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { consoleLogger, isLiveTerminal } from '../../src/cli/console-logger.js';
import { smallAuditConfig } from './run-mia.js';

const tmp = mkdtempSync(join(tmpdir(), 'mia-console-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

/** What a rewrite starts with: carriage return, erase the line. */
const REWRITE = '\r\x1b[2K';
const plain = (t: string) => !t.includes('\r') && !t.includes('\x1b');

function stream(isTTY: boolean, columns = 60) {
  const out = { text: '', isTTY, columns, write: (s: string) => (out.text += s) };
  return out;
}

function logSome(log: ReturnType<typeof consoleLogger>) {
  log.info('start');
  for (const m of ['[1/2] target', '[2/2] ref-01']) {
    for (let e = 1; e <= 3; e++)
      log.progress(m, `${m}  epoch ${e}/3  loss 0.${e}  120 samples/s  ETA ${3 - e} s`, e === 3);
    log.info(`${m}: trained`);
  }
  log.progress('attack', 'attack 1/1 rf: fold 1', false);
  log.end();
  log.info('done');
}

test('on a TTY each model has one line rewritten in place; its last line stays', () => {
  const s = stream(true);
  const log = consoleLogger(s);
  const file = join(tmp, 'log-tty.txt');
  log.info('before the file');
  log.attachFile(file, '# header');
  logSome(log);
  // what the terminal shows once the rewrites are applied: one line per model, no intermediate epochs
  const screen = s.text.split('\n').map((l) => l.split(REWRITE).at(-1));
  assert.deepEqual(screen, [
    'before the file',
    'start',
    '[1/2] target  epoch 3/3  loss 0.3  120 samples/s  ETA 0 s',
    '[1/2] target: trained',
    '[2/2] ref-01  epoch 3/3  loss 0.3  120 samples/s  ETA 0 s',
    '[2/2] ref-01: trained',
    'attack 1/1 rf: fold 1',
    'done',
    '',
  ]);
  assert.equal(s.text.split(REWRITE).length - 1, 4, 'epochs 2 and 3 of each model rewrite epoch 1');
  // the full log: the early line, the header, every progress line
  const logged = readFileSync(file, 'utf8').split('\n');
  assert.deepEqual(logged.slice(0, 2), ['# header', 'before the file']);
  assert.equal(logged.filter((l) => / epoch \d\/3 /.test(l)).length, 6);
});

test('a live line is cut to the terminal width; the last line of a model is written whole', () => {
  const s = stream(true, 20);
  const log = consoleLogger(s);
  log.progress('m', 'm  epoch 1/2  loss 0.5  999 samples/s  ETA 1 s', false);
  assert.equal(s.text, 'm  epoch 1/2  loss…');
  log.progress('m', 'm  epoch 2/2  loss 0.4  999 samples/s', true);
  assert.equal(s.text.split(REWRITE)[1], 'm  epoch 2/2  loss 0.4  999 samples/s\n');
});

test('not on a TTY (CI logs, pipes) every line is printed plainly, in order', () => {
  const s = stream(false);
  const log = consoleLogger(s);
  log.attachFile(join(tmp, 'log-plain.txt'), '# header');
  logSome(log);
  assert.ok(plain(s.text), 'no carriage return, no escape');
  const lines = s.text.trimEnd().split('\n');
  assert.equal(lines.length, 1 + 2 * 4 + 2);
  assert.equal(lines.filter((l) => / epoch \d\/3 /.test(l)).length, 6);
  assert.equal(readFileSync(join(tmp, 'log-plain.txt'), 'utf8'), `# header\n${s.text}`);
  assert.equal(isLiveTerminal({ write: () => 0, isTTY: true }, { TERM: 'dumb' }), false);
  assert.equal(isLiveTerminal({ write: () => 0, isTTY: true }, { TERM: 'xterm' }), true);
  assert.equal(isLiveTerminal({ write: () => 0 }, {}), false);
});

const BIN = fileURLToPath(new URL('../../bin/mia.js', import.meta.url));
const hasScript = spawnSync('script', ['--version'], { encoding: 'utf8' }).status === 0;

test('mia audit in a pseudo-terminal (script -qc) rewrites the epoch lines; piped it prints them; log.txt has them all', {
  skip: !hasScript && 'needs script(1) from util-linux',
}, () => {
  const config = join(tmp, 'small.yaml');
  const dir = join(tmp, 'run');
  writeFileSync(config, smallAuditConfig(dir, 4));
  const env = { ...process.env, NO_COLOR: '1', TERM: 'xterm' };
  const tty = spawnSync('script', ['-qec', `${process.execPath} ${BIN} audit ${config}`, '/dev/null'], {
    encoding: 'utf8',
    env,
    timeout: 120_000,
  });
  assert.equal(tty.status, 0, tty.stdout);
  const screen = tty.stdout
    .replace(/\r\n/g, '\n')
    .split('\n')
    .map((l) => l.split(REWRITE).at(-1)!);
  const epochLines = screen.filter((l) => /^\[\d\/4\] \S+ {2}epoch \d\/4 /.test(l));
  assert.deepEqual(
    epochLines.map((l) =>
      l
        .match(/^\[(\d)\/4\] \S+ {2}epoch (\d)/)!
        .slice(1)
        .join(':'),
    ),
    ['1:4', '2:4', '3:4', '4:4'],
    'one line per model, left at its last epoch',
  );
  assert.ok(tty.stdout.includes(`${REWRITE}[1/4] target  epoch 4/4 `), 'the last epoch rewrites the line');
  const log = readFileSync(join(dir, 'log.txt'), 'utf8');
  assert.match(log, /^# \d{4}-\d\d-\d\dT.* mia audit .*small\.yaml \(pid \d+\)\n/);
  assert.equal(log.match(/ {2}epoch \d\/4 /g)!.length, 16, 'log.txt: every epoch of the 4 models');
  assert.ok(plain(log), 'log.txt: plain lines');

  // piped (not a TTY): every epoch line plainly, as in log.txt
  const plainDir = join(tmp, 'run-piped');
  const pipe = () =>
    spawnSync(process.execPath, [BIN, 'audit', config, '--log-dir', plainDir], {
      encoding: 'utf8',
      env,
      timeout: 120_000,
    });
  const piped = pipe();
  assert.equal(piped.status, 0, piped.stderr);
  assert.ok(plain(piped.stdout), 'no carriage return, no escape');
  assert.equal(piped.stdout.match(/ {2}epoch \d\/4 /g)!.length, 16);
  const plainLog = readFileSync(join(plainDir, 'log.txt'), 'utf8');
  for (const l of piped.stdout.split('\n').filter((x) => / epoch /.test(x)))
    assert.ok(plainLog.includes(l), l);
  assert.equal(pipe().status, 0);
  const again = readFileSync(join(plainDir, 'log.txt'), 'utf8');
  assert.ok(again.startsWith(plainLog), 'log.txt is appended, not replaced');
  assert.equal(again.match(/^# .* mia audit /gm)!.length, 2);
});
