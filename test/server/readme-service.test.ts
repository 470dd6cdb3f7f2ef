import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { runMia } from '../cli/run-mia.js';
import { freePort, tinyConfig } from './service-helpers.js';

// The README's service example, run as written: a smaller config instead of the quickstart (whose
// 8 CNNs take minutes) and a free port instead of 8470.
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BIN = join(ROOT, 'bin/mia.js');
const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
const block = [...readme.matchAll(/```sh\n([\s\S]*?)```/g)]
  .map((m) => m[1]!)
  .find((b) => b.includes('mia serve'))!;
const commands = block
  .split('\n')
  .map((l) => l.replace(/\s+#.*$/, '').trim())
  .filter((l) => l !== '');

test('README: mia serve, then mia submit --wait, mia runs and mia fetch as written', async () => {
  assert.deepEqual(
    commands.map((c) => c.split(' ').slice(0, 3).join(' ')),
    [
      'npx mia serve',
      'export MIA_SERVER=http://127.0.0.1:8470 MIA_TOKEN=$(cat',
      'npx mia submit',
      'npx mia runs',
      'npx mia fetch',
    ],
  );
  const cwd = mkdtempSync(join(tmpdir(), 'mia-readme-serve-'));
  writeFileSync(join(cwd, 'tiny.yaml'), tinyConfig());
  const port = await freePort();
  const serveArgs = commands[0]!
    .replace(/^npx mia /, '')
    .replace(/\s*&$/, '')
    .split(/\s+/);
  const server = spawn(process.execPath, [BIN, ...serveArgs, '--port', String(port)], {
    cwd,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  try {
    await new Promise<void>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error('mia serve did not start in 60 s')), 60_000);
      server.stdout.on('data', (b: Buffer) => {
        if (b.toString().includes('listening on')) {
          clearTimeout(t);
          resolve();
        }
      });
    });
    const tokenFile = /\$\(cat ([^)]+)\)/.exec(commands[1]!)![1]!;
    process.env.MIA_SERVER = `http://127.0.0.1:${port}`;
    process.env.MIA_TOKEN = readFileSync(join(cwd, tokenFile), 'utf8').trim();
    const args = (i: number) => commands[i]!.replace(/^npx mia /, '').split(/\s+/);
    const submit = runMia(
      args(2).map((a) => (a === 'configs/quickstart.yaml' ? 'tiny.yaml' : a)),
      cwd,
      180_000,
    );
    assert.equal(submit.code, 0, submit.stdout + submit.stderr);
    const id = /submitted (\S+)/.exec(submit.stdout)![1]!;
    assert.match(submit.stdout, /-- succeeded/);
    const runs = runMia(args(3), cwd);
    assert.match(runs.stdout, new RegExp(`${id}\\s+succeeded`));
    const fetched = runMia(
      args(4).map((a) => (a === 'ID' ? id : a)),
      cwd,
    );
    assert.equal(fetched.code, 0, fetched.stderr);
    assert.ok(JSON.parse(readFileSync(join(cwd, 'runs/served/results.json'), 'utf8')).results.length > 0);
    readFileSync(join(cwd, 'runs/served/report/report.html'));
  } finally {
    delete process.env.MIA_SERVER;
    delete process.env.MIA_TOKEN;
    server.kill('SIGTERM');
  }
});
