import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { untilAuditConfig } from '../audit/helpers.js';
import { runMia } from './run-mia.js';

const tmp = mkdtempSync(join(tmpdir(), 'mia-until-cli-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

test('mia audit with reference_models {min, max, until} stops on its own and its report shows the curve', () => {
  const dir = join(tmp, 'run');
  const file = join(tmp, 'until.yaml');
  // the schedule comes from --set, as a user would try it on an existing config
  writeFileSync(file, untilAuditConfig(dir, '3', true));
  const r = runMia([
    'audit',
    file,
    '--set',
    'audit.reference_models={min: 3, max: 31, until: {metric: auc, attack: loss, tolerance: 1}}',
  ]);
  assert.equal(r.code, 0, r.stderr + r.stdout);
  assert.match(r.stdout, /3 to 31 reference models until auc of loss settles \(tolerance 1\)/);
  assert.match(r.stdout, /references 7: loss auc [\d.]+ \[[\d.]+, [\d.]+\]/);
  assert.match(r.stdout, /moved less than 1 for two pairs; stopping at 7/);
  assert.doesNotMatch(r.stdout, /references 9:/);
  const curve = JSON.parse(readFileSync(join(dir, 'reference-curve.json'), 'utf8'));
  assert.deepEqual(curve.stopped, { referenceModels: 7, reason: 'settled' });
  const html = readFileSync(join(dir, 'report', 'report.html'), 'utf8');
  assert.match(html, /id="charts-reference-models"/);
  assert.match(html, /auc against the number of reference models/);
  assert.ok(existsSync(join(dir, 'report', 'reference-curve.svg')));
});
