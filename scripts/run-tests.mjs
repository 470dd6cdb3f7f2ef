// Runs every test/**/*.test.ts with node's own test runner (TypeScript through tsx).
// Node 20's --test takes no globs, so the files are listed here. Extra arguments narrow the run:
// `npm test -- test/metrics` runs the tests under that folder only.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

function collect(path, out) {
  if (statSync(path).isDirectory()) {
    for (const name of readdirSync(path).sort()) collect(join(path, name), out);
  } else if (path.endsWith('.test.ts')) {
    out.push(path);
  }
  return out;
}

const roots = process.argv.slice(2);
const files = (roots.length > 0 ? roots : ['test']).flatMap((r) => collect(r, []));
if (files.length === 0) {
  console.error(`no test files under ${roots.join(' ') || 'test'}`);
  process.exit(1);
}
// A test that hangs (a child process or a connection left open after a failed assertion) must fail
// the run, not hold CI past its limit: each test has 20 minutes, and a file's process exits once its
// tests are done even if a handle is still open.
const guards = ['--test-timeout=1200000', '--test-force-exit'];
const result = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--test', '--test-concurrency=2', ...guards, ...files],
  {
    stdio: 'inherit',
  },
);
process.exit(result.status ?? 1);
