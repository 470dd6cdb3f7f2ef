import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { aggregateResults } from '../../src/audit/aggregate.js';
import type { AuditResult } from '../../src/audit/attack-stage.js';
import { isMiaError } from '../../src/errors.js';
import { writeReport } from '../../src/report/write-report.js';
import { makeRunDir } from './fixture.js';
import { decodePng } from './png-decode.js';

const dir = join(mkdtempSync(join(tmpdir(), 'mia-report-')), 'run');
makeRunDir(dir);

test('writeReport: report.html and every chart as SVG and PNG beside it', async () => {
  const r = await writeReport(dir, { now: new Date('2025-01-02T03:04:05Z') });
  assert.equal(r.html, join(dir, 'report', 'report.html'));
  assert.deepEqual(r.warnings, []);
  const ids = ['roc', 'training', 'privacy-by-epoch', 'privacy-vs-utility', 'slices', 'samples'];
  assert.deepEqual(
    r.charts,
    ids.flatMap((id) => [join(dir, 'report', `${id}.svg`), join(dir, 'report', `${id}.png`)]),
  );
  const html = readFileSync(r.html, 'utf8');
  for (const id of ids) {
    const svg = readFileSync(join(dir, 'report', `${id}.svg`), 'utf8');
    assert.ok(html.includes(svg), `${id}.svg is inlined in the page as written`);
    const [, w, h] = /width="(\d+)" height="(\d+)"/.exec(svg)!;
    const png = decodePng(readFileSync(join(dir, 'report', `${id}.png`)));
    assert.deepEqual([png.width, png.height], [2 * Number(w), 2 * Number(h)], `${id}.png is 2× the SVG`);
  }
  // Self-contained: a CSP that forbids fetching, and no reference to anything but data: URLs and local files.
  assert.match(
    html,
    /<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src data:;/,
  );
  const urls = [...html.matchAll(/(?:src|href)="([^"#][^"]*)"/g)].map((m) => m[1]!);
  for (const u of urls) assert.ok(u.startsWith('data:image/png;base64,') || /^[\w-]+\.(svg|png)$/.test(u), u);
  assert.doesNotMatch(html.replace(/http:\/\/www\.w3\.org\/2000\/svg/g, ''), /https?:\/\//);
  // The page holds the summary, the attacks × slices table, config, timing and environment.
  assert.match(html, /<strong>Leakage: (high|moderate|low|none measured)\.<\/strong>/);
  assert.match(html, /<table class="matrix">/);
  assert.match(html, /<td class="t">class 3<\/td>/);
  assert.ok(
    html.includes('attacks: [threshold, lr] # &lt;script&gt;alert(1)&lt;/script&gt;'),
    'config escaped',
  );
  assert.ok(!html.includes('<script>alert(1)'));
  assert.match(
    html,
    /<td class="t">train models<\/td><td>63\.10<\/td><td class="t">reused from a previous run<\/td>/,
  );
  assert.match(
    html,
    /<th class="t">dataset\.source<\/th><td class="t">embedded synthetic dataset \(test fixture\)<\/td>/,
  );
  assert.match(html, /generated 2025-01-02T03:04:05\.000Z/);
  const hover = JSON.parse(
    /<script type="application\/json" id="mia-hover">([^<]*)<\/script>/.exec(html)![1]!,
  );
  assert.deepEqual(Object.keys(hover), ids);
});

test('writeReport: a missing results.json is one E_IO error naming it; optional files only drop charts', async () => {
  const empty = mkdtempSync(join(tmpdir(), 'mia-report-empty-'));
  await assert.rejects(
    writeReport(empty),
    (e) => isMiaError(e) && e.code === 'E_IO' && e.where === join(empty, 'results.json'),
  );
  assert.equal(existsSync(join(empty, 'report')), false);
  const bare = join(mkdtempSync(join(tmpdir(), 'mia-report-bare-')), 'run');
  makeRunDir(bare, {
    n: 100,
    attacks: ['threshold'],
    history: false,
    privacy: false,
    samples: false,
    scores: false,
  });
  for (const f of ['environment.json', 'timing.json', 'config.yaml']) rmSync(join(bare, f));
  const r = await writeReport(bare, { png: false, outDir: join(bare, 'out') });
  assert.deepEqual(readdirSync(join(bare, 'out')).sort(), ['report.html', 'slices.svg']);
  const html = readFileSync(r.html, 'utf8');
  assert.match(
    html,
    /Not in the run directory, so their charts are left out: scores\.npz \(ROC curves\); history\.json/,
  );
  assert.match(html, /No config\.yaml in the run directory/);
  assert.match(html, /No timing\.json in the run directory/);
});

test("writeReport: the pipeline's aggregate over experiments and its notes are shown", async () => {
  const d = join(mkdtempSync(join(tmpdir(), 'mia-report-agg-')), 'run');
  makeRunDir(d, {
    multi: true,
    n: 100,
    attacks: ['threshold'],
    history: false,
    privacy: false,
    samples: false,
  });
  const file = JSON.parse(readFileSync(join(d, 'results.json'), 'utf8')) as { results: AuditResult[] };
  const aggregate = aggregateResults(file.results);
  writeFileSync(
    join(d, 'results.json'),
    JSON.stringify({ ...file, aggregate, notes: ['rmia: a tuned to 0.3 [experiment 1]'], key: 'abc' }),
  );
  const r = await writeReport(d, { png: false });
  const html = readFileSync(r.html, 'utf8');
  const entire = aggregate.find((a) => a.attack === 'threshold' && a.slice.feature === 'entire_dataset')!;
  assert.match(html, /<h3>Across experiments \(entire dataset, mean ± standard deviation\)<\/h3>/);
  assert.ok(
    html.includes(
      `<td class="t">threshold</td><td>4</td><td>${entire.auc.mean.toFixed(3)} ± ${entire.auc.std.toFixed(3)}</td>`,
    ),
  );
  assert.ok(html.includes('<li>rmia: a tuned to 0.3 [experiment 1]</li>'));
});
