import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { parse } from 'yaml';
import { demoCommand, QUICKSTART_CONFIG } from '../../src/cli/demo.js';
import { BUILTIN_IMAGE_SOURCES } from '../../src/data/sources.js';
import { repoRoot } from '../installed-package.js';

// Facts that help texts and config comments state about the code and configs: each is checked against
// its source here, so a change to one without the other fails.

const quickstartText = readFileSync(QUICKSTART_CONFIG, 'utf8');
const quickstart = parse(quickstartText) as {
  audit: { reference_models: number };
  target: { architecture: { name: string; params: { depth: number; filters: number; width: number } } };
};

test("mia demo --help states the quickstart's number of reference models", () => {
  const help = demoCommand.usage().replace(/\s+/g, ' ');
  const numbers = [...help.matchAll(/(\d+) reference models/g)].map((m) => Number(m[1]));
  assert.deepEqual(numbers, [quickstart.audit.reference_models]);
});

test("quickstart.yaml's model comment describes the configured conv net", () => {
  const { name, params } = quickstart.target.architecture;
  assert.equal(name, 'conv');
  const comment = quickstartText.split('\n').find((l) => l.startsWith('# The model under audit.'));
  assert.ok(comment, 'quickstart.yaml has a "# The model under audit." line');
  const m = /(\d+) × \[Conv2D\((\d+), 3×3, relu\) \+ MaxPool 2×2\], Dense\((\d+)\), Dense\(10\)/.exec(
    comment,
  );
  assert.ok(m, `the comment names the layers: ${comment}`);
  assert.deepEqual([Number(m[1]), Number(m[2]), Number(m[3])], [params.depth, params.filters, params.width]);
});

test('every dataset cache path named in configs, README and docs is one the loaders use', () => {
  const known = new Set([
    '~/.cache/mia-audit',
    '~/.cache/mia-audit/datasets',
    ...Object.values(BUILTIN_IMAGE_SOURCES).map((s) => `~/.cache/mia-audit/datasets/${s.cacheSubdir}`),
  ]);
  const files = [
    ...readdirSync(join(repoRoot, 'configs')).map((f) => join('configs', f)),
    'README.md',
    ...readdirSync(join(repoRoot, 'docs'), { withFileTypes: true })
      .filter((e) => e.isFile())
      .map((e) => join('docs', e.name)),
  ];
  const wrong: string[] = [];
  for (const f of files) {
    const text = readFileSync(join(repoRoot, f), 'utf8');
    for (const m of text.matchAll(/~\/\.cache\/mia-audit[\w/.-]*/g)) {
      const path = m[0].replace(/[/.]+$/, '');
      if (!known.has(path)) wrong.push(`${f}: ${path}`);
    }
  }
  assert.deepEqual(wrong, []);
});
