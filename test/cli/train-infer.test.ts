import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { loadDataset } from '../../src/data/registry.js';
import { npyArray, writeNpy } from '../../src/io/npy.js';
import { readNpz, writeNpz } from '../../src/io/npz.js';
import { readModelRecord, readTrainIndices } from '../../src/models/store.js';
import { type MiaRun, runMia } from './run-mia.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const fixture = (name: string) => fileURLToPath(new URL(`../models/fixtures/${name}`, import.meta.url));

/**
 * `mia train` / `mia infer` as a user runs them (node bin/mia.js) once src/cli/main.ts registers the
 * commands; until then the same argv goes through the exported command objects in a child process, with
 * the launcher's error handling (one line, exit 2 for MiaError).
 */
const registered = /\btrain\b/.test(runMia(['--help'], ROOT, 30_000).stdout);
function mia(args: string[], cwd: string): MiaRun {
  if (registered) return runMia(args, cwd);
  const script = `
    import { isMiaError } from ${JSON.stringify(join(ROOT, 'src/errors.ts'))};
    const [name, ...rest] = process.argv.slice(1);
    const mod = name === 'train' ? await import(${JSON.stringify(join(ROOT, 'src/cli/train.ts'))})
      : name === 'infer' ? await import(${JSON.stringify(join(ROOT, 'src/cli/infer.ts'))}) : undefined;
    if (mod === undefined) { console.log('unregistered: ' + name); process.exit(0); }
    try { process.exitCode = await (mod.trainCommand ?? mod.inferCommand).run(rest); }
    catch (e) { if (isMiaError(e)) { console.error('error ' + e.oneLine()); process.exitCode = 2; } else { console.error(e); process.exitCode = 1; } }`;
  const r = spawnSync(
    process.execPath,
    ['--import', import.meta.resolve('tsx'), '--input-type=module', '-e', script, '--', ...args],
    {
      cwd,
      encoding: 'utf8',
      timeout: 120_000,
    },
  );
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

test('mia train, then mia infer, then mia attack on the synthetic dataset', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'mia-cli-train-'));
  const trainArgs = [
    'train',
    '--dataset',
    'synthetic',
    '--arch',
    'dense',
    '--arch-param',
    'depth=1',
    '--arch-param',
    'width=32',
    '--epochs',
    '2',
    '--train-size',
    '300',
    '--val-size',
    '200',
    '--seed',
    '1',
    '--backend',
    'cpu',
    '--out',
    'model',
  ];
  const train = mia(trainArgs, dir);
  assert.equal(train.code, 0, train.stderr + train.stdout);
  assert.match(train.stdout, /^engine: (ort|tfjs), backend \S+ \(/m); // --engine auto: onnxruntime for dense nets
  assert.match(
    train.stdout,
    /^epoch 2\/2 {2}loss \d+\.\d+ {2}acc [\d.]+% {2}val_loss [\d.]+ {2}val_acc [\d.]+%/m,
  );
  assert.match(train.stdout, /^final: train accuracy [\d.]+% .* test accuracy [\d.]+% /m);
  const record = readModelRecord(join(dir, 'model'));
  assert.equal(record.trainSize, 300);
  assert.equal(record.history.length, 2);
  assert.deepEqual(record.dataset, { name: 'synthetic', options: {} });
  assert.deepEqual(record.spec.arch, { name: 'dense', params: { activation: 'relu', depth: 1, width: 32 } });
  const indices = readTrainIndices(join(dir, 'model'))!;
  assert.equal(indices.length, 300);
  assert.match(record.hash ?? '', /^[0-9a-f]{64}$/);

  // the same request again: the finished model is reused, nothing is trained or rewritten
  const again = mia(trainArgs, dir);
  assert.equal(again.code, 0, again.stderr + again.stdout);
  assert.match(again.stdout, /^model already holds this model \(trained .*\); reused, nothing trained/m);
  assert.doesNotMatch(again.stdout, /^epoch /m);
  assert.equal(readModelRecord(join(dir, 'model')).createdAt, record.createdAt);
  // another request (3 epochs) replaces it
  const more = mia([...trainArgs.slice(0, -2), '--epochs', '3', '--out', 'model'], dir);
  assert.match(more.stdout, /^model holds another model \(a different request\); it will be replaced/m);
  assert.equal(readModelRecord(join(dir, 'model')).history.length, 3);
  assert.notEqual(readModelRecord(join(dir, 'model')).hash, record.hash);

  const infer = mia(['infer', '--model', 'model', '--out', 'outputs.npz', '--backend', 'cpu'], dir);
  assert.equal(infer.code, 0, infer.stderr + infer.stdout);
  assert.match(infer.stdout, /members: 300 .* non-members: 300 \(test rows\)/);
  const npz = readNpz(join(dir, 'outputs.npz'));
  assert.deepEqual([...npz.keys()].sort(), [
    'labels_test',
    'labels_train',
    'logits_test',
    'logits_train',
    'loss_test',
    'loss_train',
    'probs_test',
    'probs_train',
  ]);
  assert.deepEqual(npz.get('logits_train')!.shape, [300, 10]);
  assert.deepEqual(npz.get('probs_test')!.shape, [300, 10]);
  const data = await loadDataset('synthetic');
  assert.deepEqual(
    npz.get('labels_train')!.data,
    Int32Array.from(indices, (i) => data.train.y[i]!),
  );
  assert.deepEqual(npz.get('labels_test')!.data, data.test.y.subarray(0, 300));

  if (registered) {
    const attack = runMia(['attack', '--input', 'outputs.npz'], dir);
    assert.equal(attack.code, 0, attack.stderr);
    assert.match(attack.stdout, /300 members, 300 non-members, 10 classes/);
  }
});

test('mia infer on an ONNX model with --members / --non-members index files', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mia-cli-onnx-'));
  const io = JSON.parse(readFileSync(fixture('tiny_mlp_io.json'), 'utf8')) as {
    x: number[];
    probs: number[];
  };
  const x = Float32Array.from(io.x);
  writeNpz(join(dir, 'data.npz'), {
    x: npyArray(x, [5, 7]),
    y: npyArray(Int32Array.from([0, 1, 2, 0, 1]), [5]),
    x_test: npyArray(x, [5, 7]),
    y_test: npyArray(Int32Array.from([2, 2, 1, 0, 0]), [5]),
  });
  writeNpy(join(dir, 'members.npy'), npyArray(Int32Array.from([4, 0]), [2]));
  writeNpy(join(dir, 'non.npy'), npyArray(Int32Array.from([1, 2, 3]), [3]));
  const args = [
    'infer',
    '--model',
    fixture('tiny_mlp_probs.onnx'),
    '--dataset',
    'npz',
    '--data-path',
    'data.npz',
    '--out',
    'o.npz',
  ];
  const missing = mia(args, dir);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /^error \[E_USAGE\] .*--members is required/m);
  const r = mia([...args, '--members', 'members.npy', '--non-members', 'non.npy'], dir);
  assert.equal(r.code, 0, r.stderr + r.stdout);
  const npz = readNpz(join(dir, 'o.npz'));
  assert.ok(!npz.has('logits_train'), 'a probability model gives no logits');
  assert.deepEqual([...npz.get('labels_train')!.data], [1, 0]);
  assert.deepEqual([...npz.get('labels_test')!.data], [2, 1, 0]);
  const probs = npz.get('probs_train')!.data as Float32Array;
  for (let k = 0; k < 3; k++) {
    assert.ok(Math.abs(probs[k]! - io.probs[4 * 3 + k]!) < 1e-6);
    assert.ok(Math.abs(probs[3 + k]! - io.probs[k]!) < 1e-6);
  }
});

test('usage errors are one line with exit code 2', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mia-cli-usage-'));
  const noOut = mia(['train', '--dataset', 'synthetic'], dir);
  assert.equal(noOut.code, 2);
  assert.match(noOut.stderr, /^error \[E_USAGE\] mia train: --out is required/m);
  const badArch = mia(['train', '--dataset', 'synthetic', '--arch', 'vgg', '--out', 'm'], dir);
  assert.equal(badArch.code, 2);
  assert.match(
    badArch.stderr,
    /^error \[E_UNKNOWN_NAME\] architecture: unknown architecture 'vgg' \(expected one of conv, dense/m,
  );
  const noModel = mia(['infer', '--model', 'nowhere', '--out', 'o.npz'], dir);
  assert.equal(noModel.code, 2);
  assert.match(noModel.stderr, /^error \[E_IO\] nowhere: no such file or directory/m);
});
