import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parseAuditConfig } from '../../src/audit/config.js';
import { CONFIG_KEYS, type ConfigSectionKeys } from '../../src/audit/config-keys.js';
import { errorOf } from './helpers.js';

const README = readFileSync(fileURLToPath(new URL('../../configs/README.md', import.meta.url)), 'utf8');

/** The `## Keys` part of configs/README.md: each `###` heading with the key rows of its table. */
function keyTables(md: string): { heading: string; rows: Map<string, string> }[] {
  const part = md.slice(md.indexOf('## Keys'));
  const tables: { heading: string; rows: Map<string, string> }[] = [];
  for (const block of part.split(/^### /m).slice(1)) {
    const heading = block.slice(0, block.indexOf('\n'));
    const rows = new Map<string, string>();
    for (const line of block.split('\n')) {
      const m = /^\| `([a-z_]+)` \|(.*)$/.exec(line);
      if (m !== null) rows.set(m[1]!, m[2]!);
    }
    tables.push({ heading, rows });
  }
  return tables;
}

const tables = keyTables(README);
const table = (heading: RegExp) => {
  const t = tables.find((x) => heading.test(x.heading));
  assert.ok(t !== undefined, `configs/README.md has a table under a heading matching ${heading}`);
  return t.rows;
};
const section = (path: string): ConfigSectionKeys => {
  const s = CONFIG_KEYS.find((x) => x.path === path);
  assert.ok(s !== undefined, path);
  return s;
};
/** The words of a row's backticked spans (`{name, params}` → name, params). */
const mentioned = (row: string) =>
  new Set([...row.matchAll(/`([^`]+)`/g)].flatMap((m) => m[1]!.match(/[a-z_]+/g) ?? []));

test('configs/README.md documents every key of each section table, and no other', () => {
  const documented: [string, RegExp][] = [
    ['run', /^`run`/],
    ['data', /^`data`/],
    ['target', /^`target` and `reference`/],
    ['reference', /^`target` and `reference`/],
    ['audit', /^`audit`/],
    ['report', /^`report`/],
  ];
  for (const [path, heading] of documented) {
    assert.deepEqual([...table(heading).keys()].sort(), [...section(path).keys].sort(), `keys of ${path}`);
  }
  // the root: one heading per section of the reference mode, and the experiments mode's table
  const experiments = table(/^Experiments mode/);
  const root = [...documented.map(([p]) => p), ...experiments.keys()];
  assert.deepEqual(root.sort(), [...section('').keys].sort(), 'top-level sections');
});

test('configs/README.md names the keys of every nested mapping in its parent row', () => {
  const rowOf: Record<string, string | undefined> = {
    'data.synthetic': table(/^`data`/).get('synthetic'),
    'target.architecture': table(/^`target` and `reference`/).get('architecture'),
    'target.augment': table(/^`target` and `reference`/).get('augment'),
    'target.dp': table(/^`target` and `reference`/).get('dp'),
    'audit.augmentations': table(/^`audit`/).get('augmentations'),
    'audit.rmia': table(/^`audit`/).get('rmia'),
    'audit.shadow': table(/^`audit`/).get('shadow'),
    'audit.reference_models': table(/^`audit`/).get('reference_models'),
    'audit.reference_models.until': table(/^`audit`/).get('reference_models'),
    'audit.one_run': table(/^`audit`/).get('one_run'),
    training: table(/^Experiments mode/).get('training'),
    'models.<name>': table(/^Experiments mode/).get('models'),
    'experiments[]': table(/^Experiments mode/).get('experiments'),
  };
  const nested = CONFIG_KEYS.filter(
    (s) => s.path.includes('.') || s.path.includes('[') || s.path === 'training',
  );
  assert.deepEqual(
    Object.keys(rowOf).sort(),
    nested.map((s) => s.path).sort(),
    'every nested mapping is checked',
  );
  for (const s of nested) {
    const row = rowOf[s.path];
    assert.ok(row !== undefined, `a row for ${s.path}`);
    const words = mentioned(row);
    for (const k of s.keys) assert.ok(words.has(k), `${s.path}: the README row names \`${k}\``);
  }
});

/** A config of `mode` with `entry` (YAML lines) added, for the unknown-key probes. */
const REFERENCE = 'data:\n  dataset: synthetic\ntarget:\n  architecture: mlp\n';
const EXPERIMENTS =
  'data:\n  dataset: synthetic\nmodels:\n  a:\n    architecture: mlp\nexperiments:\n  - name: one\n    models: [a]\n';

test('the config readers accept exactly the keys of CONFIG_KEYS (an unknown key lists them)', () => {
  const probes: Record<string, string> = {
    '': `${REFERENCE}zzz: 1\n`,
    run: `${REFERENCE}run:\n  zzz: 1\n`,
    data: 'data:\n  dataset: synthetic\n  zzz: 1\ntarget:\n  architecture: mlp\n',
    'data.synthetic': 'data:\n  dataset: synthetic\n  synthetic:\n    zzz: 1\ntarget:\n  architecture: mlp\n',
    target: `${REFERENCE}  zzz: 1\n`,
    reference: `${REFERENCE}reference:\n  zzz: 1\n`,
    'target.architecture':
      'data:\n  dataset: synthetic\ntarget:\n  architecture:\n    name: mlp\n    zzz: 1\n',
    'target.augment': `${REFERENCE}  augment:\n    zzz: 1\n`,
    'target.dp': `${REFERENCE}  dp:\n    noise_multiplier: 1\n    zzz: 1\n`,
    audit: `${REFERENCE}audit:\n  zzz: 1\n`,
    'audit.augmentations': `${REFERENCE}audit:\n  augmentations:\n    zzz: 1\n`,
    'audit.rmia': `${REFERENCE}audit:\n  rmia:\n    zzz: 1\n`,
    'audit.shadow': `${REFERENCE}audit:\n  shadow:\n    zzz: 1\n`,
    'audit.reference_models': `${REFERENCE}audit:\n  reference_models:\n    zzz: 1\n`,
    'audit.reference_models.until': `${REFERENCE}audit:\n  reference_models:\n    max: 5\n    until:\n      zzz: 1\n`,
    'audit.one_run': `${REFERENCE}audit:\n  one_run:\n    zzz: 1\n`,
    report: `${REFERENCE}report:\n  zzz: 1\n`,
    training: `${EXPERIMENTS}training:\n  zzz: 1\n`,
    'models.<name>': `${EXPERIMENTS.replace('architecture: mlp\n', 'architecture: mlp\n    zzz: 1\n')}`,
    'experiments[]': `${EXPERIMENTS}    zzz: 1\n`,
  };
  assert.deepEqual(Object.keys(probes).sort(), CONFIG_KEYS.map((s) => s.path).sort());
  for (const s of CONFIG_KEYS) {
    const e = errorOf(() => parseAuditConfig(probes[s.path]!, 'c.yaml'));
    assert.equal(e.code, 'E_CONFIG', s.path);
    assert.match(e.message, /unknown key '(.*\.)?zzz'/, s.path);
    const listed = e.expected?.slice(e.expected.indexOf(': ') + 2).split(', ');
    assert.deepEqual(listed, [...s.keys], `the keys ${s.path || 'the root'} accepts`);
  }
});
