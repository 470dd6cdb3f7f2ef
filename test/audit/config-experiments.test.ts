import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { parseAuditConfig } from '../../src/audit/config.js';
import { runAudit } from '../../src/audit/pipeline.js';
import { isMiaError } from '../../src/errors.js';
import { errorOf } from './helpers.js';

const tmp = mkdtempSync(join(tmpdir(), 'mia-config-experiments-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

// line numbers below are 1-based lines of this text
const BASE = `data:
  dataset: synthetic
training:
  epochs: 3
models:
  a: {architecture: dense}
  b:
    architecture: {name: dense, params: {depth: 7}}
    learning_rate: 0.01
experiments:
  - name: one
    models: [a, b]
  - name: two
    title: b alone on 2 classes
    models: [b]
    first_k_classes: 2
`;

/** The error of BASE with `edit` applied (replace `from` by `to`, or append `to`), as one line. */
function errorWith(from: string | undefined, to: string): string {
  const text = from === undefined ? BASE + to : BASE.replace(from, to);
  if (from !== undefined) assert.notEqual(text, BASE, `'${from}' is in BASE`);
  const e = errorOf(() => parseAuditConfig(text, 'c.yaml'));
  assert.equal(e.code, 'E_CONFIG');
  return e.oneLine();
}

test('the experiments mode parses: models with training defaults and overrides, experiments, privacy keys', () => {
  const { config } = parseAuditConfig(
    `${BASE}audit:\n  privacy_every_epochs: 2\n  privacy_samples: 300\n`,
    'c.yaml',
  );
  assert.ok(config.mode === 'experiments');
  const ex = config.experiments;
  assert.deepEqual(
    ex.models.map((m) => [m.name, m.training.architecture.name, m.training.epochs, m.training.optimizer.lr]),
    [
      ['a', 'dense', 3, 0.001],
      ['b', 'dense', 3, 0.01],
    ],
  );
  assert.equal(ex.models[1]!.training.architecture.params.depth, 7);
  assert.deepEqual(ex.experiments, [
    { name: 'one', models: ['a', 'b'] },
    { name: 'two', title: 'b alone on 2 classes', models: ['b'], firstKClasses: 2 },
  ]);
  for (const key of ['target', 'reference']) assert.ok(!(key in config), `no ${key} in the experiments mode`);
  assert.ok(!('referenceModels' in config.audit), 'no reference_models in the experiments mode');
  assert.ok(!('numExperiments' in config.run), 'no num_experiments in the experiments mode');
  assert.deepEqual(config.audit.attacks, ['threshold', 'lr'], "the codelab's attacks by default");
  assert.deepEqual(config.audit.privacy, { everyEpochs: 2, attacks: ['threshold', 'lr'], samples: 300 });
  const plain = parseAuditConfig(
    'data:\n  dataset: synthetic\ntarget:\n  architecture: mlp\n',
    'p.yaml',
  ).config;
  assert.deepEqual(plain.audit.privacy, { everyEpochs: 0, attacks: ['threshold', 'lr'], samples: 2000 });
  assert.equal(plain.mode, 'reference');
  assert.ok(!('experiments' in plain));
});

test('errors of the experiments mode at file:line:column', () => {
  const cases: [string | undefined, string, string][] = [
    // an unknown key in an experiment, with the closest known key
    [
      '  - name: one\n',
      '  - name: one\n    modles: [a]\n',
      "c.yaml:12:5: unknown key 'experiments[0].modles' (did you mean 'models'?)",
    ],
    [
      'models: [a, b]',
      'models: [a, c]',
      'c.yaml:12:17: experiments[0].models[1] is not a model listed under models (expected one of a, b',
    ],
    ['models: [a, b]', 'models: [a, a]', "c.yaml:12:13: experiments[0].models lists 'a' twice"],
    ['models: [b]\n', 'models: []\n', 'c.yaml:15:13: experiments[1].models is empty'],
    ['  - name: two\n', '  - name: one\n', "c.yaml:13:11: experiments[1].name 'one' names two experiments"],
    [
      '  - name: two\n',
      '  - name: two/x\n',
      'c.yaml:13:11: experiments[1].name is not a valid experiment name',
    ],
    [
      '    first_k_classes: 2\n',
      '    first_k_classes: 1\n',
      'c.yaml:16:22: experiments[1].first_k_classes must be an integer ≥ 2',
    ],
    ['  a: {architecture: dense}\n', '  a: {epochs: 2}\n', 'c.yaml:6:6: models.a.architecture is required'],
    [
      '  a: {architecture: dense}\n',
      '  a/x: {architecture: dense}\n',
      "c.yaml:6:3: models: 'a/x' is not a valid model name",
    ],
    [
      '  a: {architecture: dense}\n',
      '  a: {architecture: dense}\n  c: {architecture: dense}\n',
      'c.yaml:7:3: models.c is not compared by any experiment',
    ],
    [
      '  a: {architecture: dense}\n',
      '  a: {architecture: dense, optimiser: sgd}\n',
      "c.yaml:6:28: unknown key 'models.a.optimiser' (did you mean 'optimizer'?)",
    ],
    [
      'training:\n  epochs: 3\n',
      'training:\n  architecture: mlp\n',
      "c.yaml:4:3: unknown key 'training.architecture'",
    ],
    [
      undefined,
      'target:\n  architecture: mlp\n',
      'c.yaml:18:3: target is for an audit of one target with reference models',
    ],
    [
      undefined,
      'audit:\n  reference_models: 3\n',
      'c.yaml:18:21: audit.reference_models applies to audits of a target with reference models, not to experiments',
    ],
    [
      undefined,
      'audit:\n  attacks: [threshold, rmia]\n',
      'c.yaml:18:24: audit.attacks[1] needs reference models, but experiments train no reference models',
    ],
    [
      undefined,
      'audit:\n  privacy_attacks: [loss]\n',
      'c.yaml:18:21: audit.privacy_attacks[0] is called threshold here (the loss threshold)',
    ],
    [
      undefined,
      'audit:\n  privacy_every_epochs: -1\n',
      'c.yaml:18:25: audit.privacy_every_epochs must be an integer ≥ 0',
    ],
    [
      undefined,
      'audit:\n  privacy_samples: 5\n',
      'c.yaml:18:20: audit.privacy_samples must be an integer ≥ 10',
    ],
    [
      undefined,
      'run:\n  num_experiments: 2\n',
      'c.yaml:18:20: run.num_experiments applies to audits with reference models',
    ],
  ];
  for (const [from, to, want] of cases) {
    const got = errorWith(from, to);
    assert.ok(got.startsWith(`[E_CONFIG] ${want}`), `\n got: ${got}\nwant: [E_CONFIG] ${want}`);
  }
  const k = BASE.replace('  dataset: synthetic\n', '  dataset: synthetic\n  first_k_classes: 3\n').replace(
    'first_k_classes: 2',
    'first_k_classes: 4',
  );
  assert.match(
    errorOf(() => parseAuditConfig(k, 'c.yaml')).oneLine(),
    /^\[E_CONFIG\] c\.yaml:17:22: experiments\[1\]\.first_k_classes is larger than data\.first_k_classes \(3\)/,
  );
});

test('errors of the new keys outside the experiments mode', () => {
  const single = 'data:\n  dataset: cifar10\ntarget:\n  architecture: mlp\n';
  const err = (text: string) => errorOf(() => parseAuditConfig(text, 's.yaml')).oneLine();
  assert.match(
    err(`${single}training:\n  epochs: 2\n`),
    /^\[E_CONFIG\] s\.yaml:6:3: training applies to the experiments mode/,
  );
  assert.match(
    err(`${single}models:\n  a: {architecture: mlp}\n`),
    /^\[E_CONFIG\] s\.yaml:6:3: models needs experiments/,
  );
  assert.match(
    err(single.replace('dataset: cifar10\n', 'dataset: cifar10\n  fallback_dataset: fashion-mnst\n')),
    /^\[E_CONFIG\] s\.yaml:3:21: data\.fallback_dataset must be one of fashion-mnist, mnist, cifar10, synthetic \(did you mean 'fashion-mnist'\?\)/,
  );
  assert.match(
    err(single.replace('dataset: cifar10\n', 'dataset: cifar10\n  fallback_dataset: cifar10\n')),
    /^\[E_CONFIG\] s\.yaml:3:21: data\.fallback_dataset is the dataset itself/,
  );
  assert.match(
    err(`${single}audit:\n  privacy_attacks: [threshold, lr, threshold]\n`),
    /^\[E_CONFIG\] s\.yaml:6:20: audit\.privacy_attacks lists 'threshold' twice/,
  );
  assert.match(
    err(`${single}audit:\n  privacy_attacks: [lira-online]\n`),
    /^\[E_CONFIG\] s\.yaml:6:21: audit\.privacy_attacks\[0\] needs reference models, but they run on the model being trained/,
  );
});

test('a first_k_classes above the classes of the dataset is an error at its line, found when the data is loaded', async () => {
  const text = `run:\n  log_dir: ${join(tmp, 'k')}\ndata:\n  dataset: synthetic\n  audit_size: 40\n  population_size: 20\n  validation_size: 10\n  synthetic: {shape: [4], classes: 3}\nmodels:\n  a: {architecture: logistic}\nexperiments:\n  - name: x\n    models: [a]\n    first_k_classes: 5\n`;
  const loaded = parseAuditConfig(text, 'k.yaml');
  await assert.rejects(
    runAudit(loaded),
    (e) =>
      isMiaError(e) &&
      e
        .oneLine()
        .startsWith('[E_CONFIG] k.yaml:14:22: first_k_classes is larger than the 3 classes of synthetic'),
  );
});
