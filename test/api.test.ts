import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { test } from 'node:test';
import { installPackage, repoRoot, typecheckProject } from './installed-package.js';

// The public API: the root `mia-audit` (src/index.ts) and one subpath per stage (src/<stage>/index.ts),
// declared in package.json "exports".

/** The stages, in pipeline order; each is a subpath `mia-audit/<stage>`. */
const STAGES = ['io', 'data', 'models', 'signals', 'attacks', 'metrics', 'audit', 'report'];

/**
 * The root's runtime exports (its types are checked by the user program below). Adding a name to the
 * root is a deliberate act: add it here too.
 */
const ROOT_VALUES = [
  // errors and randomness
  'MiaError',
  'isMiaError',
  'Rng',
  // io
  'readNpz',
  'writeNpz',
  // data
  'loadDataset',
  // models
  'createEngine',
  'loadPredictor',
  'trainModel',
  'trainOrLoad',
  // signals
  'attackInputFromArrays',
  'loadAttackInput',
  'makeModelOutputs',
  'predictOutputs',
  // attacks
  'getOutputAttack',
  'outputAttackNames',
  // metrics
  'attackerAdvantage',
  'auc',
  'epsilonLowerBound',
  'ppv',
  'rocCurve',
  'summarize',
  'tprAtFpr',
  // audit
  'loadAuditConfig',
  'privacyMetricsCallback',
  'runAudit',
  'runExperimentsAudit',
  'runOutputAttacks',
  'runReferenceAttacks',
  'trainTracked',
  // report
  'mergeCollections',
  'pointsFromResults',
  'saveCollection',
  'writeReport',
];

/** Root names that belong to no stage (src/errors.ts, src/rng.ts). */
const NOT_IN_A_STAGE = new Set(['MiaError', 'isMiaError', 'Rng']);

const packageJson = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as {
  exports: Record<string, { types: string; default: string }>;
};

test('the root exports exactly the documented surface', async () => {
  const root = await import('../src/index.js');
  assert.deepEqual(Object.keys(root).sort(), [...ROOT_VALUES].sort());
});

test('package.json "exports": the root and one subpath per stage, each a src/<stage>/index.ts that loads', async () => {
  assert.deepEqual(Object.keys(packageJson.exports), ['.', ...STAGES.map((s) => `./${s}`)]);
  assert.deepEqual(packageJson.exports['.'], { types: './dist/index.d.ts', default: './dist/index.js' });
  for (const stage of STAGES) {
    assert.deepEqual(packageJson.exports[`./${stage}`], {
      types: `./dist/${stage}/index.d.ts`,
      default: `./dist/${stage}/index.js`,
    });
    assert.ok(existsSync(join(repoRoot, 'src', stage, 'index.ts')), `src/${stage}/index.ts`);
    const m = (await import(`../src/${stage}/index.js`)) as Record<string, unknown>;
    assert.ok(Object.keys(m).length > 0, `src/${stage}/index.ts exports nothing`);
  }
});

test('every root name but the errors and Rng is the same binding as in its stage subpath', async () => {
  const root = (await import('../src/index.js')) as Record<string, unknown>;
  const stages = await Promise.all(
    STAGES.map(async (s) => [s, (await import(`../src/${s}/index.js`)) as Record<string, unknown>] as const),
  );
  for (const name of Object.keys(root)) {
    if (NOT_IN_A_STAGE.has(name)) continue;
    const homes = stages.filter(([, m]) => m[name] === root[name]).map(([s]) => s);
    assert.equal(homes.length, 1, `${name}: in the subpaths ${homes.join(', ') || '(none)'}`);
  }
});

test('code inside src/ imports the concrete files, never a stage index (only src/index.ts does)', () => {
  const src = join(repoRoot, 'src');
  const indexes = new Set(STAGES.map((s) => join(src, s, 'index.ts')));
  const files = (dir: string): string[] =>
    readdirSync(dir).flatMap((n) => {
      const p = join(dir, n);
      return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : [];
    });
  const wrong: string[] = [];
  for (const f of files(src)) {
    if (f === join(src, 'index.ts')) continue;
    const text = readFileSync(f, 'utf8');
    for (const m of text.matchAll(
      /(?:import|export)\s+(?:type\s+)?(?:[^'"]*?\s+from\s+)?['"](\.[^'"]+)['"]/g,
    )) {
      const dep = resolve(dirname(f), m[1]!).replace(/\.js$/, '.ts');
      if (indexes.has(dep)) wrong.push(`${relative(src, f)} → ${relative(src, dep)}`);
    }
    for (const m of text.matchAll(/import\(\s*['"](\.[^'"]+)['"]\s*\)/g)) {
      const dep = resolve(dirname(f), m[1]!).replace(/\.js$/, '.ts');
      if (indexes.has(dep)) wrong.push(`${relative(src, f)} → ${relative(src, dep)} (dynamic)`);
    }
  }
  assert.deepEqual(wrong, []);
});

// A user's TypeScript program against the built package, resolved through "exports" as a user's
// project resolves it: type-checked (strict), compiled, and run by plain node.
const USER_PROGRAM = `
import { type AttackInput, auc, isMiaError, type RocCurve, rocCurve, tprAtFpr } from 'mia-audit';
import * as attacks from 'mia-audit/attacks';
import * as audit from 'mia-audit/audit';
import * as data from 'mia-audit/data';
import * as io from 'mia-audit/io';
import { clopperPearson, type Interval, type Scores } from 'mia-audit/metrics';
import * as metrics from 'mia-audit/metrics';
import * as models from 'mia-audit/models';
import * as report from 'mia-audit/report';
import * as signals from 'mia-audit/signals';

const scores: Scores = new Float64Array([0.9, 0.8, 0.3, 0.1]);
const roc: RocCurve = rocCurve(scores, new Uint8Array([1, 0, 1, 0]));
const interval: Interval = clopperPearson(1, 2, 0.95);
const npy: io.NpyArray = io.npyArray(new Float32Array([1, 2]), [2]);
const input: AttackInput | undefined = undefined;
let deepImport = 'allowed';
try {
  const spec: string = 'mia-audit/dist/metrics/auc.js';
  await import(spec);
} catch (e) {
  deepImport = (e as { code?: string }).code ?? String(e);
}
const stages = { io, data, models, signals, attacks, metrics, audit, report };
console.log(
  JSON.stringify({
    auc: auc(roc),
    tpr: tprAtFpr(roc, 0.5).tpr,
    sameAuc: metrics.auc === auc,
    interval: interval.low < 0.5 && interval.high > 0.5,
    npy: npy.shape,
    input: input === undefined,
    miaError: isMiaError(new Error('x')),
    deepImport,
    empty: Object.entries(stages).filter(([, m]) => Object.keys(m).length === 0).map(([s]) => s),
  }),
);
`;

/** Names that live in a subpath only: importing them from the root is a type error. */
const NOT_AT_ROOT = `
// @ts-expect-error sortFloat64 is in mia-audit/metrics only
import { sortFloat64 } from 'mia-audit';
// @ts-expect-error the package's files are reachable only through its "exports"
import { auc } from 'mia-audit/dist/metrics/auc.js';
export { auc, sortFloat64 };
`;

test('a user program importing the root and every subpath type-checks and runs against the built package', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mia-api-'));
  installPackage(dir);
  writeFileSync(join(dir, 'user.mts'), USER_PROGRAM);
  writeFileSync(join(dir, 'not-at-root.mts'), NOT_AT_ROOT);
  const tsc = typecheckProject(dir, ['user.mts', 'not-at-root.mts'], {
    noEmit: false,
    outDir: 'out',
    noUncheckedIndexedAccess: true,
    exactOptionalPropertyTypes: true,
  });
  assert.equal(tsc.status, 0, tsc.stdout + tsc.stderr);
  const run = spawnSync(process.execPath, [join('out', 'user.mjs')], { cwd: dir, encoding: 'utf8' });
  assert.equal(run.status, 0, run.stderr);
  assert.deepEqual(JSON.parse(run.stdout), {
    auc: 0.75, // member > non-member in 3 of the 4 pairs
    tpr: 1, // at FPR 0.5 the threshold 0.3 takes both members
    sameAuc: true,
    interval: true,
    npy: [2],
    input: true,
    miaError: false,
    deepImport: 'ERR_PACKAGE_PATH_NOT_EXPORTED',
    empty: [],
  });
});
