import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { writeReport } from '../../src/report/write-report.js';
import {
  ARTIFACTS,
  chartMarks,
  saveScreenshot,
  skipWithoutChromium,
  withReportPage,
} from './browser-helper.js';
import { makeRunDir } from './fixture.js';

// Opens the report in headless Chromium (browser-helper.ts): every chart renders with its marks, hover
// and legend toggles work, the page logs no error and fetches nothing.

test('report.html in headless Chromium: charts render, interactions work, no errors, no network', {
  skip: skipWithoutChromium,
  timeout: 60_000,
}, async () => {
  const root = mkdtempSync(join(tmpdir(), 'mia-browser-'));
  const runDir = join(root, 'run');
  makeRunDir(runDir, { n: 400 });
  const report = await writeReport(runDir, { png: false });
  const chartCount = readdirSync(join(runDir, 'report')).filter((f) => f.endsWith('.svg')).length;
  try {
    await withReportPage(report.html, async ({ page, errors, requests }) => {
      // Every chart: an inline SVG with a nonzero box and its data marks.
      const charts = await chartMarks(page);
      assert.equal(charts.length, chartCount, 'one inline SVG per chart file');
      for (const c of charts) {
        assert.ok(c.width > 100 && c.height > 100, `${c.id}: ${c.width}×${c.height}`);
        assert.ok(c.lines + c.markers + c.bars + c.images > 0, `${c.id} has data marks`);
      }
      assert.ok(charts.find((c) => c.id === 'roc')!.lines >= 6, 'ROC: 3 attacks × 2 panels');
      assert.ok(charts.find((c) => c.id === 'slices')!.bars > 10);
      assert.equal(charts.find((c) => c.id === 'samples')!.images, 16);
      // (Browser-side code as text: the project compiles without the DOM library.)
      const decoded =
        await page.evaluate<boolean>(`Promise.all([...document.querySelectorAll('image.mia-image')].map(
      (i) => new Promise((resolve) => {
        const im = new Image();
        im.onload = () => resolve(im.naturalWidth > 0);
        im.onerror = () => resolve(false);
        im.src = i.getAttribute('href');
      }))).then((ok) => ok.every(Boolean))`);
      assert.ok(decoded, 'every sample image decodes');

      // Hover: move onto the first point of the first ROC series; the tooltip names it with values.
      const target = await page.evaluate<{ x: number; y: number }>(`(() => {
      const svg = document.querySelector('svg[data-chart="roc"]');
      svg.scrollIntoView({ block: 'center' });
      const path = svg.querySelector('.mia-series .mia-line');
      const p = path.getPointAtLength(path.getTotalLength() * 0.4);
      const m = svg.getScreenCTM();
      return { x: m.a * p.x + m.c * p.y + m.e, y: m.b * p.x + m.d * p.y + m.f };
    })()`);
      await page.mouse.move(target.x, target.y);
      const tip = await page.$eval('#mia-tip', (t) => ({
        hidden: t.hasAttribute('hidden'),
        text: t.textContent,
      }));
      assert.equal(tip.hidden, false);
      assert.match(tip.text ?? '', /^lr|^threshold/);
      assert.match(tip.text ?? '', /False positive rate: [\d.e-]+\nTrue positive rate: [\d.e-]+/);

      // Legend: a click hides the series in both panels, a second click shows it again.
      const key = await page.$eval('svg[data-chart="roc"] .mia-legend-item', (el) =>
        el.getAttribute('data-series'),
      );
      const visible = () =>
        page.evaluate<number>(
          `[...document.querySelectorAll('svg[data-chart="roc"] .mia-series')].filter((e) =>
          e.getAttribute('data-series') === ${JSON.stringify(key)} && getComputedStyle(e).display !== 'none').length`,
        );
      assert.equal(await visible(), 2);
      await page.click('svg[data-chart="roc"] .mia-legend-item');
      assert.equal(await visible(), 0);
      await page.click('svg[data-chart="roc"] .mia-legend-item');
      assert.equal(await visible(), 2);

      // Bars carry their own tooltip.
      await page.hover('svg[data-chart="slices"] .mia-bar');
      assert.match(
        (await page.textContent('#mia-tip')) ?? '',
        /AUC \(0\.5 = guessing\) 0\.\d+ \(95% CI 0\.\d+–[01]\.\d+; \d+ members, \d+ non-members\)/,
      );
      await page.mouse.move(0, 0);

      await saveScreenshot(page, join(ARTIFACTS, 'report.png'));
      assert.deepEqual(errors, []);
      assert.deepEqual(requests, []);
    });
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
