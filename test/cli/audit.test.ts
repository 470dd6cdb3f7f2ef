import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { AuditRun } from '../../src/audit/pipeline.js';
import { formatAuditSummary } from '../../src/cli/format-audit.js';
import { isTempFile } from '../../src/io/atomic.js';
import { runMia } from './run-mia.js';

const BIN = fileURLToPath(new URL('../../bin/mia.js', import.meta.url));
const tmp = mkdtempSync(join(tmpdir(), 'mia-audit-cli-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

function config(dir: string): string {
  return `run:
  seed: 11
  log_dir: ${dir}
data:
  dataset: synthetic
  audit_size: 400
  population_size: 100
  validation_size: 50
  synthetic: {shape: [16], classes: 4, noise: 2}
target:
  architecture: {name: mlp, params: {hidden: "64"}}
  epochs: 80
  batch_size: 20
audit:
  reference_models: 3
  attacks: [rmia, lira-offline-fixed-variance, loss]
  slices: [entire]
report:
  enabled: false
`;
}

/** Every temp file (atomic writes in progress) under `dir`, recursively. */
function tempFiles(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (isTempFile(e.name)) out.push(join(dir, e.name));
    else if (e.isDirectory()) out.push(...tempFiles(join(dir, e.name)));
  }
  return out;
}

test('an audit killed after its first model resumes: the model is reused, the rest is done', async () => {
  const dir = join(tmp, 'killed');
  const file = join(tmp, 'killed.yaml');
  writeFileSync(file, config(dir));
  const child = spawn(process.execPath, [BIN, 'audit', file], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let killedAfterSave = false;
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (chunk: string) => {
    out += chunk;
    if (!killedAfterSave && /\[1\/4\] target: trained in .*, saved /.test(out)) {
      killedAfterSave = true;
      child.kill('SIGKILL');
    }
  });
  const signal = await new Promise<NodeJS.Signals | null>((resolve) =>
    child.on('exit', (_code, sig) => resolve(sig)),
  );
  assert.ok(killedAfterSave, `the run should print the saved target before finishing:\n${out}`);
  assert.equal(signal, 'SIGKILL');
  assert.ok(!existsSync(join(dir, 'results.json')), 'the killed run did not finish');
  const targetDirs = readdirSync(join(dir, 'models', 'target')).filter((f) => !f.startsWith('.'));
  assert.equal(targetDirs.length, 1);
  assert.ok(existsSync(join(dir, 'models', 'target', targetDirs[0]!, 'model.json')));

  const again = runMia(['audit', file]);
  assert.equal(again.code, 0, again.stderr);
  assert.match(
    again.stdout,
    /\[1\/4\] target(: finished earlier, signals reused| {2}cached model [0-9a-f]+ loaded)/,
  );
  assert.match(again.stdout, /\[4\/4\] ref-03: trained in /, 'the unfinished models are trained now');
  const timing = JSON.parse(readFileSync(join(dir, 'timing.json'), 'utf8')).stages as {
    stage: string;
    reused: boolean;
  }[];
  assert.equal(timing.find((s) => s.stage === 'model target')?.reused, true);
  assert.equal(timing.find((s) => s.stage === 'model ref-03')?.reused, false);
  const results = JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8')).results as { attack: string }[];
  assert.deepEqual(
    results.map((r) => r.attack),
    ['rmia', 'lira-offline-fixed-variance', 'loss'],
  );
  assert.deepEqual(tempFiles(dir), [], 'no temp file is left behind');
  assert.match(again.stdout, /Entire dataset/);
  assert.match(again.stdout, /Stages: load dataset .*models .*\(1\/4 reused\)/);

  // A rerun that reuses everything, now with the report: the printed total includes the report stage.
  const third = runMia(['audit', file, '--set', 'report.enabled=true']);
  assert.equal(third.code, 0, third.stderr);
  assert.match(third.stdout, /results\.json is up to date/);
  assert.match(third.stdout, /4 models, 0 trained now, 4 reused/);
  const stages = /Stages: (.*) report ([\d.]+) s; total ([\d.]+) s\./.exec(third.stdout);
  assert.ok(stages, third.stdout);
  assert.ok(Number(stages[3]) >= Number(stages[2]), `total ≥ report: ${stages[0]}`);
  assert.match(stages[1]!, /attacks 0\.0 s \(reused\)/);
  const sum = (
    JSON.parse(readFileSync(join(dir, 'timing.json'), 'utf8')).stages as { seconds: number }[]
  ).reduce((t, x) => t + x.seconds, 0);
  assert.ok(Number(stages[3]) + 0.05 >= Number(sum.toFixed(1)), `total ${stages[3]} ≥ timing.json's ${sum}`);
});

test('formatAuditSummary: one model is "1 model"; the total is the run\'s seconds', () => {
  const run = {
    runDir: '/r',
    models: [{ id: 'target', modelReused: false, trainAccuracy: 0.9, valAccuracy: 0.8 }],
    dataset: { name: 'synthetic', auditSamples: 1, usedFallback: false },
    results: [],
    aggregate: undefined,
    comparison: undefined,
    config: { run: { numExperiments: 1 } },
    timing: [
      { stage: 'load dataset', seconds: 0.2, reused: false },
      { stage: 'report', seconds: 2.9, reused: false },
    ],
    seconds: 3.3,
  } as unknown as AuditRun;
  const text = formatAuditSummary(run, 10, undefined);
  assert.match(text, /\(1 audit sample\): 1 model, 1 trained now, 0 reused/);
  assert.doesNotMatch(text, /\b1 models\b/);
  assert.match(text, /Stages: load dataset 0\.2 s, report 2\.9 s; total 3\.3 s\./);
});

test('config errors exit 2 with one line at file:line:column', () => {
  const file = join(tmp, 'bad.yaml');
  writeFileSync(file, 'data:\n  dataset: synthetic\ntarget:\n  architecture: mlp\n  epochs: 0\n');
  const r = runMia(['audit', file]);
  assert.equal(r.code, 2);
  const lines = r.stderr.trim().split('\n');
  assert.equal(lines.length, 1, r.stderr);
  assert.equal(
    lines[0],
    `error [E_CONFIG] ${file}:5:11: target.epochs must be an integer ≥ 1 (expected an integer ≥ 1, found 0)`,
  );
  const set = runMia(['audit', file, '--set', 'target.epochs=2', '--set', 'audit.slices=[entire, clas]']);
  assert.equal(set.code, 2);
  assert.match(
    set.stderr,
    /^error \[E_CONFIG\] --set audit\.slices: audit\.slices\[1\] is not a known slice/,
  );
  const none = runMia(['audit']);
  assert.equal(none.code, 2);
  assert.match(none.stderr, /give exactly one config file/);
  const missing = runMia(['audit', join(tmp, 'nope.yaml')]);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /E_IO.*nope\.yaml/);
});
