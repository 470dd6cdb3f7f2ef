// The "done when" of `mia plan` (issue 16): it prints the budget for the quickstart and for the
// Privacy-Meter CIFAR-10 config — the commands of docs/plan.md, run as written, print what the page shows
// (the sizes exactly; the wall time, measured on another machine, is left out with --no-calibrate).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { runMia } from './run-mia.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const doc = readFileSync(join(root, 'docs', 'plan.md'), 'utf8');

/** Every `$ npx mia plan …` of the page's code blocks with the lines shown under it. */
function examples(): { args: string[]; shown: string[] }[] {
  const out: { args: string[]; shown: string[] }[] = [];
  let inBlock = false;
  let current: { args: string[]; shown: string[] } | undefined;
  for (const line of doc.split('\n')) {
    if (line.startsWith('```')) {
      inBlock = !inBlock;
      current = undefined;
    } else if (inBlock && line.startsWith('$ npx mia plan ')) {
      out.push((current = { args: line.slice('$ npx mia '.length).split(' '), shown: [] }));
    } else if (current !== undefined && line !== '') current.shown.push(line);
  }
  return out;
}

const nowhere = join(root, 'no-such-run-dir');

test('docs/plan.md: mia plan refuses the quickstart and the CIFAR-10 config as written, in the line shown', () => {
  const refusals = examples().filter((e) => e.shown[0]?.startsWith('error '));
  assert.deepEqual(
    refusals.map((e) => e.args.at(-1)),
    ['configs/quickstart.yaml', 'configs/cifar10-privacy-meter.yaml'],
  );
  for (const e of refusals) {
    const r = runMia(e.args, root);
    assert.equal(r.code, 2, r.stdout);
    assert.deepEqual(r.stderr.trim().split('\n'), e.shown);
  }
});

test('docs/plan.md: mia plan prints the budget of the quickstart and of the CIFAR-10 config shown there', () => {
  const budgets = examples().filter((e) => e.shown[0]?.startsWith('mia plan: '));
  assert.deepEqual(
    budgets.map((e) => e.args[e.args.indexOf('--config') + 1]),
    ['configs/quickstart.yaml', 'configs/cifar10-privacy-meter.yaml'],
  );
  for (const e of budgets) {
    const r = runMia([...e.args, '--no-calibrate', '--from-run', nowhere], root);
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.trimEnd().split('\n');
    // the title and the sizes: exactly as the page shows them
    assert.deepEqual(lines.slice(0, 5), e.shown.slice(0, 5), e.args.join(' '));
    assert.match(e.shown[5]!, /^ {2}wall time {9}~.+ {2}\(as configured: ~.+\)$/);
    assert.equal(lines[5], '  wall time         unknown  (as configured: unknown)');
    // the notes the page shows (after its "…"), but the calibration's measured figures
    for (const note of e.shown.slice(6).filter((l) => l !== '  - …' && !l.includes('calibration:'))) {
      assert.ok(lines.includes(note), `${e.args.join(' ')} prints ${note}`);
    }
  }
});
