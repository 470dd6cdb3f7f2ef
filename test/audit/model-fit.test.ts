// The audit's models checked before anything is trained (src/audit/model-fit.ts): at config time for
// datasets whose shape the config tells, after loading otherwise; the error names the config key's
// file:line:column. And the warning of an audit too small for its figures to mean anything.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { parseAuditConfig, trainingsOf } from '../../src/audit/config.js';
import { MIN_AUDIT_SIZE, smallAuditWarning } from '../../src/audit/config-data.js';
import { checkAuditModelsFit } from '../../src/audit/model-fit.js';
import { runMia } from '../cli/run-mia.js';
import { errorOf } from './helpers.js';

const tmp = mkdtempSync(join(tmpdir(), 'mia-model-fit-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

test('width 1e9 on fashion-mnist stops at config time at the key, with what it needs and the limit', () => {
  const text = `data:
  dataset: fashion-mnist
target:
  architecture:
    name: dense
    params: {width: 1000000000}
audit:
  reference_models: 3
`;
  const e = errorOf(() => parseAuditConfig(text, 'big.yaml'));
  assert.equal(e.code, 'E_CONFIG');
  assert.match(
    e.oneLine(),
    /^\[E_CONFIG\] big\.yaml:6:21: target\.architecture\.params\.width: the model would need 3\.0e18 parameters, 48 EB to train .*\(expected at most [\d.]+ [kMGT]?B \(this machine's memory\), found width 1000000000\)$/,
  );
});

test('filters: 1e9 in a reference section, a too-deep conv in the experiments mode, a --set override', () => {
  const ref = errorOf(() =>
    parseAuditConfig(
      `data: {dataset: cifar10}
target: {architecture: small_cnn}
reference:
  architecture: {name: conv, params: {depth: 1, filters: 1e9}}
`,
      'ref.yaml',
    ),
  );
  assert.match(
    ref.oneLine(),
    /^\[E_CONFIG\] ref\.yaml:4:58: reference\.architecture\.params\.filters: the model would need /,
  );

  const exp = errorOf(() =>
    parseAuditConfig(
      `data: {dataset: synthetic, synthetic: {shape: [28, 28, 1]}}
models:
  ok: {architecture: small_cnn}
  deep:
    architecture: {name: conv, params: {depth: 5}}
experiments:
  - {name: e, models: [ok, deep]}
`,
      'exp.yaml',
    ),
  );
  assert.match(
    exp.oneLine(),
    /^\[E_CONFIG\] exp\.yaml:5:48: models\.deep\.architecture\.params\.depth: layer \d \((conv2d|maxpool)\) .*too large a depth for the input \(expected a smaller depth \(default 3\), found input shape \[28, 28, 1\], depth 5\)$/,
  );

  const set = errorOf(() =>
    parseAuditConfig('data: {dataset: mnist}\ntarget: {architecture: conv}\n', 's.yaml', [
      'target.architecture={name: conv, params: {width: 1000000000000}}',
    ]),
  );
  assert.match(
    set.oneLine(),
    /^\[E_CONFIG\] --set target\.architecture: target\.architecture\.params\.width: /,
  );
});

test('csv data: the shape is known after loading, and the same check then names the key', () => {
  const loaded = parseAuditConfig(
    `data: {dataset: csv, path: x.csv}
target:
  architecture: {name: mlp, params: {hidden: "64,5000000000"}}
`,
    'csv.yaml',
  );
  const e = errorOf(() => checkAuditModelsFit(trainingsOf(loaded.config), loaded.where, [20], 3));
  assert.match(e.oneLine(), /^\[E_CONFIG\] csv\.yaml:3:46: target\.architecture\.params\.hidden: /);
  checkAuditModelsFit(
    trainingsOf(
      parseAuditConfig('data: {dataset: csv, path: x.csv}\ntarget: {architecture: mlp}\n', 'ok.yaml').config,
    ),
    loaded.where,
    [20],
    3,
  );
});

test(`audit_size below ${MIN_AUDIT_SIZE} warns, at its key, that the figures mean nothing`, () => {
  assert.equal(smallAuditWarning(MIN_AUDIT_SIZE), undefined);
  assert.match(
    smallAuditWarning(2)!,
    /^data\.audit_size 2 gives about 1 members against 1 non-members: below 200/,
  );
  const file = join(tmp, 'small.yaml');
  writeFileSync(
    file,
    `run: {seed: 1, log_dir: ${join(tmp, 'small-run')}}
data:
  dataset: synthetic
  audit_size: 2
  population_size: 10
  validation_size: 0
  synthetic: {shape: [8], classes: 2}
target: {architecture: logistic, epochs: 1, batch_size: 2}
audit: {reference_models: 0, attacks: [loss], slices: [entire]}
report: {enabled: false}
`,
  );
  const r = runMia(['audit', file]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(
    r.stdout,
    new RegExp(
      `^warning: ${file}:4:15: data\\.audit_size 2 gives about 1 members against 1 non-members: below 200 \\(100 against 100\\) the AUC, the TPR at low FPR and the ε bounds mean nothing$`,
      'm',
    ),
  );
});
