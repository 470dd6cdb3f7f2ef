import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

// The web UI's bundle (src/web/assets/app.js) is committed so `mia serve` needs no build step; it must
// be what esbuild makes of the sources now (`npm run build:web` rewrites it).
const ROOT = fileURLToPath(new URL('../../', import.meta.url));

test('the committed bundle matches src/web/page', () => {
  const r = spawnSync(process.execPath, ['scripts/build-web.mjs', '--check'], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  assert.equal(r.status, 0, r.stdout + r.stderr);
});

test('the page loads nothing from elsewhere: no URL but its own in the HTML, CSS and bundle', () => {
  for (const f of ['index.html', 'app.css', 'app.js']) {
    const text = readFileSync(`${ROOT}src/web/assets/${f}`, 'utf8');
    const external = text.match(/(?:https?:)?\/\/[a-z0-9.-]+\.[a-z]{2,}\//gi) ?? [];
    // (yaml's bundled code names its spec's site in error messages; nothing is fetched from it)
    assert.deepEqual(
      external.filter((u) => !/yaml\.org|eemeli\.org/.test(u)),
      [],
      f,
    );
  }
});
