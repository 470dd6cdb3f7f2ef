// Opening a report in headless Chromium (Debian `chromium`, driven by playwright-core) for the browser
// tests: what every chart drew, what the page logged, what it tried to fetch, and a screenshot.
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Page } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';

/** The `skip` option of a browser test: false, or why it is skipped. */
export const skipWithoutChromium: false | string =
  !existsSync(CHROMIUM) && `needs ${CHROMIUM} (Debian package chromium)`;

/** test-artifacts/ at the repository root. */
export const ARTIFACTS = fileURLToPath(new URL('../../test-artifacts/', import.meta.url));

/** What one inline chart drew. */
export interface ChartMarks {
  id: string | null;
  width: number;
  height: number;
  lines: number;
  markers: number;
  bars: number;
  images: number;
  legend: number;
}

/** An open report page and what it has logged and requested so far (the arrays keep filling). */
export interface ReportPage {
  page: Page;
  /** console errors and warnings, and uncaught page errors. */
  errors: string[];
  /** Requests to anything but file: and data: URLs. */
  requests: string[];
}

/** What {@link openReport} found: the charts' marks, errors and requests, and the text asked for. */
export interface OpenedReport extends Omit<ReportPage, 'page'> {
  charts: ChartMarks[];
  /** The text of the element `textOf` (when asked). */
  text: string | undefined;
}

/**
 * Opens `html` in headless Chromium (a fresh profile, 1280×900), recording console errors and warnings,
 * page errors and every request to anything but file: and data: URLs, and runs `use` on the loaded page.
 * Chromium is closed and the profile removed afterwards, also when `use` throws.
 */
export function withReportPage<T>(html: string, use: (opened: ReportPage) => Promise<T>): Promise<T> {
  return withPage(pathToFileURL(html).href, use);
}

/**
 * Opens `url` in headless Chromium as {@link withReportPage} does; `local` says which requests count
 * as staying on the machine (default: file: and data: URLs) — every other one lands in `requests`.
 */
export async function withPage<T>(
  url: string,
  use: (opened: ReportPage) => Promise<T>,
  local: (url: string) => boolean = (u) => u.startsWith('file:') || u.startsWith('data:'),
): Promise<T> {
  const { chromium } = await import('playwright-core');
  const profile = mkdtempSync(join(tmpdir(), 'mia-browser-profile-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
      '--disable-sync',
      '--disable-quic',
    ],
    viewport: { width: 1280, height: 900 },
  });
  try {
    const page = context.pages()[0] ?? (await context.newPage());
    const errors: string[] = [];
    const requests: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') errors.push(`console.${m.type()}: ${m.text()}`);
    });
    page.on('pageerror', (e) => errors.push(`page error: ${e.message}`));
    page.on('request', (r) => {
      if (!local(r.url())) requests.push(r.url());
    });
    await page.goto(url, { waitUntil: 'load' });
    return await use({ page, errors, requests });
  } finally {
    await context.close();
    rmSync(profile, { recursive: true, force: true });
  }
}

/** What every inline chart of the page drew (nonzero-sized sample images only). */
export function chartMarks(page: Page): Promise<ChartMarks[]> {
  return page.$$eval('figure.mia-chart svg.mia-chart-svg', (svgs) =>
    svgs.map((svg) => {
      const box = svg.getBoundingClientRect();
      return {
        id: svg.getAttribute('data-chart'),
        width: box.width,
        height: box.height,
        lines: svg.querySelectorAll('.mia-line').length,
        markers: svg.querySelectorAll('.mia-marker').length,
        bars: svg.querySelectorAll('.mia-bar').length,
        images: [...svg.querySelectorAll('image.mia-image')].filter((i) => {
          const b = i.getBoundingClientRect();
          return b.width > 0 && b.height > 0;
        }).length,
        legend: svg.querySelectorAll('.mia-legend-item').length,
      };
    }),
  );
}

/** Saves a full-page screenshot of `page` at `path`, creating its directory. */
export async function saveScreenshot(page: Page, path: string): Promise<void> {
  mkdirSync(dirname(path), { recursive: true });
  await page.screenshot({ path, fullPage: true });
}

/**
 * Opens `html` in headless Chromium ({@link withReportPage}), collects every chart's marks, the errors
 * logged and the requests made, reads the text of `options.textOf` and, with `options.screenshot`, saves
 * a full-page screenshot there. Chromium is closed afterwards.
 */
export function openReport(
  html: string,
  options: { screenshot?: string; textOf?: string } = {},
): Promise<OpenedReport> {
  return withReportPage(html, async ({ page, errors, requests }) => {
    const charts = await chartMarks(page);
    const text = options.textOf === undefined ? undefined : ((await page.textContent(options.textOf)) ?? '');
    if (options.screenshot !== undefined) await saveScreenshot(page, options.screenshot);
    return { charts, errors, requests, text };
  });
}
