import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { test } from 'node:test';
import type { z } from 'zod';
import { BEGIN, DOC_PATH, END, renderRunFormat } from '../../scripts/run-format-doc.js';
import type { AggregateResult } from '../../src/audit/aggregate.js';
import { aggregateResults } from '../../src/audit/aggregate.js';
import type { AuditResult } from '../../src/audit/attack-stage.js';
import type { ExperimentsFile as ComparedFile } from '../../src/audit/compare-experiments.js';
import { type PrivacyPoint, pointsFromResults } from '../../src/audit/privacy-collection.js';
import { runOutputAttacks } from '../../src/audit/run-attacks.js';
import {
  type AggregateJson,
  EnvironmentFile,
  type ExperimentsFile,
  HistoryFile,
  PrivacyPointJson,
  type ResultJson,
  ResultsFile,
  RUN_FILES,
  TimingFile,
  type TimingStage,
} from '../../src/audit/run-format/index.js';
import { experimentScoresPath, privacyPath, runPaths, signalsPath } from '../../src/audit/run-paths.js';
import type { StageTiming } from '../../src/audit/timing-log.js';
import type { EpochRecord } from '../../src/models/train.js';
import { syntheticAttackInput } from '../../src/signals/synthetic-outputs.js';
import { unknownKeys } from './helpers.js';

// Compile-time: the audit's in-memory types have exactly the fields of the files they are written to
// (a field added on one side only fails the typecheck).
type SameKeys<A, B> = [Exclude<keyof A, keyof B>, Exclude<keyof B, keyof A>] extends [never, never]
  ? true
  : { onlyLeft: Exclude<keyof A, keyof B>; onlyRight: Exclude<keyof B, keyof A> };
const sameKeys: [
  SameKeys<AuditResult, z.input<typeof ResultJson>>,
  SameKeys<AggregateResult, z.input<typeof AggregateJson>>,
  SameKeys<PrivacyPoint, z.input<typeof PrivacyPointJson>>,
  SameKeys<StageTiming, TimingStage>,
  SameKeys<ComparedFile, ExperimentsFile>,
  SameKeys<
    Omit<EpochRecord, 'lr' | 'samplesPerSecond'>,
    z.input<typeof HistoryFile>['models'][number]['epochs'][number]
  >,
] = [true, true, true, true, true, true];

test('the in-memory types and the file schemas have the same fields', () => {
  assert.deepEqual(sameKeys, [true, true, true, true, true, true]);
});

test('docs/run-dir.md holds the tables generated from the schemas (node --import tsx scripts/run-format-doc.ts)', () => {
  const doc = readFileSync(DOC_PATH, 'utf8');
  const a = doc.indexOf(BEGIN);
  const b = doc.indexOf(END);
  assert.ok(a >= 0 && b > a, 'the doc has the generated part');
  assert.equal(
    doc.slice(a, b + END.length),
    renderRunFormat(),
    'docs/run-dir.md is out of date: run `node --import tsx scripts/run-format-doc.ts`',
  );
});

test('every path of the run directory is a file of RUN_FILES, and every JSON file has a schema', () => {
  const root = '/run';
  const paths = runPaths(root);
  const patterns = RUN_FILES.map((f) => {
    const re = f.path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/<[^>]+>/g, '[^/]+');
    return { file: f, re: new RegExp(`^${re.endsWith('/') ? re.slice(0, -1) : re}(/.*)?$`) };
  });
  const all = [
    ...Object.entries(paths)
      .filter(([k]) => k !== 'root')
      .map(([, p]) => p),
    signalsPath(paths, 'ref-01'),
    privacyPath(paths, 'target'),
    experimentScoresPath(paths, 2),
  ];
  for (const p of all) {
    const rel = relative(root, p);
    assert.ok(
      patterns.some((x) => x.re.test(rel) || x.file.path.startsWith(`${rel}/`)),
      `${rel} is in RUN_FILES`,
    );
  }
  for (const f of RUN_FILES) {
    if (f.path.endsWith('.json')) assert.ok(f.schema !== undefined, `${f.path} has a schema`);
    if (/\.np[yz]$/.test(f.path))
      assert.ok(f.arrays !== undefined && f.arrays.length > 0, `${f.path} arrays`);
  }
});

test('real results, their aggregate and privacy points parse with the schemas, key for key', () => {
  const results: AuditResult[] = [];
  for (const seed of [1, 2]) {
    const input = syntheticAttackInput({ nMembers: 80, nNonMembers: 80, numClasses: 3, seed, gap: 1 });
    const out = runOutputAttacks(input, { attacks: ['threshold', 'lr'], slices: ['entire', 'class'], seed });
    results.push(...out.results.map((r) => ({ ...r, experiment: String(seed), model: `m${seed}` })));
  }
  const file = JSON.parse(
    JSON.stringify({ results, aggregate: aggregateResults(results), notes: ['a note'], key: 'k' }),
  );
  assert.deepEqual(unknownKeys(file, ResultsFile.parse(file)), []);
  assert.ok(
    results.some((r) => r.note !== undefined),
    'a trained attack has a note',
  );
  const points = pointsFromResults(results, { model: 'm', epoch: 1, trainAccuracy: 0.9, experiment: 'e' });
  const json = JSON.parse(JSON.stringify(points));
  for (const p of json) assert.deepEqual(unknownKeys(p, PrivacyPointJson.parse(p)), []);
});

test('the schemas fill in what older files leave out, as the report reads them', () => {
  const timing = TimingFile.parse({ stages: [{ stage: 'population', seconds: 0.5 }] });
  assert.deepEqual(timing.stages, [{ stage: 'population', seconds: 0.5, reused: false }]);
  const history = HistoryFile.parse({
    models: [{ id: 'target', epochs: [{ epoch: 1, trainLoss: 1, trainAccuracy: 0.5 }] }],
  });
  assert.deepEqual(history.models, [
    {
      id: 'target',
      label: 'target',
      role: 'target',
      epochs: [{ epoch: 1, trainLoss: 1, trainAccuracy: 0.5, valLoss: null, valAccuracy: null }],
    },
  ]);
  const p = PrivacyPointJson.parse({
    model: 'm',
    epoch: 1,
    attack: 'a',
    auc: 0.5,
    advantage: 0,
    tprAt1Fpr: 0,
  });
  assert.equal(p.valAccuracy, null);
  assert.equal(p.trainAccuracy, null);
  const e = EnvironmentFile.safeParse({ backend: 'cpu' });
  assert.equal(e.success, false, 'environment.json as written has every field');
});
