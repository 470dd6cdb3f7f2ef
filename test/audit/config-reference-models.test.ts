import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseAuditConfig } from '../../src/audit/config.js';
import { errorOf } from './helpers.js';

const BASE = `data:
  dataset: synthetic
target:
  architecture: mlp
audit:
  attacks: [rmia, loss]
`;

const schedule = (body: string) => `${BASE}  reference_models:\n${body}`;
const UNTIL = '    until: {metric: tpr@0.01, attack: rmia, tolerance: 0.005}\n';

test('audit.reference_models {min, max, until} is read as a schedule whose max sizes the keep matrix', () => {
  const { config } = parseAuditConfig(schedule(`    min: 5\n    max: 15\n${UNTIL}`), 'c.yaml');
  assert.ok(config.mode === 'reference');
  assert.equal(config.audit.referenceModels, 15);
  assert.deepEqual(config.audit.referenceSchedule, {
    min: 5,
    max: 15,
    until: { metric: 'tpr@0.01', attack: 'rmia', tolerance: 0.005 },
  });
  // min defaults to the fewest the attacks run with: rmia (offline) needs OUT models for every sample
  const rmia = parseAuditConfig(schedule(`    max: 9\n${UNTIL}`), 'c.yaml').config;
  assert.ok(rmia.mode === 'reference');
  assert.equal(rmia.audit.referenceSchedule?.min, 3);
  const loss = parseAuditConfig(
    schedule('    max: 9\n    until: {metric: auc, attack: rmia-online, tolerance: 0.01}\n').replace(
      '[rmia, loss]',
      '[rmia-online, loss]',
    ),
    'c.yaml',
  ).config;
  assert.ok(loss.mode === 'reference');
  assert.equal(loss.audit.referenceSchedule?.min, 1);
  const number = parseAuditConfig(`${BASE}  reference_models: 5\n`, 'c.yaml').config;
  assert.ok(number.mode === 'reference');
  assert.equal(number.audit.referenceModels, 5);
  assert.equal(number.audit.referenceSchedule, undefined, 'a number stays as it was');
});

test('a schedule that cannot run is refused in one line naming the key', () => {
  const cases: [string, string, RegExp][] = [
    [schedule(`    min: 2\n    max: 15\n${UNTIL}`), 'c.yaml:8:10', /must be 0 or odd/],
    [schedule(`    min: 1\n    max: 14\n${UNTIL}`), 'c.yaml:9:10', /must be 0 or odd/],
    [schedule(`    min: 7\n    max: 5\n${UNTIL}`), 'c.yaml:9:10', /is below min \(7\)/],
    [schedule('    min: 1\n    max: 5\n'), 'c.yaml:8:5', /until is required/],
    [
      schedule('    max: 5\n    until: {metric: tpr@0.01, attack: lira-online, tolerance: 0.005}\n'),
      'c.yaml:9:39',
      /is not one of audit.attacks/,
    ],
    [
      schedule('    max: 5\n    until: {metric: tpr@0.02, attack: rmia, tolerance: 0.005}\n'),
      'c.yaml:9:21',
      /needs 0.02 among audit.fpr_targets/,
    ],
    [
      schedule('    max: 5\n    until: {metric: accuracy, attack: rmia, tolerance: 0.005}\n'),
      'c.yaml:9:21',
      /is not a metric: 'accuracy'/,
    ],
    [
      schedule('    max: 5\n    until: {metric: auc, attack: rmia, tolerance: 0}\n'),
      'c.yaml:9:51',
      /tolerance/,
    ],
    [
      schedule(`    max: 5\n    until: {metric: auc, attack: rmia, tolerance: 0.01, when: 3}\n`),
      'c.yaml:9:57',
      /when/,
    ],
  ];
  for (const [text, where, message] of cases) {
    const e = errorOf(() => parseAuditConfig(text, 'c.yaml'));
    assert.equal(e.code, 'E_CONFIG', `${text}: ${e.message}`);
    assert.match(`${e.where} ${e.message}`, message, text);
    assert.equal(e.where, where, `${text}: ${e.message}`);
  }
});

test("a schedule's min must meet the attacks' needs, and it runs one experiment", () => {
  const lira = errorOf(() =>
    parseAuditConfig(
      `${BASE.replace('[rmia, loss]', '[rmia-online, lira-online]')}  reference_models:\n    min: 1\n    max: 9\n    until: {metric: auc, attack: lira-online, tolerance: 0.01}\n`,
      'c.yaml',
    ),
  );
  assert.match(lira.message, /is 1, but lira-online needs every sample to have IN and OUT/);
  const experiments = errorOf(() =>
    parseAuditConfig(`run:\n  num_experiments: 2\n${schedule(`    min: 3\n    max: 9\n${UNTIL}`)}`, 'c.yaml'),
  );
  assert.match(experiments.message, /must be 1 when audit.reference_models is a schedule/);
});
