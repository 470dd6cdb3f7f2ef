import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parseAuditConfig } from '../../src/audit/config.js';
import { closest } from '../../src/audit/config-reader.js';
import { errorOf } from './helpers.js';

const MINIMAL = `data:
  dataset: synthetic
target:
  architecture: mlp
`;

test('a minimal config gets the documented defaults', () => {
  const { config } = parseAuditConfig(MINIMAL, 'dir/my-audit.yaml');
  assert.ok(config.mode === 'reference');
  assert.equal(config.run.seed, 0);
  assert.equal(config.run.logDir, 'runs/my-audit');
  assert.equal(config.run.numExperiments, 1);
  assert.equal(config.data.auditSize, 2000);
  assert.equal(config.data.populationSize, 1000);
  assert.deepEqual(config.target.architecture, {
    name: 'mlp',
    params: { activation: 'relu', hidden: '512,256,128' },
  });
  assert.deepEqual(config.target.optimizer, {
    name: 'adam',
    lr: 0.001,
    weightDecay: 0,
    schedule: { kind: 'constant' },
  });
  assert.equal(config.target.epochs, 10);
  assert.deepEqual(config.reference, config.target, 'references default to the target');
  assert.equal(config.audit.referenceModels, 3);
  assert.deepEqual(config.audit.attacks, ['rmia', 'lira-online', 'lira-offline', 'loss']);
  assert.deepEqual(config.audit.fprTargets, [0.001, 0.01, 0.05, 0.1]);
  assert.deepEqual(config.audit.slices, ['entire', 'class', 'correctness']);
  assert.equal(config.audit.rmia.a, undefined, 'a is tuned unless given');
  assert.equal(config.report.enabled, true);
});

test('reference keys override the target one by one; sgd takes momentum', () => {
  const { config } = parseAuditConfig(
    `${MINIMAL}  epochs: 7\n  batch_size: 16\nreference:\n  optimizer: sgd\n  momentum: 0.9\n  learning_rate: 0.05\n`,
    'c.yaml',
  );
  assert.ok(config.mode === 'reference');
  assert.equal(config.reference.epochs, 7);
  assert.equal(config.reference.batchSize, 16);
  assert.deepEqual(config.reference.optimizer, {
    name: 'sgd',
    lr: 0.05,
    momentum: 0.9,
    weightDecay: 0,
    schedule: { kind: 'constant' },
  });
  assert.equal(config.target.optimizer.name, 'adam');
});

test('an unknown key points at its line and column and suggests the known one', () => {
  const text = `run:\n  seed: 3\ndata:\n  dataset: synthetic\n  audit_sise: 400\ntarget:\n  architecture: mlp\n`;
  const e = errorOf(() => parseAuditConfig(text, 'conf.yaml'));
  assert.equal(e.code, 'E_CONFIG');
  assert.equal(e.where, 'conf.yaml:5:3');
  assert.match(e.message, /unknown key 'data\.audit_sise' \(did you mean 'audit_size'\?\)/);
  assert.match(e.expected ?? '', /audit_size/);
  assert.ok(!e.oneLine().includes('\n'), 'one line');
  const top = errorOf(() => parseAuditConfig(`${MINIMAL}reports:\n  enabled: false\n`, 'c.yaml'));
  assert.equal(top.where, 'c.yaml:5:1');
  assert.match(top.message, /did you mean 'report'/);
});

test('a wrong type points at the value with what was expected and found', () => {
  const text = `data:\n  dataset: synthetic\ntarget:\n  architecture: mlp\n  epochs: ten\n`;
  const e = errorOf(() => parseAuditConfig(text, 'c.yaml'));
  assert.equal(e.where, 'c.yaml:5:11');
  assert.deepEqual(e.location, { file: 'c.yaml', key: 'target.epochs', line: 5, column: 11 });
  assert.match(e.message, /^target\.epochs must be an integer ≥ 1$/);
  assert.equal(e.found, '"ten"');
  const list = errorOf(() => parseAuditConfig(`${MINIMAL}audit:\n  fpr_targets: [0.01,\n    2]\n`, 'c.yaml'));
  assert.equal(list.where, 'c.yaml:7:5', 'a bad list item points at the item');
  assert.deepEqual(list.location, { file: 'c.yaml', key: 'audit.fpr_targets[1]', line: 7, column: 5 });
  assert.match(list.message, /audit\.fpr_targets\[1\] must be a number in \(0, 1\)/);
  const scalar = errorOf(() => parseAuditConfig(`${MINIMAL}audit:\n  attacks: rmia\n`, 'c.yaml'));
  assert.equal(scalar.where, 'c.yaml:6:12');
  assert.match(scalar.message, /must be a list/);
  const section = errorOf(() => parseAuditConfig(`${MINIMAL}run: 5\n`, 'c.yaml'));
  assert.equal(section.where, 'c.yaml:5:6');
});

test('unknown names and architecture parameters point at their line', () => {
  const attack = errorOf(() =>
    parseAuditConfig(`${MINIMAL}audit:\n  attacks:\n    - rmia\n    - lira\n`, 'c.yaml'),
  );
  assert.equal(attack.where, 'c.yaml:8:7');
  assert.match(attack.message, /audit\.attacks\[1\] is not a known attack/);
  const ds = errorOf(() => parseAuditConfig('data:\n  dataset: fashion_mnist\n', 'c.yaml'));
  assert.equal(ds.where, 'c.yaml:2:12');
  assert.match(ds.message, /did you mean 'fashion-mnist'/);
  const param = errorOf(() =>
    parseAuditConfig(
      'data:\n  dataset: synthetic\ntarget:\n  architecture:\n    name: mlp\n    params:\n      depth: 3\n',
      'c.yaml',
    ),
  );
  assert.equal(param.where, 'c.yaml:7:7');
  assert.match(param.message, /target\.architecture\.params\.depth: unknown parameter 'depth'/);
  const arch = errorOf(() =>
    parseAuditConfig('data:\n  dataset: synthetic\ntarget:\n  architecture: resnet\n', 'c.yaml'),
  );
  assert.equal(arch.where, 'c.yaml:4:17');
  assert.match(arch.message, /unknown architecture 'resnet'/);
});

test('cross-field rules point at the key that must change', () => {
  const even = errorOf(() => parseAuditConfig(`${MINIMAL}audit:\n  reference_models: 4\n`, 'c.yaml'));
  assert.equal(even.where, 'c.yaml:6:21');
  assert.match(even.message, /must be 0 or odd/);
  const few = errorOf(() =>
    parseAuditConfig(`${MINIMAL}audit:\n  reference_models: 1\n  attacks: [lira-online]\n`, 'c.yaml'),
  );
  assert.equal(few.where, 'c.yaml:6:21');
  assert.match(few.message, /lira-online needs every sample to have IN and OUT reference models/);
  const pop = errorOf(() =>
    parseAuditConfig(
      'data:\n  dataset: synthetic\n  population_size: 0\n  validation_size: 0\ntarget:\n  architecture: mlp\n',
      'c.yaml',
    ),
  );
  assert.equal(pop.where, 'c.yaml:3:20');
  assert.match(pop.message, /rmia needs population samples/);
  const exp = errorOf(() => parseAuditConfig(`${MINIMAL}run:\n  num_experiments: 9\n`, 'c.yaml'));
  assert.equal(exp.where, 'c.yaml:6:20');
  const missing = errorOf(() => parseAuditConfig('data:\n  dataset: synthetic\n', 'c.yaml'));
  assert.match(missing.message, /target\.architecture is required/);
});

test('YAML syntax errors and duplicate keys carry a position', () => {
  const syntax = errorOf(() => parseAuditConfig('data:\n  dataset: "synthetic\n', 'c.yaml'));
  assert.match(syntax.where ?? '', /^c\.yaml:\d+:\d+$/);
  assert.equal(syntax.location?.file, 'c.yaml');
  assert.equal(syntax.where, `c.yaml:${syntax.location?.line}:${syntax.location?.column}`);
  assert.match(syntax.message, /YAML syntax error/);
  const dup = errorOf(() => parseAuditConfig(`${MINIMAL}  epochs: 3\n  epochs: 4\n`, 'c.yaml'));
  assert.equal(dup.where, 'c.yaml:6:3');
  assert.match(dup.message, /unique/i);
});

test('--set overrides are applied and their errors name the override', () => {
  const { config } = parseAuditConfig(MINIMAL, 'c.yaml', [
    'target.epochs=3',
    'target.architecture={name: dense, params: {depth: 1, width: 8}}',
    'run.log_dir=/tmp/x',
  ]);
  assert.ok(config.mode === 'reference');
  assert.equal(config.target.epochs, 3);
  assert.deepEqual(config.target.architecture.params, { activation: 'relu', depth: 1, width: 8 });
  assert.equal(config.run.logDir, '/tmp/x');
  const bad = errorOf(() => parseAuditConfig(MINIMAL, 'c.yaml', ['audit.reference_models=2']));
  assert.equal(bad.where, '--set audit.reference_models');
  assert.equal(bad.location, undefined, 'an override has no place in the file: its where stays a string');
  const unknown = errorOf(() => parseAuditConfig(MINIMAL, 'c.yaml', ['target.epoch=2']));
  assert.equal(unknown.where, '--set target.epoch');
  const malformed = errorOf(() => parseAuditConfig(MINIMAL, 'c.yaml', ['target.epochs']));
  assert.equal(malformed.code, 'E_USAGE');
});

test('the shipped configs are valid', () => {
  for (const name of ['quickstart.yaml', 'cifar10-privacy-meter.yaml']) {
    const path = fileURLToPath(new URL(`../../configs/${name}`, import.meta.url));
    const { config } = parseAuditConfig(readFileSync(path, 'utf8'), path);
    assert.ok(config.mode === 'reference');
    assert.ok(config.audit.attacks.includes('rmia'), name);
  }
});

test('closest suggests plausible typos only', () => {
  assert.equal(closest('epoch', ['epochs', 'batch_size']), 'epochs');
  assert.equal(closest('learning-rate', ['learning_rate']), 'learning_rate');
  assert.equal(closest('zzz', ['epochs', 'seed']), undefined);
});
