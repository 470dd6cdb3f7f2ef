import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { repoRoot } from './installed-package.js';

// docs/install.md's recipe, as a user runs it: `npm pack` the repository, `npm install` the tarball
// into another project (offline: from the npm cache `npm ci` filled), then `npx mia` and an import
// work inside that project.

const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

function run(cmd: string, args: string[], cwd: string) {
  const r = spawnSync(cmd, args, {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, npm_config_loglevel: 'error' },
  });
  assert.equal(r.status, 0, `${cmd} ${args.join(' ')} failed:\n${r.stdout}${r.stderr}`);
  return r;
}

test('the packed tarball installs into another project; npx mia and the library work there', {
  timeout: 300_000,
}, () => {
  const dir = mkdtempSync(join(tmpdir(), 'mia-install-'));
  try {
    run(npm, ['pack', '--silent', '--pack-destination', dir], repoRoot);
    const tarball = readdirSync(dir).find((f) => f.endsWith('.tgz'));
    assert.ok(tarball, 'npm pack wrote no tarball');
    const project = join(dir, 'my-app');
    run('mkdir', [project], dir);
    writeFileSync(
      join(project, 'package.json'),
      JSON.stringify({
        name: 'my-app',
        version: '1.0.0',
        private: true,
        type: 'module',
        allowScripts: { 'onnxruntime-node': false, esbuild: true },
      }),
    );
    run(npm, ['install', '--prefer-offline', '--no-audit', '--no-fund', join(dir, tarball)], project);

    const help = run('npx', ['--no-install', 'mia', '--help'], project);
    assert.match(help.stdout, /^usage: mia <command>/);
    assert.match(help.stdout, /audit/);
    // stderr stays clean: no npm config warnings on every call
    assert.equal(help.stderr, '');

    writeFileSync(
      join(project, 'use.js'),
      [
        "import { auc, rocCurve } from 'mia-audit';",
        'const roc = rocCurve(new Float64Array([0.9, 0.8, 0.3, 0.1]), new Uint8Array([1, 0, 1, 0]));',
        'console.log(auc(roc));',
      ].join('\n'),
    );
    const use = run(process.execPath, ['use.js'], project);
    assert.equal(use.stdout.trim(), '0.75');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
