#!/usr/bin/env node
// `npm run build` (also run by `npm ci` / `npm install` through `prepare`): compiles src/ to dist/ (ES2022
// JavaScript + .d.ts) for the library entry point (package.json "exports"), and copies the non-TypeScript
// files src/ needs at run time. `node scripts/build.mjs OUTDIR` builds elsewhere (the README test does).
// The `mia` command itself runs the sources through tsx and needs no build.
import { spawnSync } from 'node:child_process';
import { cpSync, readdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const outDir = resolve(process.argv[2] ?? join(root, 'dist'));
let tsc;
try {
  tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
} catch {
  // `npm ci --omit=dev` runs `prepare` without the dev dependencies: the `mia` command still works
  // (it runs the sources through tsx); only the library entry point dist/ is not built.
  const why = 'typescript (a dev dependency) is not installed';
  if (process.env.npm_lifecycle_event === 'prepare') {
    console.log(`build: skipped, ${why}; \`mia\` works, \`import 'mia-audit'\` needs \`npm run build\``);
    process.exit(0);
  }
  console.error(`build: ${why}; run npm ci (without --omit=dev) first`);
  process.exit(1);
}

rmSync(outDir, { recursive: true, force: true });
const r = spawnSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json'), '--outDir', outDir], {
  stdio: 'inherit',
});
if (r.status !== 0) {
  console.error(`build: tsc failed (exit ${r.status ?? r.signal})`);
  process.exit(1);
}
/** Files under src/ that are not TypeScript (e.g. the WASM backend's worker script) go beside the .js. */
function copyAssets(dir) {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) copyAssets(p);
    else if (!e.name.endsWith('.ts')) cpSync(p, join(outDir, relative(join(root, 'src'), p)));
  }
}
copyAssets(join(root, 'src'));
console.log(`build: ${relative(root, outDir) || outDir} written`);
