/** Slices in tables and charts (issue 17 item 4): intervals everywhere, small slices greyed, never darkest. */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import type { BarPanel } from '../../src/report/chart-spec.js';
import { slicesChart } from '../../src/report/charts/bars.js';
import { renderChart } from '../../src/report/svg.js';
import { targetsOf } from '../../src/report/targets.js';
import { writeReport } from '../../src/report/write-report.js';
import { tprEntry } from '../audit/helpers.js';
import { makeRunDir, reportResult } from './fixture.js';

const dir = mkdtempSync(join(tmpdir(), 'mia-slice-display-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const e = tprEntry(0.05, 0.02, 0.1, false);
const cls = (value: number, auc: number, n: number, low: number, high: number) =>
  reportResult(
    'lr',
    auc,
    { '0.01': e },
    {
      slice: { feature: 'class', value },
      nMembers: n,
      nNonMembers: n,
      aucInterval: { low, high, se: (high - low) / 3.92, method: 'DeLong' },
    },
  );

test('slicesChart: AUC error bars on every bar, a 2-member slice greyed with a note', () => {
  const results = [
    reportResult('lr', 0.6, { '0.01': e }),
    cls(0, 0.62, 100, 0.55, 0.69),
    cls(1, 0.981, 2, 0.5, 1),
  ];
  const spec = slicesChart('slices', 'x', targetsOf(results)[0]!)!;
  const g = (spec.panels[0] as BarPanel).groups[0]!;
  assert.deepEqual(g.intervals, [
    [0.55, 0.69],
    [0.5, 1],
  ]);
  assert.deepEqual(g.muted, [false, true]);
  assert.match(g.notes![1]!, /2 members, 2 non-members; fewer than 30: too small to compare/);
  const svg = renderChart(spec).svg;
  assert.equal(svg.match(/class="mia-errorbar"/g)?.length, 2);
  assert.equal(svg.match(/class="mia-bar mia-muted"/g)?.length, 1);
  assert.match(svg, /95% CI 0\.55–0\.69/);
});

test('report heatmap: each cell has its interval; a small slice is grey and not the darkest cell', async () => {
  makeRunDir(dir);
  const path = join(dir, 'results.json');
  const file = JSON.parse(readFileSync(path, 'utf8'));
  // every attack on class 3: 2 members (as a real slice would be for all attacks)
  for (const t of file.results as { slice: { feature: string; value?: number }; aucInterval: object }[]) {
    if (t.slice.feature !== 'class' || t.slice.value !== 3) continue;
    Object.assign(t, {
      nMembers: 2,
      nNonMembers: 40,
      auc: 0.981,
      aucInterval: { ...t.aucInterval, low: 0.7, high: 1 },
    });
  }
  writeFileSync(path, JSON.stringify(file));
  const r = await writeReport(dir, { now: new Date('2025-01-02T03:04:05Z') });
  const html = readFileSync(r.html, 'utf8');
  const matrix = html.slice(
    html.indexOf('<table class="matrix"'),
    html.indexOf('</table>', html.indexOf('<table class="matrix"')),
  );
  const row = matrix.split('<tr').find((x) => x.includes('class 3'))!;
  assert.match(row, /^ class="small">/);
  assert.match(row, /\(too small\)/);
  assert.doesNotMatch(row, /background: rgba/); // greyed, never shaded
  assert.match(row, /0\.981<br><span class="note">0\.70–1\.00<\/span>/);
  assert.match(row, /too small to compare/);
  assert.match(html, /Grey rows: fewer than 30 members or non-members/);
  // the shade follows the lower bound: a cell whose interval reaches 0.5 is unshaded
  for (const cell of matrix.matchAll(
    /<td style="background: rgba\(213, 94, 0, ([\d.]+)\)" title="[^"]*\(95% CI ([\d.]+)–/g,
  )) {
    assert.ok(Number(cell[2]) > 0.5, `shaded cell with lower bound ${cell[2]}`);
  }
  assert.doesNotMatch(html, /most exposed slice is class 3/);
});
