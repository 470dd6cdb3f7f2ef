import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { AttackResult } from '../../src/audit/run-attacks.js';
import { isMiaError } from '../../src/errors.js';
import {
  loadCollection,
  mergeCollections,
  pointsFromResults,
  saveCollection,
} from '../../src/report/collection.js';
import { fakePoint, tprEntry } from '../audit/helpers.js';

function result(attack: string, slice: AttackResult['slice'], auc: number, tpr: number): AttackResult {
  const e = tprEntry(tpr, 0, 1, false);
  return {
    attack,
    signal: 'loss',
    slice,
    nMembers: 10,
    nNonMembers: 10,
    auc,
    advantage: auc - 0.5,
    aucInterval: { low: Math.max(0, auc - 0.05), high: Math.min(1, auc + 0.05), se: 0.025, method: 'DeLong' },
    ppvMaxOverThresholds: 0.6,
    tprAtFpr: { '0.001': e, '0.01': e },
    epsilonLowerBound: 0.1,
    epsilon: { estimate: 0.2, low: 0.1, high: 0.3, thresholdsTried: 19 },
  };
}

test('pointsFromResults: one point per entire-dataset result, tagged with the metadata', () => {
  const results = [
    result('threshold', { feature: 'entire_dataset' }, 0.61, 0.03),
    result('threshold', { feature: 'class', value: 1 }, 0.9, 0.5),
    result('lr', { feature: 'entire_dataset' }, 0.64, 0.05),
  ];
  const pts = pointsFromResults(results, { model: 'conv', epoch: 4, valAccuracy: 0.55, experiment: 'arch' });
  assert.deepEqual(pts, [
    {
      model: 'conv',
      epoch: 4,
      attack: 'threshold',
      auc: 0.61,
      advantage: 0.61 - 0.5,
      tprAt1Fpr: 0.03,
      valAccuracy: 0.55,
      trainAccuracy: null,
      ppv: 0.6,
      experiment: 'arch',
    },
    {
      model: 'conv',
      epoch: 4,
      attack: 'lr',
      auc: 0.64,
      advantage: 0.64 - 0.5,
      tprAt1Fpr: 0.05,
      valAccuracy: 0.55,
      trainAccuracy: null,
      ppv: 0.6,
      experiment: 'arch',
    },
  ]);
  const bad = result('x', { feature: 'entire_dataset' }, 0.5, 0);
  bad.tprAtFpr = {};
  assert.throws(
    () => pointsFromResults([bad], { model: 'm', epoch: 1 }),
    (e) => isMiaError(e) && e.code === 'E_MISSING_FIELD',
  );
});

test('mergeCollections: later duplicates win, sorted by experiment, model, attack, epoch; inputs untouched', () => {
  const p = (model: string, attack: string, epoch: number, auc: number) =>
    fakePoint(model, epoch, attack, auc);
  const a = { points: [p('b', 'lr', 2, 0.6), p('a', 'lr', 4, 0.7), p('a', 'lr', 2, 0.5)] };
  const b = { points: [p('a', 'lr', 2, 0.55), p('a', 'threshold', 1, 0.52)] };
  const m = mergeCollections(a, b);
  assert.deepEqual(
    m.points.map((x) => [x.model, x.attack, x.epoch, x.auc]),
    [
      ['a', 'lr', 2, 0.55],
      ['a', 'lr', 4, 0.7],
      ['a', 'threshold', 1, 0.52],
      ['b', 'lr', 2, 0.6],
    ],
  );
  assert.equal(a.points[2]!.auc, 0.5);
});

test('saveCollection / loadCollection round trip, and errors that name the field', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mia-collection-'));
  const c = {
    points: pointsFromResults([result('threshold', { feature: 'entire_dataset' }, 0.6, 0.02)], {
      model: 'm',
      epoch: 2,
      trainAccuracy: 0.9,
      valAccuracy: 0.7,
    }),
  };
  saveCollection(join(dir, 'p.json'), c);
  assert.deepEqual(loadCollection(join(dir, 'p.json')), c);
  writeFileSync(join(dir, 'bad.json'), JSON.stringify({ points: [{ ...c.points[0], auc: 'high' }] }));
  assert.throws(
    () => loadCollection(join(dir, 'bad.json')),
    (e) => isMiaError(e) && e.code === 'E_JSON' && e.where === `${join(dir, 'bad.json')}:points[0].auc`,
  );
  assert.throws(
    () => loadCollection(join(dir, 'missing.json')),
    (e) => isMiaError(e) && e.code === 'E_IO',
  );
});
