import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import {
  existsSync,
  lstatSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { runMia } from './run-mia.js';

const BIN = fileURLToPath(new URL('../../bin/mia.js', import.meta.url));
const fixture = fileURLToPath(new URL('../attacks/fixtures/tfp_parity.npz', import.meta.url));
const tmp = mkdtempSync(join(tmpdir(), 'mia-output-flags-'));
after(() => rmSync(tmp, { recursive: true, force: true }));
const ATTACK = [
  'attack',
  '--input',
  fixture,
  '--attacks',
  'threshold,threshold-entropy',
  '--slices',
  'entire',
];

test('--json - writes the JSON alone to stdout; the table goes to stderr', () => {
  const r = runMia([...ATTACK, '--json', '-']);
  assert.equal(r.code, 0, r.stderr);
  const json = JSON.parse(r.stdout) as { results: unknown[] };
  assert.equal(json.results.length, 2);
  assert.match(r.stderr, /Worst case: /);
  assert.match(r.stderr, /wrote standard output/);
  const csv = runMia([...ATTACK, '--csv', '/dev/stdout']);
  assert.equal(csv.code, 0, csv.stderr);
  assert.match(csv.stdout, /^attack,/);
});

test('--json /dev/full is exit 2 with one line naming it, never "wrote"', () => {
  const r = runMia([...ATTACK, '--json', '/dev/full']);
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /^error \[E_IO\] \/dev\/full: .*ENOSPC/m);
  assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  assert.doesNotMatch(r.stdout, /wrote/);
  assert.ok(lstatSync('/dev/full').isCharacterDevice());
});

test('--csv through a symlink writes its target; the link stays', () => {
  writeFileSync(join(tmp, 'real.csv'), 'old\n');
  symlinkSync('real.csv', join(tmp, 'link.csv'));
  const r = runMia([...ATTACK, '--csv', join(tmp, 'link.csv')]);
  assert.equal(r.code, 0, r.stderr);
  assert.ok(lstatSync(join(tmp, 'link.csv')).isSymbolicLink());
  assert.match(readFileSync(join(tmp, 'real.csv'), 'utf8'), /^attack,/);
});

test('standard output for a folder flag, or for two flags at once, is one E_USAGE line', () => {
  const two = runMia([...ATTACK, '--json', '-', '--csv', '/dev/stdout']);
  assert.equal(two.code, 2);
  assert.match(two.stderr, /E_USAGE.*only one output can be standard output.*--json, --csv/);
  const dir = runMia(['report', tmp, '--out', '-']);
  assert.equal(dir.code, 2);
  assert.match(dir.stderr, /E_USAGE.*--out names a folder/);
});

/** Runs mia with stdout piped to a reader that takes `lines` lines and closes the pipe. */
async function headOf(
  args: string[],
  lines: number,
): Promise<{ code: number | null; stderr: string; got: string }> {
  const child = spawn(process.execPath, [BIN, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NO_COLOR: '1' },
  });
  let got = '';
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (c: string) => {
    stderr += c;
  });
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (c: string) => {
    got += c;
    if (got.split('\n').length > lines) child.stdout.destroy();
  });
  const code = await new Promise<number | null>((res) => child.on('close', res));
  return { code, stderr, got };
}

test('mia attack | head -2: exits quietly, no stack trace', async () => {
  const r = await headOf([...ATTACK, '--attacks', 'threshold,threshold-entropy,lr'], 2);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stderr, '');
});

test('mia audit | head -2: the audit goes on and its results land in the run directory', async () => {
  const dir = join(tmp, 'run');
  const file = join(tmp, 'audit.yaml');
  writeFileSync(
    file,
    `run: {seed: 3, log_dir: ${dir}}
data:
  dataset: synthetic
  audit_size: 200
  population_size: 60
  validation_size: 20
  synthetic: {shape: [8], classes: 3, noise: 2}
target: {architecture: {name: mlp, params: {hidden: "16"}}, epochs: 3, batch_size: 20}
audit: {reference_models: 3, attacks: [rmia, loss], slices: [entire]}
report: {enabled: false}
`,
  );
  const r = await headOf(['audit', file], 2);
  assert.equal(r.code, 0, r.stderr);
  assert.doesNotMatch(r.stderr, /EPIPE|Error/);
  assert.ok(existsSync(join(dir, 'results.json')), 'results.json written after stdout closed');
});
