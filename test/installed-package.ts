import { type SpawnSyncReturns, spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root. */
export const repoRoot = fileURLToPath(new URL('../', import.meta.url));

/**
 * Makes `dir` a project with mia-audit installed as a user gets it: the package built as npm ci builds
 * it (scripts/build.mjs) into `dir/pkg` with the repository's package.json (its "exports") and
 * node_modules, linked as `dir/node_modules/mia-audit`. Throws with the build's output when it fails.
 */
export function installPackage(dir: string): void {
  const pkg = join(dir, 'pkg');
  const build = spawnSync(process.execPath, [join(repoRoot, 'scripts/build.mjs'), join(pkg, 'dist')], {
    encoding: 'utf8',
  });
  if (build.status !== 0) throw new Error(`scripts/build.mjs failed:\n${build.stderr}${build.stdout}`);
  cpSync(join(repoRoot, 'package.json'), join(pkg, 'package.json'));
  symlinkSync(join(repoRoot, 'node_modules'), join(pkg, 'node_modules'));
  mkdirSync(join(dir, 'node_modules'), { recursive: true });
  symlinkSync(pkg, join(dir, 'node_modules', 'mia-audit'));
}

/**
 * Runs tsc on `files` of `dir` (strict, NodeNext, as a TypeScript user's project would), resolving
 * mia-audit through its package.json "exports" to the shipped .d.ts. `compilerOptions` are added to
 * (or override) the defaults, e.g. `{ noEmit: false, outDir: 'out' }` to also emit the JavaScript.
 */
export function typecheckProject(
  dir: string,
  files: readonly string[],
  compilerOptions: Record<string, unknown> = {},
): SpawnSyncReturns<string> {
  writeFileSync(
    join(dir, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: {
        module: 'NodeNext',
        moduleResolution: 'NodeNext',
        target: 'ES2022',
        strict: true,
        noEmit: true,
        skipLibCheck: true,
        types: ['node'],
        typeRoots: [join(repoRoot, 'node_modules/@types')],
        ...compilerOptions,
      },
      files,
    }),
  );
  return spawnSync(process.execPath, [join(repoRoot, 'node_modules/typescript/bin/tsc'), '-p', dir], {
    encoding: 'utf8',
  });
}
