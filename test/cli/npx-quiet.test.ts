// `npx mia …` as the README runs it: npm must print nothing of its own (no "Unknown project config",
// no install-script notices); everything on stderr would be npm's, since --help writes to stdout.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

test('npx mia --help prints the usage and nothing from npm', () => {
  const r = spawnSync('npx', ['--no-install', 'mia', '--help'], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 60_000,
    env: { ...process.env, NO_COLOR: '1' },
  });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^usage: mia <command>/);
  assert.equal(r.stderr, '');
});

test('.npmrc holds only settings npm knows; install scripts are decided in package.json', () => {
  const npmrc = readFileSync(new URL('../../.npmrc', import.meta.url), 'utf8');
  assert.deepEqual(
    npmrc.split('\n').filter((l) => l.trim() !== '' && !l.startsWith('#')),
    ['engine-strict=true'],
  );
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'));
  assert.deepEqual(pkg.allowScripts, {
    esbuild: true,
    'onnxruntime-node': false,
    'better-sqlite3': true,
    'msgpackr-extract': false,
  });
});
