#!/usr/bin/env node
// `npm run build:web`: bundles the web UI's sources (src/web/page/*.ts, browser code) into
// src/web/assets/app.js with esbuild (installed with tsx), minified, no source map. The bundle is
// committed, so `mia serve` needs no build; test/web/bundle.test.ts fails when it is stale.
// `--check` only compares and exits 1 when the committed bundle differs.
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));

/** The bundle's text, as esbuild writes it from the sources now. */
export async function bundleWeb() {
  const r = await build({
    entryPoints: [`${root}src/web/page/main.ts`],
    bundle: true,
    format: 'esm',
    target: 'es2022',
    platform: 'browser',
    minify: true,
    legalComments: 'none',
    charset: 'utf8',
    write: false,
    logLevel: 'silent',
  });
  return r.outputFiles[0].text;
}

const out = `${root}src/web/assets/app.js`;
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const text = await bundleWeb();
  if (process.argv.includes('--check')) {
    const same = readFileSync(out, 'utf8') === text;
    console.log(
      same
        ? 'build:web: the bundle is current'
        : 'build:web: src/web/assets/app.js is stale; run npm run build:web',
    );
    process.exit(same ? 0 : 1);
  }
  writeFileSync(out, text);
  console.log(`build:web: src/web/assets/app.js written (${text.length} bytes)`);
}
