import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { readNpz } from '../../src/io/npz.js';
import { loadAttackInput } from '../../src/signals/attack-input-files.js';
import { makeModelOutputs } from '../../src/signals/model-outputs.js';
import { outputsAccuracy, writeOutputsNpz } from '../../src/signals/outputs-npz.js';

const members = makeModelOutputs(
  { logits: Float32Array.from([2, 0, 0, 3, 1, 1]), labels: Int32Array.from([0, 1, 1]), numClasses: 2 },
  'members',
);
const nonMembers = makeModelOutputs(
  { probs: Float32Array.from([0.5, 0.5, 0.2, 0.8]), labels: Int32Array.from([1, 1]), numClasses: 2 },
  'non-members',
);

test('outputsAccuracy: the top-1 share, the first class on ties', () => {
  // rows: argmax 0 (label 0 ✓), argmax 1 (label 1 ✓), tie → 0 (label 1 ✗)
  assert.equal(outputsAccuracy(members), 2 / 3);
  // tie → 0 (label 1 ✗), argmax 1 (label 1 ✓)
  assert.equal(outputsAccuracy(nonMembers), 1 / 2);
});

test("writeOutputsNpz writes TF Privacy's keys (logits only when given), and mia attack reads them back", () => {
  const path = join(mkdtempSync(join(tmpdir(), 'mia-outputs-npz-')), 'outputs.npz');
  writeOutputsNpz(path, members, nonMembers);
  const npz = readNpz(path);
  assert.deepEqual([...npz.keys()].sort(), [
    'labels_test',
    'labels_train',
    'logits_train',
    'loss_test',
    'loss_train',
    'probs_test',
    'probs_train',
  ]);
  assert.deepEqual(npz.get('logits_train')!.shape, [3, 2]);
  assert.deepEqual(npz.get('loss_test')!.shape, [2]);
  // one model gives logits for both sets (or for neither)
  writeOutputsNpz(path, members, members);
  const input = loadAttackInput(path);
  assert.equal(input.members.n, 3);
  assert.equal(input.nonMembers.n, 3);
  assert.deepEqual(Array.from(input.members.labels), [0, 1, 1]);
});
