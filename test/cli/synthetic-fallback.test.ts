import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parseAuditConfig } from '../../src/audit/config.js';
import { runMia } from './run-mia.js';

// The synthetic stand-in is for the quickstart only: every other shipped config stops when its dataset
// is missing, with one line naming the key that asks for the stand-in.
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const tmp = mkdtempSync(join(tmpdir(), 'mia-fallback-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

test('only configs/quickstart.yaml allows the synthetic fallback', () => {
  for (const name of ['quickstart.yaml', 'cifar10-privacy-meter.yaml', 'case-study.yaml']) {
    const path = join(ROOT, 'configs', name);
    const { config } = parseAuditConfig(readFileSync(path, 'utf8'), path);
    assert.equal(config.data.allowSyntheticFallback, name === 'quickstart.yaml', name);
  }
});

test('cifar10-privacy-meter.yaml without CIFAR-10 stops before training, naming data.allow_synthetic_fallback', () => {
  // an empty cache and no download: CIFAR-10 is nowhere to be found
  process.env.MIA_CACHE_DIR = join(tmp, 'cache');
  const r = runMia(
    [
      'audit',
      join(ROOT, 'configs', 'cifar10-privacy-meter.yaml'),
      '--log-dir',
      join(tmp, 'run'),
      '--set',
      'data.download=false',
    ],
    tmp,
  );
  assert.equal(r.code, 2, r.stderr + r.stdout);
  const lines = r.stderr.trim().split('\n');
  assert.equal(lines.length, 1, r.stderr);
  assert.match(lines[0]!, /^error \[E_DATASET\] .*cifar10 not found/);
  assert.match(
    lines[0]!,
    /set data\.allow_synthetic_fallback: true \(or --set data\.allow_synthetic_fallback=true\)/,
  );
  assert.doesNotMatch(r.stdout, /trained in|epoch \d/i);
});
