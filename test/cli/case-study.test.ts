import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ARTIFACTS, openReport, skipWithoutChromium } from '../report/browser-helper.js';
import { runMia } from './run-mia.js';

// `mia audit configs/case-study.yaml` as the README runs it, on a tiny budget and the synthetic
// dataset (28×28 grey images, like Fashion-MNIST), so that it takes seconds.
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** The README's command line for the case study (its arguments after `npx mia`), when it has one. */
function readmeCommand(): string[] {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const line = /^npx mia (audit configs\/case-study\.yaml[^#\n]*)/m.exec(readme)?.[1];
  assert.ok(line !== undefined, 'README.md runs the case study with `npx mia audit configs/case-study.yaml`');
  return line.trim().split(/\s+/);
}
const tmp = mkdtempSync(join(tmpdir(), 'mia-case-study-'));
after(() => rmSync(tmp, { recursive: true, force: true }));
const dir = join(tmp, 'run');
const TINY = [
  'data.dataset=synthetic',
  'data.audit_size=300',
  'data.population_size=200',
  'data.validation_size=100',
  'training.epochs=3',
  'audit.privacy_samples=100',
];

/** The 6 figures of seed 000 (accuracy/loss and attacks by epoch, per experiment) and the sample grid. */
const FIGURES = ['architecture', 'depth', 'depth-4-classes'].flatMap((e) => [
  `training-${e}`,
  `privacy-by-epoch-${e}`,
]);

let reportPath: string | undefined;

test('mia audit configs/case-study.yaml: three experiments, five models, the figures and the comparison', () => {
  const args = [...readmeCommand(), '--log-dir', dir, ...TINY.flatMap((s) => ['--set', s])];
  const r = runMia(args, ROOT, 60_000);
  assert.equal(r.code, 0, r.stderr + r.stdout);
  assert.match(r.stdout, /3 experiments, 5 models; attacks threshold, lr every epoch on at most 100 members/);
  assert.equal((r.stdout.match(/\[\d\/5\] \S+( \(4 classes\))?: trained in/g) ?? []).length, 5);
  assert.match(
    r.stdout,
    /^Experiment 1, architecture \(a convolutional net vs a dense net of equal depth\), 10 classes: /m,
  );
  assert.match(r.stdout, /^Experiment 2, depth \(dense nets of depth 7 vs 4\), 10 classes: /m);
  assert.match(r.stdout, /^Experiment 3, depth-4-classes \(.*\), 4 classes: .*dense-7 \(4 classes\)/m);
  assert.match(
    r.stdout,
    /^With 4 classes instead of 10 \(best AUC on 4 vs on 10 classes\): dense-4 .*; dense-7 /m,
  );
  assert.match(r.stdout, /^Experiments on synthetic: 5 models, 5 trained now, 0 reused; the comparison/m);
  const html = join(dir, 'report', 'report.html');
  assert.ok(existsSync(html));
  for (const f of [...FIGURES, 'samples']) {
    for (const ext of ['svg', 'png'])
      assert.ok(existsSync(join(dir, 'report', `${f}.${ext}`)), `${f}.${ext}`);
  }
  const page = readFileSync(html, 'utf8');
  assert.match(page, /<section id="experiments"><h2>Experiments compared<\/h2>/);
  assert.match(page, /Dataset: synthetic \(synthetic \(built in\)\)\./);
  assert.match(page, /<p class="sub">\d+ results · 5 models in 3 experiments · /);
  // the reused depth-4 dense net: one model directory and one per-epoch file for both experiments
  assert.ok(existsSync(join(dir, 'privacy', 'dense-4.json')));
  assert.ok(existsSync(join(dir, 'privacy', 'dense-4-k4.json')));
  reportPath = html;

  // a rerun trains nothing
  const again = runMia(args, ROOT, 60_000);
  assert.equal(again.code, 0, again.stderr);
  assert.equal((again.stdout.match(/cached model loaded, per-epoch results reused/g) ?? []).length, 5);
});

test('the case-study report in headless Chromium: every chart draws, no errors, no network', {
  skip: skipWithoutChromium,
  timeout: 60_000,
}, async () => {
  assert.ok(reportPath !== undefined, 'the audit above wrote the report');
  const opened = await openReport(reportPath, {
    screenshot: join(ARTIFACTS, 'case-study.png'),
    textOf: '#experiments',
  });
  const ids = opened.charts.map((c) => c.id);
  for (const f of [...FIGURES, 'samples', 'models']) assert.ok(ids.includes(f), `chart ${f} in the page`);
  for (const c of opened.charts) {
    assert.ok(c.width > 100 && c.height > 100, `${c.id}: ${c.width}×${c.height}`);
    assert.ok(c.lines + c.markers + c.bars + c.images > 0, `${c.id} has data marks`);
  }
  const byEpoch = opened.charts.find((c) => c.id === 'privacy-by-epoch-architecture')!;
  assert.equal(byEpoch.legend, 4 + 1, '2 models × 2 attacks, and chance');
  assert.equal(byEpoch.lines, 3 * 4, 'AUC, advantage and TPR panels × 4 lines');
  assert.equal(opened.charts.find((c) => c.id === 'samples')!.images, 16);
  assert.match(opened.text ?? '', /Every model at the end of training/);
  assert.deepEqual(opened.errors, []);
  assert.deepEqual(opened.requests, []);
});
