import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { CliCommand } from '../../src/cli/command.js';
import { inferCommand } from '../../src/cli/infer.js';
import { trainCommand } from '../../src/cli/train.js';
import { loadDataset } from '../../src/data/registry.js';
import { isMiaError } from '../../src/errors.js';
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
  // a damaged model.json in --out is replaced too, with a line saying why
  writeFileSync(join(dir, 'model', 'model.json'), '{"format":');
  const damaged = mia([...trainArgs.slice(0, -2), '--epochs', '3', '--out', 'model'], dir);
  assert.equal(damaged.code, 0, damaged.stderr + damaged.stdout);
  assert.match(damaged.stdout, /^model holds a model that cannot be read \(.*\); it will be replaced/m);
  assert.equal(readModelRecord(join(dir, 'model')).history.length, 3);

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

/**
 * Runs a command's `run` in this process as src/cli/main.ts does (exit code 2 and `error <one line>` for
 * a MiaError), in `cwd`, with console.log captured: much faster than a child process for error cases.
 */
async function runHere(command: CliCommand, argv: string[], cwd: string): Promise<MiaRun> {
  const out: string[] = [];
  const log = console.log;
  const before = process.cwd();
  console.log = (...args: unknown[]) => {
    out.push(args.join(' '));
  };
  process.chdir(cwd);
  try {
    const code = await command.run(argv);
    return { code, stdout: out.map((l) => `${l}\n`).join(''), stderr: '' };
  } catch (e) {
    if (!isMiaError(e)) throw e;
    return { code: 2, stdout: out.map((l) => `${l}\n`).join(''), stderr: `error ${e.oneLine()}\n` };
  } finally {
    console.log = log;
    process.chdir(before);
  }
}

/** One-line error, exit code 2, nothing on stdout (so nothing was loaded or trained first). */
function assertEarlyError(r: MiaRun, pattern: RegExp, what: string): void {
  assert.equal(r.code, 2, `${what}: ${r.stderr}${r.stdout}`);
  assert.equal(r.stderr.trim().split('\n').length, 1, `${what}: ${r.stderr}`);
  assert.match(r.stderr, pattern, what);
  assert.equal(r.stdout, '', `${what}: nothing printed before the error`);
}

test('mia train checks every flag (ranges, dataset name, --out) before loading data or training', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'mia-cli-flags-'));
  writeFileSync(join(dir, 'q.yaml'), 'data: {}\n');
  const base = ['--dataset', 'synthetic', '--arch', 'dense', '--epochs', '1', '--out', 'm'];
  const cases: [string[], RegExp][] = [
    [['--epochs', '0'], /^error \[E_USAGE\] mia train: --epochs must be an integer ≥ 1 \(found 0\)$/m],
    [['--batch-size', '0'], /--batch-size must be an integer ≥ 1 \(found 0\)/],
    [['--train-size', '0'], /--train-size must be an integer ≥ 1 \(found 0\)/],
    [['--val-size', '-1'], /--val-size must be an integer ≥ 0 \(found -1\)/],
    [['--lr', '-0.1'], /--lr must be a number > 0 \(found -0\.1\)/],
    [['--lr', '0'], /--lr must be a number > 0 \(found 0\)/],
    [['--weight-decay', '-.5'], /--weight-decay must be a number ≥ 0 \(found -\.5\)/],
    [['--optimizer', 'sgd', '--momentum', '1'], /--momentum must be a number in \[0, 1\) \(found 1\)/],
    [['--schedule', 'step:0:0.5'], /--schedule: schedule\.every must be an integer ≥ 1 \(found 0\)/],
    [['--classes', '1'], /--classes must be an integer ≥ 2 \(found 1\)/],
    [['--engine', 'torch'], /--engine must be one of auto, tfjs, ort \(found torch\)/],
    // the same spelling rule as the YAML config's data.dataset
    [
      ['--dataset', 'fashion_mnist'],
      /^error \[E_UNKNOWN_NAME\] mia train: --dataset must be one of fashion-mnist, mnist, cifar10, synthetic, csv, npz \(did you mean 'fashion-mnist'\?\) \(found fashion_mnist\)$/m,
    ],
    [
      ['--out', 'q.yaml/m'],
      /^error \[E_IO\] q\.yaml\/m: cannot create the model directory: .*q\.yaml is not a directory/m,
    ],
  ];
  for (const [extra, pattern] of cases)
    assertEarlyError(await runHere(trainCommand, [...base, ...extra], dir), pattern, extra.join(' '));
  // as a user runs it: a negative number reaches the range check instead of parseArgs' "argument is
  // ambiguous", and an existing file given as --out is refused before training (was: trained, then
  // "cannot save the model: ENOTDIR")
  assertEarlyError(
    mia(['train', ...base, '--seed', '-1'], dir),
    /^error \[E_USAGE\] mia train: --seed must be an integer in \[0, 2147483647\] \(found -1\)$/m,
    '--seed -1',
  );
  assertEarlyError(
    mia(['train', ...base, '--out', 'q.yaml'], dir),
    /^error \[E_IO\] q\.yaml: exists and is not a mia-audit model directory; not replacing it \(expected a new path, an empty directory or a saved model\)$/m,
    '--out q.yaml',
  );
  assert.equal(readFileSync(join(dir, 'q.yaml'), 'utf8'), 'data: {}\n');
  // a size above the split is known once the dataset is loaded
  const big = await runHere(trainCommand, [...base, '--train-size', '999999'], dir);
  assert.equal(big.code, 2);
  assert.match(big.stderr, /--train-size must be an integer in \[1, 5000\] \(found 999999\)/);
});

test('mia infer: repeated rows, members that are also non-members, another number of classes, bad flags', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'mia-cli-infer-'));
  const trainArgs = [
    '--dataset',
    'synthetic',
    '--arch',
    'dense',
    '--arch-param',
    'depth=1',
    '--arch-param',
    'width=16',
    '--epochs',
    '1',
    '--train-size',
    '200',
    '--val-size',
    '50',
    '--backend',
    'cpu',
    '--out',
    'model',
  ];
  const train = await runHere(trainCommand, trainArgs, dir);
  assert.equal(train.code, 0, train.stderr + train.stdout);
  const final =
    /^final: (train accuracy [\d.]+% \(loss [\d.]+\), test accuracy [\d.]+% \(loss [\d.]+\) on 1000 test samples); /m.exec(
      train.stdout,
    )?.[1];
  assert.ok(final !== undefined, train.stdout);
  // the reuse message repeats the "final:" evaluation, now recorded in model.json
  const again = mia(['train', ...trainArgs], dir);
  assert.equal(again.code, 0, again.stderr);
  const createdAt = readModelRecord(join(dir, 'model')).createdAt;
  assert.ok(
    again.stdout.includes(`model already holds this model (trained ${createdAt}; final: ${final}); reused`),
    again.stdout,
  );
  // a record written before the evaluation was recorded: the epoch figures, said for what they are
  const path = join(dir, 'model', 'model.json');
  const rec = JSON.parse(readFileSync(path, 'utf8'));
  delete rec.final;
  writeFileSync(path, JSON.stringify(rec));
  const old = await runHere(trainCommand, trainArgs, dir);
  assert.match(
    old.stdout,
    /already holds this model \(trained \S+; training accuracy during the last epoch [\d.]+%, validation accuracy after it [\d.]+%\); reused/,
  );

  const rows = (name: string, v: number[]) =>
    writeNpy(join(dir, name), npyArray(Int32Array.from(v), [v.length]));
  const range = (a: number, b: number) => Array.from({ length: b - a }, (_, i) => a + i);
  rows('dup.npy', [1, 1, 2]);
  rows('mem.npy', range(0, 50));
  rows('nm.npy', range(60, 80).concat(range(45, 50)));
  const trained = readTrainIndices(join(dir, 'model'))!;
  rows('nm_trained.npy', [4999, trained[3]!]);
  const infer = ['--model', 'model', '--backend', 'cpu', '--out', 'o.npz'];
  const fail = async (extra: string[], pattern: RegExp) => {
    const r = await runHere(inferCommand, [...infer, ...extra], dir);
    assert.equal(r.code, 2, extra.join(' ') + r.stderr + r.stdout);
    assert.match(r.stderr, pattern, extra.join(' '));
    assert.doesNotMatch(r.stdout, /^wrote /m);
  };
  // as a user runs it: one line, exit code 2 (was: exit 0 with the same rows listed twice)
  const dup = mia(['infer', ...infer, '--members', 'dup.npy'], dir);
  assert.equal(dup.code, 2, dup.stderr + dup.stdout);
  assert.equal(dup.stderr.trim().split('\n').length, 1, dup.stderr);
  assert.match(dup.stderr, /^error \[E_VALUE\] dup\.npy: train row 1 is listed twice \(positions 0 and 1\)/m);
  await fail(['--members', 'mem.npy', '--non-members', 'dup.npy'], /dup\.npy: test row 1 is listed twice/);
  await fail(
    ['--members', 'mem.npy', '--non-members', 'nm.npy', '--non-members-from', 'train'],
    /^error \[E_VALUE\] mia infer: train row 45 is both a member \(mem\.npy, position 45\) and a non-member \(nm\.npy, position 20\)/m,
  );
  await fail(
    ['--non-members', 'nm_trained.npy', '--non-members-from', 'train'],
    new RegExp(
      `train row ${trained[3]} is both a member \\(the training rows of model, position 3\\) and a non-member \\(nm_trained\\.npy, position 1\\)`,
    ),
  );
  await fail(
    ['--classes', '3'],
    /^error \[E_SHAPE_MISMATCH\] model: the model has 10 classes while --classes 3 keeps 3 \(expected 10 classes\)$/m,
  );
  await fail(
    ['--batch-size', '0'],
    /^error \[E_USAGE\] mia infer: --batch-size must be an integer ≥ 1 \(found 0\)$/m,
  );
  await fail(['--dataset', 'Synthetic'], /--dataset must be one of .* \(did you mean 'synthetic'\?\)/);
  // the same members and non-members from the test split are fine
  const ok = await runHere(inferCommand, [...infer, '--members', 'mem.npy', '--non-members', 'nm.npy'], dir);
  assert.equal(ok.code, 0, ok.stderr);
  assert.match(ok.stdout, /members: 50 .* non-members: 25 \(test rows\)/);
});

test('mia train --augment crop:4,flip trains with seeded crops and flips and records them; a bad list is one line', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mia-cli-augment-'));
  const args = (extra: string[], out: string) => [
    'train',
    '--dataset',
    'synthetic',
    '--arch',
    'small_cnn',
    '--arch-param',
    'num_conv=1',
    '--epochs',
    '1',
    '--train-size',
    '200',
    '--val-size',
    '50',
    '--backend',
    'cpu',
    ...extra,
    '--out',
    join(dir, out),
  ];
  const a = mia(args(['--augment', 'crop:4,flip'], 'a'), dir);
  assert.equal(a.code, 0, a.stderr);
  assert.match(a.stdout, /augmentation: random crop \(4-px padding\) \+ horizontal flip/);
  const rec = readModelRecord(join(dir, 'a'));
  assert.deepEqual(rec.training?.augment, { crop: 4, flip: true });
  const plain = mia(args([], 'b'), dir);
  assert.equal(plain.code, 0, plain.stderr);
  assert.notEqual(readModelRecord(join(dir, 'b')).hash, rec.hash, 'augmentation is part of the model hash');
  assert.equal(readModelRecord(join(dir, 'b')).training?.augment, undefined);
  const bad = mia(args(['--augment', 'crop=4'], 'c'), dir);
  assert.equal(bad.code, 2);
  assert.equal(bad.stderr.trim().split('\n').length, 1, bad.stderr);
  assert.match(bad.stderr, /--augment: unknown augmentation "crop=4"/);
});
