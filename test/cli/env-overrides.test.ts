// MIA_SET: config overrides from the environment, after --set, always announced (the docs' test runs
// long examples smaller with it while the command line stays as the page shows it).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { withEnvOverrides } from '../../src/cli/env-overrides.js';

test('withEnvOverrides appends MIA_SET’s ;-separated items after --set and says so', () => {
  const notes: string[] = [];
  const sets = withEnvOverrides(['target.epochs=5'], (l) => notes.push(l), {
    MIA_SET: ' target.epochs=2 ; ;audit.reference_models={min: 3, max: 5}',
  });
  assert.deepEqual(sets, ['target.epochs=5', 'target.epochs=2', 'audit.reference_models={min: 3, max: 5}']);
  assert.deepEqual(notes, [
    'MIA_SET: target.epochs=2, audit.reference_models={min: 3, max: 5} (config overrides from the environment)',
  ]);
  assert.deepEqual(
    withEnvOverrides(['a=1'], () => assert.fail('no note without MIA_SET'), {}),
    ['a=1'],
  );
});

test('mia plan --config takes MIA_SET: the quickstart refused as written plans with a resolvable target', () => {
  const bin = fileURLToPath(new URL('../../bin/mia.js', import.meta.url));
  const config = fileURLToPath(new URL('../../configs/quickstart.yaml', import.meta.url));
  const run = (env: Record<string, string>) =>
    spawnSync(process.execPath, [bin, 'plan', '--config', config, '--no-calibrate'], {
      encoding: 'utf8',
      env: { ...process.env, NO_COLOR: '1', ...env },
    });
  assert.equal(run({}).status, 2);
  const r = run({ MIA_SET: 'audit.fpr_targets=[0.01]' });
  assert.equal(r.status, 0, r.stderr);
  assert.match(
    r.stderr,
    /^MIA_SET: audit\.fpr_targets=\[0\.01\] \(config overrides from the environment\)\n$/,
  );
  assert.match(r.stdout, /TPR at FPR 0\.01/);
});
