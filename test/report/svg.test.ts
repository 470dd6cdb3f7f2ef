import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type ChartSpec, DASHES, MARKERS, styleOf } from '../../src/report/chart-spec.js';
import { renderChart } from '../../src/report/svg.js';

function spec(): ChartSpec {
  return {
    id: 'demo',
    title: 'Demo <chart> & "quotes"',
    caption: 'A test chart.',
    columns: 2,
    legend: [
      { key: 'a', name: 'series <a> & co', style: styleOf(0) },
      { key: 'b', name: 'series b', style: styleOf(1) },
    ],
    panels: [
      {
        kind: 'xy',
        title: 'linear',
        x: { label: 'x (units)', scale: 'linear', domain: [0, 1] },
        y: { label: 'y (units)', scale: 'linear', domain: [0, 1] },
        series: [
          {
            key: 'a',
            name: 'series <a> & co',
            x: [0, 0.5, 1],
            y: [0, 0.5, 1],
            style: styleOf(0),
            markers: 'all',
          },
          {
            key: 'b',
            name: 'series b',
            x: [0, 0.25, 1],
            y: [0.1, Number.NaN, 0.9],
            style: styleOf(1),
            markers: 'some',
          },
        ],
        referenceLines: [{ from: [0, 0], to: [1, 1], label: 'chance' }],
      },
      {
        kind: 'bar',
        title: 'bars',
        categoryLabel: 'category',
        categories: ['c1', 'c2', 'c3'],
        y: { label: 'AUC', scale: 'linear', domain: [0.4, 0.8] },
        baseline: 0.5,
        baselineLabel: 'chance (AUC 0.5)',
        groups: [
          { key: 'a', name: 'series <a> & co', style: styleOf(0), values: [0.6, null, 0.45] },
          { key: 'b', name: 'series b', style: styleOf(1), values: [0.7, 0.55, 0.5] },
        ],
      },
    ],
  };
}

const count = (s: string, re: RegExp) => (s.match(re) ?? []).length;

test('renderChart: a well-formed standalone SVG with every mark', () => {
  const r = renderChart(spec());
  const { svg } = r;
  assert.match(
    svg,
    /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg" class="mia-chart-svg" data-chart="demo" /,
  );
  assert.ok(svg.endsWith('</svg>'));
  assert.match(
    svg,
    new RegExp(`width="${r.width}" height="${r.height}" viewBox="0 0 ${r.width} ${r.height}"`),
  );
  assert.equal(r.width, 2 * 420 + 2 * 14);
  assert.equal(count(svg, /<g[ >]/g), count(svg, /<\/g>/g), 'balanced groups');
  assert.doesNotMatch(svg, /NaN|undefined|Infinity/);
  assert.doesNotMatch(svg, /<script|https?:\/\/(?!www\.w3\.org\/2000\/svg)/);
  // Two line series, two bar groups.
  assert.equal(count(svg, /class="mia-series"/g), 4);
  assert.equal(count(svg, /class="mia-line"/g), 2);
  // 3 present values of group a minus the null, 3 of group b.
  assert.equal(count(svg, /class="mia-bar"/g), 5);
  // Legend: 2 entries + the reference line + the bar baseline.
  assert.equal(count(svg, /class="mia-legend-item"/g), 4);
  // Every id belongs to this chart.
  for (const m of svg.matchAll(/ id="([^"]+)"/g)) assert.ok(m[1]!.startsWith('demo-'), m[1]);
  // Text is escaped.
  assert.ok(svg.includes('series &lt;a&gt; &amp; co'));
  assert.ok(svg.includes('Demo &lt;chart&gt; &amp; &quot;quotes&quot;'));
  assert.ok(!svg.includes('series <a>'));
  assert.equal(renderChart(spec()).svg, svg, 'deterministic');
});

test('renderChart: line pixels follow the scales, hover data matches the drawn points', () => {
  const r = renderChart(spec());
  const path = /class="mia-line" d="([^"]+)"/.exec(r.svg)![1]!;
  const pts = [...path.matchAll(/[ML]([\d.]+) ([\d.]+)/g)].map((m) => [Number(m[1]), Number(m[2])] as const);
  assert.equal(pts.length, 3);
  const [p0, p1, p2] = pts as [
    readonly [number, number],
    readonly [number, number],
    readonly [number, number],
  ];
  assert.ok(Math.abs(p1[0] - (p0[0] + p2[0]) / 2) < 0.02, 'x = 0.5 is midway');
  assert.ok(Math.abs(p1[1] - (p0[1] + p2[1]) / 2) < 0.02, 'y = 0.5 is midway');
  assert.ok(p2[1] < p0[1], 'y grows upwards');
  const hover = r.hover[0]!;
  assert.equal(hover.kind, 'xy');
  if (hover.kind !== 'xy') return;
  const [a, b] = hover.series;
  assert.deepEqual(a!.x, [0, 0.5, 1]);
  for (const [i, px] of a!.px.entries()) assert.ok(Math.abs(px - pts[i]![0]) < 0.06);
  // The NaN point of series b is left out of the line and of the hover data, in step.
  assert.deepEqual(b!.x, [0, 1]);
  assert.deepEqual(b!.y, [0.1, 0.9]);
  assert.equal(b!.px.length, 2);
  assert.equal(hover.box.length, 4);
  assert.deepEqual(r.hover[1], { kind: 'tips' });
});

test('bars: values drawn from the baseline, tooltip text with the value', () => {
  const r = renderChart(spec());
  const bars = [
    ...r.svg.matchAll(
      /<rect class="mia-bar" x="[\d.]+" y="([\d.]+)" width="[\d.]+" height="([\d.]+)"[^>]*data-tip="([^"]+)"/g,
    ),
  ];
  assert.equal(bars.length, 5);
  const byTip = new Map(bars.map((m) => [m[3]!, { y: Number(m[1]), h: Number(m[2]) }]));
  const up = byTip.get('series &lt;a&gt; &amp; co — c1: AUC 0.6')!;
  const down = byTip.get('series &lt;a&gt; &amp; co — c3: AUC 0.45')!;
  assert.ok(up !== undefined && down !== undefined);
  // 0.6 is 0.1 above the baseline and 0.45 is 0.05 below: heights 2:1, one ending where the other starts.
  assert.ok(Math.abs(up.h / down.h - 2) < 0.02);
  assert.ok(Math.abs(up.y + up.h - down.y) < 0.02);
});

test('styles: the first six series differ in dash and in marker as well as colour (greyscale)', () => {
  const styles = Array.from({ length: 6 }, (_, i) => styleOf(i));
  assert.equal(new Set(styles.map((s) => DASHES[s.dash])).size, 6);
  assert.equal(new Set(styles.map((s) => MARKERS[s.marker])).size, 6);
  assert.equal(new Set(styles.map((s) => s.color)).size, 6);
});

test('legend rows wrap to the figure width', () => {
  const s = spec();
  s.columns = 1;
  s.panels = [s.panels[0]!];
  s.legend = Array.from({ length: 12 }, (_, i) => ({
    key: `k${i}`,
    name: `a fairly long series name ${i}`,
    style: styleOf(i),
  }));
  const r = renderChart(s);
  const ys = new Set(
    [...r.svg.matchAll(/class="mia-legend-item"[^>]*><rect x="[\d.]+" y="([\d.]+)"/g)].map((m) => m[1]),
  );
  assert.ok(ys.size >= 4, `rows: ${ys.size}`);
  for (const m of r.svg.matchAll(
    /class="mia-legend-item"[^>]*><rect x="([\d.]+)" y="[\d.]+" width="([\d.]+)"/g,
  )) {
    assert.ok(Number(m[1]) + Number(m[2]) <= r.width, 'inside the figure');
  }
});
