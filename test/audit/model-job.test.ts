import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { type LoadedConfig, parseAuditConfig, type ReferenceAudit } from '../../src/audit/config.js';
import { plannedModelIds, runAuditModel } from '../../src/audit/model-job.js';
import { runAudit } from '../../src/audit/pipeline.js';
import { tinyConfig } from '../server/service-helpers.js';

// The scaled mode's model jobs without the service: each planned model trained into a run directory of
// its own, its files copied into one run directory, and runAudit there trains nothing and gives the
// results of runAudit from scratch — also with audit.one_run, whose canaries change the target's rows.
for (const [what, config] of [
  ['a reference audit', tinyConfig(3, false)],
  [
    'one with audit.one_run (mislabelled canaries)',
    tinyConfig(3, false).replace(
      '  slices: [entire]\n',
      '  slices: [entire]\n  one_run: {canaries: 40, kind: mislabelled}\n',
    ),
  ],
] as const) {
  test(`model jobs of ${what}: the pipeline reuses their files and gives the results of a single run`, async () => {
    const loaded = parseAuditConfig(config, 'config.yaml') as LoadedConfig<ReferenceAudit>;
    const ids = plannedModelIds(loaded.config);
    assert.deepEqual(ids, ['target', 'ref-01', 'ref-02', 'ref-03']);
    const work = mkdtempSync(join(tmpdir(), 'mia-model-job-'));
    const merged = join(work, 'merged');
    for (const id of ids) {
      const dir = join(work, id);
      const r = await runAuditModel(loaded, id, { logDir: dir });
      assert.ok(r.files.includes(`signals/${id}.npz`));
      assert.ok(r.files.some((f) => f.startsWith(`models/${id}/`) && f.endsWith('/weights.npz')));
      assert.equal(r.reused, false);
      assert.equal(
        (await runAuditModel(loaded, id, { logDir: dir })).reused,
        true,
        'a rerun reuses the model',
      );
      for (const f of r.files) cpSync(join(dir, f), join(merged, f), { recursive: true });
    }
    const lines: string[] = [];
    const run = await runAudit(loaded, { logDir: merged, logger: { info: (l) => lines.push(l) } });
    assert.ok(
      run.models.every((m) => m.modelReused && m.signalsReused),
      lines.join('\n'),
    );
    const single = mkdtempSync(join(tmpdir(), 'mia-model-job-single-'));
    await runAudit(loaded, { logDir: single });
    const read = (d: string) => JSON.parse(readFileSync(join(d, 'results.json'), 'utf8')) as object;
    assert.deepEqual(read(merged), read(single));
  });
}

test('plannedModelIds: none for a reference schedule (its models are decided while training); an unplanned id is E_USAGE', async () => {
  const loaded = parseAuditConfig(tinyConfig(1, false), 'config.yaml') as LoadedConfig<ReferenceAudit>;
  await assert.rejects(runAuditModel(loaded, 'ref-09', { logDir: mkdtempSync(join(tmpdir(), 'mia-mj-')) }), {
    code: 'E_USAGE',
  });
  const until = tinyConfig(1, false).replace(
    '  reference_models: 3\n',
    '  reference_models: {min: 3, max: 5, until: {metric: auc, attack: rmia, tolerance: 0.01}}\n',
  );
  assert.deepEqual(plannedModelIds(parseAuditConfig(until, 'config.yaml').config), []);
});
