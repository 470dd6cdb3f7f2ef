/**
 * `--arch-from`: PyTorch models exported to ONNX by fixtures/export_models.py (run here into a temp
 * folder with /usr/bin/python3 and torch) are rebuilt as layer graphs whose trainable parameters have the
 * PyTorch model's count and shapes, and `mia train --arch-from` trains them.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parseAuditConfig } from '../../../src/audit/config.js';
import { isMiaError } from '../../../src/errors.js';
import { buildLayerGraph, normalizeArchSpec } from '../../../src/models/architectures.js';
import { analyzeGraph, countTrainable, type ParamInfo } from '../../../src/models/layer-graph.js';
import { archSpecFromOnnx } from '../../../src/models/onnx/onnx-arch-spec.js';
import { decodeOnnxModel, readOnnxFile } from '../../../src/models/onnx/read-onnx.js';
import { runMia } from '../../cli/run-mia.js';

const PYTHON = '/usr/bin/python3';
const SCRIPT = fileURLToPath(new URL('./fixtures/export_models.py', import.meta.url));
// the exports need PyTorch (Debian's python3-torch, which .ci/run installs); without it the tests say so
const havePython =
  existsSync(PYTHON) &&
  spawnSync(PYTHON, ['-c', 'import torch'], { stdio: 'ignore', timeout: 60_000 }).status === 0;
const dir = mkdtempSync(join(tmpdir(), 'mia-arch-from-'));
const file = (name: string) => join(dir, name);

interface Exported {
  params: number;
  shapes: Record<string, number[]>;
  input: number[];
  classes: number;
}
const info = (name: string): Exported => JSON.parse(readFileSync(file(`${name}.json`), 'utf8')) as Exported;

before(() => {
  if (!havePython) return;
  const r = spawnSync(PYTHON, [SCRIPT, dir], { encoding: 'utf8', timeout: 300_000 });
  assert.equal(r.status, 0, `export_models.py failed: ${r.stderr}`);
});

const opts = {
  skip: havePython
    ? false
    : `${PYTHON} with torch is missing (apt-get install python3-torch: the PyTorch exports need it)`,
};

/** PyTorch's parameter shapes in our layouts (conv OIHW → HWIO, Linear [out, in] → [in, out]), sorted. */
function torchShapes(e: Exported): string[] {
  return Object.values(e.shapes)
    .map((s) => (s.length === 4 ? [s[2], s[3], s[1], s[0]] : s.length === 2 ? [s[1], s[0]] : s))
    .map((s) => s.join('x'))
    .sort();
}
const ourShapes = (params: ParamInfo[]): string[] =>
  params
    .filter((p) => p.trainable)
    .map((p) => p.shape.join('x'))
    .sort();

function rebuilt(name: string, restoreBatchnorm = false) {
  const e = info(name);
  const { spec, arch } = archSpecFromOnnx(file(`${name}.onnx`), { restoreBatchnorm });
  const graph = buildLayerGraph(spec, arch.inputShape, arch.classes);
  return { e, arch, spec, ...analyzeGraph(graph) };
}

for (const name of ['resnet18_bn', 'wrn16', 'small_cnn']) {
  test(`${name}: the rebuilt graph has PyTorch's parameter count and shapes`, opts, () => {
    const r = rebuilt(name);
    const [c, h, w] = r.e.input as [number, number, number];
    assert.deepEqual(r.arch.inputShape, [h, w, c]);
    assert.equal(r.arch.layout, 'nchw');
    assert.equal(r.arch.classes, r.e.classes);
    assert.equal(countTrainable(r.params), r.e.params);
    assert.deepEqual(ourShapes(r.params), torchShapes(r.e));
    assert.deepEqual(r.outputShape, [r.e.classes]);
  });
}

test(
  'resnet18 exported in eval mode (BatchNorm folded into the convs): biased convs, or BN restored',
  opts,
  () => {
    const folded = rebuilt('resnet18');
    const bnChannels = Object.entries(folded.e.shapes)
      .filter(([k, s]) => s.length === 1 && /(bn\d|downsample\.1)\.weight$/.test(k))
      .reduce((a, [, s]) => a + s[0]!, 0);
    assert.equal(bnChannels, 4800);
    // γ and β (2c) of each folded BN became a conv bias (c)
    assert.equal(countTrainable(folded.params), folded.e.params - bnChannels);
    assert.equal(folded.arch.restoredBatchnorms, 0);
    const restored = rebuilt('resnet18', true);
    assert.equal(restored.arch.restoredBatchnorms, 20);
    assert.equal(countTrainable(restored.params), restored.e.params);
    assert.deepEqual(ourShapes(restored.params), torchShapes(restored.e));
    // the same layers as the preserved-BN export
    assert.deepEqual(restored.spec, rebuilt('resnet18_bn').spec);
    const residuals = restored.arch.layers.filter((l) => l.type === 'residual');
    assert.equal(residuals.length, 8);
    assert.equal(residuals.filter((l) => l.type === 'residual' && l.shortcut.length > 0).length, 3);
  },
);

test(
  'small_cnn: the final Softmax is dropped and reported; any class count and input size build',
  opts,
  () => {
    const r = rebuilt('small_cnn');
    assert.equal(r.arch.output, 'probabilities');
    const g = analyzeGraph(buildLayerGraph(r.spec, [32, 32, 1], 4));
    assert.deepEqual(g.outputShape, [4]);
    // flatten of 6×6×32 feeds the first dense
    assert.deepEqual(g.params.find((p) => p.shape.length === 2)!.shape, [6 * 6 * 32, 64]);
  },
);

test('an unsupported operator: one E_MODEL line naming each node, its op and the supported ops', opts, () => {
  assert.throws(
    () => archSpecFromOnnx(file('leaky.onnx')),
    (e: unknown) =>
      isMiaError(e) &&
      e.code === 'E_MODEL' &&
      /cannot rebuild 2 ONNX node\(s\)/.test(e.message) &&
      /LeakyRelu \(node \/LeakyRelu, op LeakyRelu\)/.test(e.message) &&
      /op Resize/.test(e.message) &&
      /Conv, BatchNormalization/.test(e.expected ?? '') &&
      !e.oneLine().includes('\n'),
  );
});

test('not an ONNX file: E_MODEL; a missing file: E_IO', () => {
  assert.throws(
    () => decodeOnnxModel(new TextEncoder().encode('hello, not protobuf'), 'x.onnx'),
    (e: unknown) => isMiaError(e) && e.code === 'E_MODEL' && e.where === 'x.onnx',
  );
  assert.throws(
    () => readOnnxFile(join(dir, 'absent.onnx')),
    (e: unknown) => isMiaError(e) && e.code === 'E_IO',
  );
  assert.throws(
    () => normalizeArchSpec({ name: 'from_onnx', params: { layers: '[{"type":"warp"}]' } }),
    (e: unknown) => isMiaError(e) && e.code === 'E_CONFIG' && /unknown layer type "warp"/.test(e.message),
  );
});

test(
  'mia train --arch-from trains the small CNN and the ResNet-18 (BN restored) and saves from_onnx',
  opts,
  () => {
    const cnn = runMia(
      [
        'train',
        '--dataset',
        'npz',
        '--data-path',
        file('data28.npz'),
        '--arch-from',
        file('small_cnn.onnx'),
        '--epochs',
        '1',
        '--batch-size',
        '16',
        '--out',
        file('m-cnn'),
      ],
      dir,
    );
    assert.equal(cnn.code, 0, cnn.stderr + cnn.stdout);
    assert.match(
      cnn.stdout,
      /^architecture from .*small_cnn\.onnx: .*2 conv2d.*input \[28, 28, 1\] \(NCHW\), 10 classes/m,
    );
    assert.match(cnn.stdout, /^model: from_onnx \(10 layers from an ONNX file\), 56,714 parameters/m);
    assert.match(cnn.stdout, /^epoch 1\/1 {2}loss \d+\.\d+/m);
    const record = JSON.parse(readFileSync(file('m-cnn/model.json'), 'utf8')) as {
      spec: { arch: { name: string } };
    };
    assert.equal(record.spec.arch.name, 'from_onnx');

    const resnet = runMia(
      [
        'train',
        '--dataset',
        'npz',
        '--data-path',
        file('data32.npz'),
        '--arch-from',
        file('resnet18.onnx'),
        '--arch-restore-bn',
        '--train-size',
        '16',
        '--epochs',
        '1',
        '--batch-size',
        '8',
        '--optimizer',
        'sgd',
        '--lr',
        '0.01',
        '--out',
        file('m-resnet'),
      ],
      dir,
      240_000,
    );
    assert.equal(resnet.code, 0, resnet.stderr + resnet.stdout);
    assert.match(resnet.stdout, /20 batch norms restored/);
    assert.match(resnet.stdout, /^engine: ort,/m);
    assert.match(resnet.stdout, /11,181,642 parameters/);
    assert.match(resnet.stdout, /^epoch 1\/1 {2}loss \d+\.\d+/m);

    const bad = runMia(
      [
        'train',
        '--dataset',
        'npz',
        '--data-path',
        file('data32.npz'),
        '--arch-from',
        file('leaky.onnx'),
        '--out',
        'x',
      ],
      dir,
    );
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /^error \[E_MODEL\] .*leaky\.onnx: cannot rebuild 2 ONNX node\(s\)/m);
    const both = runMia(
      ['train', '--dataset', 'npz', '--arch', 'dense', '--arch-from', file('leaky.onnx'), '--out', 'x'],
      dir,
    );
    assert.equal(both.code, 2);
    assert.match(both.stderr, /give --arch-from or --arch/);
  },
);

test(
  "mia score --target FILE.onnx trains its shadow models with the ONNX model's own architecture",
  opts,
  () => {
    const r = runMia(
      [
        'score',
        '--target',
        file('small_cnn.onnx'),
        '--public',
        file('public28.npz'),
        '--private',
        file('private28.npz'),
        '--out',
        file('scores.csv'),
        '--attack',
        'shadow',
        '--shadow-models',
        '2',
        '--epochs',
        '1',
      ],
      dir,
      240_000,
    );
    assert.equal(r.code, 0, r.stderr + r.stdout);
    assert.match(r.stdout, /^shadow architecture from .*small_cnn\.onnx: .*2 conv2d/m);
    const lines = readFileSync(file('scores.csv'), 'utf8').trim().split('\n');
    assert.equal(lines[0], 'id,score');
    assert.equal(lines.length, 21);
    assert.ok(lines.slice(1).every((l) => Number.isFinite(Number(l.split(',')[1]))));
  },
);

test(
  'config architecture: {from: FILE}: the ONNX layers as the target and reference architecture',
  opts,
  () => {
    const yaml = (arch: string) => `data:\n  dataset: synthetic\ntarget:\n  architecture: ${arch}\n`;
    const { config } = parseAuditConfig(yaml(`{from: ${file('wrn16.onnx')}}`), 'c.yaml');
    assert.equal(config.mode, 'reference');
    if (config.mode !== 'reference') return;
    assert.deepEqual(config.target.architecture, archSpecFromOnnx(file('wrn16.onnx')).spec);
    assert.deepEqual(config.reference.architecture, config.target.architecture);
    const restored = parseAuditConfig(
      yaml(`{from: ${file('resnet18.onnx')}, restore_batchnorm: true}`),
      'c.yaml',
    ).config;
    assert.ok(restored.mode === 'reference');
    assert.equal(restored.target.architecture.params.layers, rebuilt('resnet18_bn').spec.params.layers);
    assert.throws(
      () => parseAuditConfig(yaml(`{from: ${file('leaky.onnx')}}`), 'c.yaml'),
      (e: unknown) =>
        isMiaError(e) &&
        e.code === 'E_CONFIG' &&
        /^target\.architecture\.from: cannot rebuild 2 ONNX node/.test(e.message) &&
        (e.where ?? '').includes('c.yaml'),
    );
    assert.throws(
      () => parseAuditConfig(yaml(`{from: ${file('wrn16.onnx')}, name: mlp}`), 'c.yaml'),
      (e: unknown) => isMiaError(e) && /cannot be given with architecture.from/.test(e.message),
    );
  },
);
