// A rerun of a finished audit whose cached files were damaged (truncated, as by a full disk or a copy
// cut short): each unreadable file is reported in one progress line and computed again, and the result
// equals the first run's.
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, truncateSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { parseAuditConfig } from '../../src/audit/config.js';
import { runAudit } from '../../src/audit/pipeline.js';
import { memoryLogger } from '../../src/core/logger.js';
import { readNpz } from '../../src/io/npz.js';

const tmp = mkdtempSync(join(tmpdir(), 'mia-resume-'));
after(() => rmSync(tmp, { recursive: true, force: true }));
const dir = join(tmp, 'run');

const CONFIG = `run:
  seed: 3
  log_dir: ${dir}
data:
  dataset: synthetic
  audit_size: 80
  population_size: 40
  validation_size: 20
  synthetic: {shape: [8], classes: 3, noise: 2}
target:
  architecture: logistic
  epochs: 3
  batch_size: 16
audit:
  reference_models: 3
  attacks: [lira-offline, lira-online, lira-offline-fixed-variance, loss]
report:
  enabled: false
`;
const config = () => parseAuditConfig(CONFIG, 'resume.yaml');
const ZIP_ERROR =
  'not a valid zip archive: no end-of-central-directory record (not a zip file, or truncated)';

/** The arrays of an .npz as plain arrays, for comparing files by content. */
function npzContent(path: string): Record<string, number[]> {
  const out: Record<string, number[]> = {};
  for (const [k, a] of readNpz(path)) out[k] = Array.from(a.data as ArrayLike<number>);
  return out;
}

test('unreadable signal, model and results files are reported, computed again, and give the same results', async () => {
  const first = await runAudit(config(), { logger: memoryLogger() });
  const results = readFileSync(join(dir, 'results.json'), 'utf8');
  const scores = npzContent(join(dir, 'scores.npz'));
  const targetSignals = npzContent(join(dir, 'signals', 'target.npz'));
  const refSignals = npzContent(join(dir, 'signals', 'ref-01.npz'));
  assert.ok(
    first.notes.some((n) =>
      /^lira-offline: \d+ of 80 samples have fewer than 2 OUT reference models/.test(n),
    ),
    first.notes.join('\n'),
  );

  // 1. a truncated signal file: noticed, the model is loaded from its cache and the signals recomputed
  // without manifest.json (a run directory older than it) damage is found by reading the file; with
  // it, by its recorded checksum (test/audit/run-integrity.test.ts)
  rmSync(join(dir, 'manifest.json'));
  truncateSync(join(dir, 'signals', 'target.npz'), 30);
  const log1 = memoryLogger();
  const second = await runAudit(config(), { logger: log1 });
  const unreadable1 = log1.lines.filter((l) => /unreadable/.test(l));
  assert.deepEqual(unreadable1, [
    `[1/4] target: signals/target.npz: unreadable (${ZIP_ERROR}); computing the signals again`,
  ]);
  assert.deepEqual(
    second.models.map((m) => [m.modelReused, m.signalsReused]),
    [
      [true, false],
      [true, true],
      [true, true],
      [true, true],
    ],
  );
  assert.deepEqual(npzContent(join(dir, 'signals', 'target.npz')), targetSignals);
  assert.deepEqual(second.results, first.results);

  // 2. a truncated model (and its signals) and a truncated results.json: the model is trained again,
  // the attacks rerun on the new signals — and every number is the first run's
  const hash = readdirSync(join(dir, 'models', 'ref-01'))[0]!;
  rmSync(join(dir, 'manifest.json'));
  truncateSync(join(dir, 'models', 'ref-01', hash, 'weights.npz'), 100);
  truncateSync(join(dir, 'signals', 'ref-01.npz'), 50);
  truncateSync(join(dir, 'results.json'), 10);
  const log2 = memoryLogger();
  const third = await runAudit(config(), { logger: log2 });
  const unreadable2 = log2.lines.filter((l) => /unreadable/.test(l));
  assert.equal(unreadable2.length, 3, log2.lines.join('\n'));
  assert.equal(
    unreadable2[0],
    `[2/4] ref-01: signals/ref-01.npz: unreadable (${ZIP_ERROR}); computing the signals again`,
  );
  assert.equal(
    unreadable2[1],
    `[2/4] ref-01  cached model ${join(dir, 'models', 'ref-01', hash)}: unreadable (weights.npz: ${ZIP_ERROR}); training it again`,
  );
  assert.match(
    unreadable2[2]!,
    /^results\.json: unreadable \(invalid JSON: .*\); computing the attacks again$/,
  );
  assert.ok(
    log2.lines.some((l) => /^\[2\/4\] ref-01 {2}epoch 3\/3 /.test(l)),
    'ref-01 trained again',
  );
  assert.deepEqual(
    third.models.map((m) => [m.modelReused, m.signalsReused]),
    [
      [true, true],
      [false, false],
      [true, true],
      [true, true],
    ],
  );
  assert.equal(third.resultsReused, false);
  assert.deepEqual(readdirSync(join(dir, 'models', 'ref-01')), [hash], 'the damaged copy is gone');
  assert.deepEqual(npzContent(join(dir, 'signals', 'ref-01.npz')), refSignals);
  assert.deepEqual(third.results, first.results);
  assert.deepEqual(third.notes, first.notes);
  assert.equal(readFileSync(join(dir, 'results.json'), 'utf8'), results);
  assert.deepEqual(npzContent(join(dir, 'scores.npz')), scores);

  // 3. a truncated scores.npz: results.json alone is not reused
  rmSync(join(dir, 'manifest.json'));
  truncateSync(join(dir, 'scores.npz'), 200);
  const log3 = memoryLogger();
  const fourth = await runAudit(config(), { logger: log3 });
  assert.deepEqual(
    log3.lines.filter((l) => /unreadable/.test(l)),
    [`scores.npz: unreadable (${ZIP_ERROR}); computing the attacks again`],
  );
  assert.equal(fourth.resultsReused, false);
  assert.deepEqual(npzContent(join(dir, 'scores.npz')), scores);
  assert.equal(readFileSync(join(dir, 'results.json'), 'utf8'), results);
});
