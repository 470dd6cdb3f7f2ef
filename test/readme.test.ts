import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { runMia } from './cli/run-mia.js';
import { installPackage, repoRoot as root, typecheckProject } from './installed-package.js';

// The README's examples, run as written (with only the data they need made up around them).
const readme = readFileSync(join(root, 'README.md'), 'utf8');
const blocks = (lang: string) =>
  [...readme.matchAll(new RegExp(`\`\`\`${lang}\\n([\\s\\S]*?)\`\`\``, 'g'))].map((m) => m[1]!);
const hasNumpy = spawnSync('/usr/bin/python3', ['-c', 'import numpy'], { encoding: 'utf8' }).status === 0;

test('README: the numpy savez line, then `mia attack` and the library example', {
  skip: !hasNumpy && 'needs /usr/bin/python3 with numpy (Debian python3-numpy)',
}, () => {
  const dir = mkdtempSync(join(tmpdir(), 'mia-readme-'));
  const py = blocks('python')[0]!;
  const setup = [
    'import numpy as np',
    'rng = np.random.default_rng(0)',
    'labels_train = rng.integers(0, 10, 1000); labels_test = rng.integers(0, 10, 1000)',
    'logits_train = rng.normal(size=(1000, 10)).astype(np.float32); logits_test = rng.normal(size=(1000, 10)).astype(np.float32)',
    'logits_train[np.arange(1000), labels_train] += 3.0; logits_test[np.arange(1000), labels_test] += 2.0',
  ].join('\n');
  const r = spawnSync('/usr/bin/python3', ['-c', `${setup}\n${py}`], { cwd: dir, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);

  const sh = blocks('sh').find((b) => b.includes('mia attack'))!;
  const args = sh
    .trim()
    .replace(/^npx mia /, '')
    .split(/\s+/);
  const run = runMia(args, dir);
  assert.equal(run.code, 0, run.stderr);
  const results = JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8')).results as { auc: number }[];
  assert.ok(results.length > 0 && results[0]!.auc > 0.6);

  // The library example as a user runs it: the package built as npm ci builds it (scripts/build.mjs)
  // into a package folder, installed in node_modules of a project, run by plain node (no tsx), and
  // type-checked as TypeScript against the shipped .d.ts.
  installPackage(dir);
  const js = blocks('js')[0]!;
  writeFileSync(join(dir, 'example.mjs'), js);
  const lib = spawnSync(process.execPath, ['example.mjs'], { cwd: dir, encoding: 'utf8' });
  assert.equal(lib.status, 0, lib.stderr);
  writeFileSync(join(dir, 'example.ts'), js);
  const tsc = typecheckProject(dir, ['example.ts']);
  assert.equal(tsc.status, 0, tsc.stdout + tsc.stderr);
  assert.match(lib.stdout, /^0\.\d+ \{\s+tpr: /);
});

const hasFashion =
  spawnSync('sh', ['-c', 'ls /usr/share/datasets/fashion-mnist/*.gz'], { encoding: 'utf8' }).status === 0;

test('README: mia train, mia infer, mia attack (with a smaller budget)', {
  skip: !hasFashion && 'needs Debian dataset-fashion-mnist',
}, () => {
  const dir = mkdtempSync(join(tmpdir(), 'mia-readme-train-'));
  const block = blocks('sh').find((b) => b.includes('mia train'))!;
  const lines = block.trim().split('\n');
  assert.equal(lines.length, 3);
  for (const line of lines) {
    const small = line.replace('--epochs 10', '--epochs 1').replace('--train-size 10000', '--train-size 300');
    const r = runMia(small.replace(/^npx mia /, '').split(/\s+/), dir, 180_000);
    assert.equal(r.code, 0, `${small}\n${r.stderr}`);
  }
});
