import assert from 'node:assert/strict';
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { MiaClient } from '../../src/client/mia-client.js';
import { encodeNpz } from '../../src/io/npz.js';
import { ARTIFACTS, saveScreenshot, skipWithoutChromium, withPage } from '../report/browser-helper.js';
import { freePort, tinyConfig } from '../server/service-helpers.js';

// The web UI in headless Chromium (Debian's chromium driven by playwright-core) against a real
// `mia serve` on 127.0.0.1 with a temp data directory: sign in, a config typo shown at line:column, fix
// it, submit, watch the run succeed, read its report, see the runs table follow a second run, compare
// the two; a read-only token sees no write button. No console error, no request leaves the server.
const BIN = fileURLToPath(new URL('../../bin/mia.js', import.meta.url));

/** Resolves once `ok()` holds, looking every 100 ms (the page's CSP forbids waitForFunction's eval). */
async function until(ok: () => Promise<boolean>, ms = 30_000): Promise<void> {
  const t0 = Date.now();
  while (!(await ok())) {
    if (Date.now() - t0 > ms) throw new Error(`not true after ${ms} ms: ${ok}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * An .npz of one model's outputs as `mia attack --input` reads it: `n` members and `n` non-members, 3
 * classes, the true class's logit higher for members (so the attacks find something); without
 * labels_test when `broken`.
 */
function outputsNpz(n: number, broken = false): Uint8Array {
  let x = 12345;
  const next = () => {
    x = (x * 1103515245 + 12345) % 2 ** 31;
    return x / 2 ** 31;
  };
  const side = (boost: number) => {
    const labels = Int32Array.from({ length: n }, () => Math.floor(next() * 3));
    const logits = Float32Array.from({ length: n * 3 }, () => next() * 2);
    for (let i = 0; i < n; i++) logits[i * 3 + labels[i]!]! += boost;
    return { labels, logits };
  };
  const train = side(2);
  const test = side(0.5);
  const f32 = (data: Float32Array) => ({ dtype: 'float32' as const, shape: [n, 3], data });
  const i32 = (data: Int32Array) => ({ dtype: 'int32' as const, shape: [n], data });
  return encodeNpz({
    logits_train: f32(train.logits),
    logits_test: f32(test.logits),
    labels_train: i32(train.labels),
    ...(broken ? {} : { labels_test: i32(test.labels) }),
  });
}

async function serve(data: string): Promise<{ url: string; child: ChildProcess }> {
  const port = await freePort();
  const child = spawn(process.execPath, [BIN, 'serve', '--data', data, '--port', String(port)], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (b: Buffer) => {
    out += b.toString();
  });
  child.stderr!.on('data', (b: Buffer) => {
    out += b.toString();
  });
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 200; i++) {
    try {
      if ((await fetch(`${url}/api/v1/health`)).ok && existsSync(join(data, 'admin-token')))
        return { url, child };
    } catch {
      // not listening yet
    }
    if (child.exitCode !== null) throw new Error(`mia serve exited: ${out}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill('SIGKILL');
  throw new Error(`mia serve did not start: ${out}`);
}

test('the web UI: sign in, validate, submit, watch, report, runs table, compare, upload outputs; read-only sees no writes', {
  skip: skipWithoutChromium,
  timeout: 300_000,
}, async () => {
  const data = mkdtempSync(join(tmpdir(), 'mia-web-'));
  const { url, child } = await serve(data);
  try {
    const admin = readFileSync(join(data, 'admin-token'), 'utf8').trim();
    const ro = spawnSync(process.execPath, [BIN, 'token', 'create', '--data', data, '--read-only'], {
      encoding: 'utf8',
    });
    const readOnly = ro.stdout.trim().split(/\s+/).at(-1)!;
    const local = (u: string) => u.startsWith(`${url}/`) || /^(data|blob|about):/.test(u);
    await withPage(
      `${url}/`,
      async ({ page, errors, requests }) => {
        // sign in
        await page.fill('#token', admin);
        await page.click('#sign-in button[type=submit]');
        await page.waitForSelector('#runs-table');
        assert.ok(await page.isVisible('#nav-submit'));
        // (browser-side code as text: the project compiles without the DOM library)
        assert.equal(
          await page.evaluate("location.href.includes(sessionStorage.getItem('mia-token'))"),
          false,
        );

        // submit: seeded with the quickstart; a typo shows its line:column inline, the fix clears it
        await page.click('#nav-submit');
        await until(async () => (await page.inputValue('#config-editor')).includes('fashion-mnist'));
        assert.equal(await page.inputValue('#config-picker'), 'quickstart.yaml');
        await page.fill('#config-file', 'tiny.yaml');
        await page.fill('#config-editor', tinyConfig(3).replace('  epochs: 3', '  epochz: 3'));
        const err = await page.waitForSelector('.config-error');
        assert.match((await err.textContent()) ?? '', /tiny\.yaml:11:3 E_CONFIG: .*epochz/);
        await saveScreenshot(page, join(ARTIFACTS, 'web-ui', 'config-error.png'));
        await page.fill('#config-editor', tinyConfig(3));
        await page.waitForSelector('#config-errors .ok');
        // the common-keys form reads the YAML and writes into it
        assert.equal(await page.inputValue('#key-epochs'), '3');
        assert.equal(await page.inputValue('#key-references'), '3');
        await page.fill('#key-epochs', '2');
        await page.dispatchEvent('#key-epochs', 'change');
        assert.match(await page.inputValue('#config-editor'), /\n {2}epochs: 2\n/);
        await page.fill('#audit-name', 'first');
        await page.fill('#audit-experiment', 'cmp');
        await page.click('#submit-audit');

        // watch it: stage, per-model bars, log, then the report and the artifacts
        await until(async () => /#\/run\/[0-9a-f-]{36}$/.test(page.url()));
        const first = page.url().split('/').at(-1)!;
        await page.waitForSelector('#run-status.status-succeeded', { timeout: 150_000 });
        assert.ok(
          (await page.$$('#run-models .model-row')).length >= 4,
          'a bar per model: the target and 3 references',
        );
        assert.match((await page.textContent('#run-models')) ?? '', /epoch 2\/2 · \d+ samples\/s · ETA/);
        assert.match((await page.textContent('#run-log')) ?? '', /attacks: rmia/);
        await page.waitForSelector('#run-files');
        assert.ok((await page.textContent('#run-files'))?.includes('results.json'));
        const report = page.frameLocator('#run-report');
        assert.match((await report.locator('#summary h2').textContent()) ?? '', /Summary/);
        assert.ok((await report.locator('svg.mia-chart-svg').count()) >= 1, 'the report draws its charts');
        assert.equal(await page.getAttribute('#run-report', 'sandbox'), 'allow-scripts');
        await saveScreenshot(page, join(ARTIFACTS, 'web-ui', 'run.png'));

        // the runs table follows a second run submitted elsewhere, with no reload
        await page.click('nav a[href="#/"]');
        await page.waitForSelector(`#runs-table tr[data-id="${first}"][data-status="succeeded"]`);
        const second = await new MiaClient(url, admin).submit(tinyConfig(12), {
          name: 'second',
          experiment: 'cmp',
        });
        await page.waitForSelector(`#runs-table tr[data-id="${second}"]`);
        await page.waitForSelector(`#runs-table tr[data-id="${second}"][data-status="succeeded"]`, {
          timeout: 150_000,
        });
        const row = (await page.textContent(`#runs-table tr[data-id="${second}"]`)) ?? '';
        assert.match(row, /second.*cmp.*succeeded.*0\.\d{3} \[0\.\d{3}–0\.\d{3}\].*%\s\[/);
        await page.selectOption('#filter-status', 'failed');
        assert.equal(await page.$$eval('#runs-table tbody tr', (r) => r.length), 0);
        await page.selectOption('#filter-status', '');
        await saveScreenshot(page, join(ARTIFACTS, 'web-ui', 'runs.png'));
        // a narrow window: the page itself does not scroll sideways (the table scrolls in its box)
        await page.setViewportSize({ width: 400, height: 800 });
        assert.ok(((await page.evaluate('document.documentElement.scrollWidth')) as number) <= 400);
        await saveScreenshot(page, join(ARTIFACTS, 'web-ui', 'runs-narrow.png'));
        await page.setViewportSize({ width: 1280, height: 900 });

        // compare the two: ROC overlay on both panels, the table with intervals, one statement about the pair
        await page.click(`#runs-table tr[data-id="${second}"] a[href^="#/compare/"]`);
        await page.waitForSelector('#compare-roc svg');
        assert.ok((await page.$$('#compare-roc svg .mia-line')).length >= 4, '2 runs × 2 panels');
        assert.equal(await page.$$eval('#compare-table tbody tr', (r) => r.length), 2);
        assert.match((await page.textContent('#compare-table')) ?? '', /0\.\d{3} \[0\.\d{3}–0\.\d{3}\]/);
        assert.equal(await page.$$eval('#compare-verdicts li', (l) => l.length), 1);
        await saveScreenshot(page, join(ARTIFACTS, 'web-ui', 'compare.png'));
        // one run picked: nothing to compare it with
        await page.uncheck(`#pick-${first}`);
        await page.click('#compare-go');
        await until(async () => (await page.$$('#compare-table tbody tr')).length === 1);

        // an attack-only run: upload an .npz of model outputs, read the results table; a bad file's error
        await page.click('#nav-submit');
        await page.waitForSelector('#attack-file');
        const outputs = join(data, 'outputs.npz');
        writeFileSync(outputs, outputsNpz(150));
        await page.setInputFiles('#attack-file', outputs);
        await page.fill('#attack-attacks', 'threshold, threshold-entropy');
        await page.fill('#attack-slices', 'entire,class');
        await page.fill('#attack-seed', '3');
        await page.click('#attack-run');
        await page.waitForSelector('#attack-table');
        assert.equal(
          await page.textContent('#attack-input'),
          'outputs.npz: 150 members, 150 non-members, 3 classes.',
        );
        const rows = await page.$$eval('#attack-table tbody tr', (r) => r.map((x) => x.textContent ?? ''));
        assert.equal(rows.length, 2, 'one row per attack on the entire dataset');
        for (const [i, attack] of ['threshold', 'threshold-entropy'].entries())
          assert.match(
            rows[i]!,
            new RegExp(`^${attack}.*150 / 150(0\\.\\d{3}) \\[0\\.\\d{3}–0\\.\\d{3}\\]\\d+\\.\\d% \\[`),
          );
        const auc = Number(rows[0]!.match(/150 \/ 150(0\.\d{3})/)![1]);
        assert.ok(auc > 0.6, `members' true-class logits are higher: AUC ${auc}`);
        assert.match((await page.textContent('#attack-result')) ?? '', /6 results on slices are in the JSON/);
        await saveScreenshot(page, join(ARTIFACTS, 'web-ui', 'attack-upload.png'));
        const broken = join(data, 'broken.npz');
        writeFileSync(broken, outputsNpz(20, true));
        await page.setInputFiles('#attack-file', broken);
        await page.click('#attack-run');
        const bad = await page.waitForSelector('.attack-error');
        assert.match(
          (await bad.textContent()) ?? '',
          /^broken\.npz E_MISSING_FIELD: labels_test is required/,
        );
        assert.equal(await page.$('#attack-table'), null, 'the error replaces the earlier results');

        // a read-only token: everything readable, no write button
        await page.click('#sign-out');
        await page.fill('#token', readOnly);
        await page.click('#sign-in button[type=submit]');
        await page.waitForSelector('#runs-table tbody tr');
        assert.equal(await page.$('#nav-submit'), null);
        await page.evaluate("location.hash = '#/submit'");
        await page.waitForSelector('#config-editor');
        assert.equal(await page.$('#submit-audit'), null);
        assert.equal(await page.$('#attack-file'), null, 'no upload for a read-only token');
        await page.evaluate(`location.hash = '#/run/${first}'`);
        await page.waitForSelector('#run-files');
        assert.equal(await page.$('#cancel-run'), null);

        // (Chromium logs the broken upload's 400 answer, which the page shows; nothing else)
        assert.deepEqual(
          errors,
          ['console.error: Failed to load resource: the server responded with a status of 400 (Bad Request)'],
          'no console errors but the refused upload',
        );
        assert.deepEqual(requests, [], 'no request leaves the server');
      },
      local,
    );
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    rmSync(data, { recursive: true, force: true });
  }
});
