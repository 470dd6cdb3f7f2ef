// Benchmark: the full default `mia attack` suite (5 threshold attacks + lr, mlp, rf, knn) on 100,000
// members + 100,000 non-members, 10 classes, every slice (entire, 10 classes, correctness, 10 loss
// deciles) — wall time per attack (scoring + metrics on all slices) and peak memory. Baseline, run side by
// side in the same invocation: the threshold attacks as TF Privacy computes them (numpy signals +
// sklearn roc_curve/auc per slice) via /usr/bin/python3 on the same arrays.
//
// Run: node --import tsx bench/attack-suite.ts [--n 100000] [--no-python]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { DEFAULT_OUTPUT_ATTACKS } from '../src/attacks/registry.js';
import { runOutputAttacks } from '../src/audit/run-attacks.js';
import { npyArray } from '../src/io/npy.js';
import { writeNpz } from '../src/io/npz.js';
import { SLICE_FAMILIES } from '../src/metrics/slicing.js';
import { syntheticAttackInput } from '../src/signals/synthetic-outputs.js';

const { values } = parseArgs({
  options: { n: { type: 'string', default: '100000' }, 'no-python': { type: 'boolean', default: false } },
});
const n = Number(values.n);
const c = 10;
const input = syntheticAttackInput({ nMembers: n, nNonMembers: n, numClasses: c, seed: 5 });
console.log(
  `attack suite: ${n} members + ${n} non-members, ${c} classes, slices ${SLICE_FAMILIES.join(',')}`,
);

const rss = () => process.resourceUsage().maxRSS / 1024;
const rss0 = rss();
// Each attack runs on its own so that its time is its scoring plus the metrics of all its slices.
const wall: Record<string, number> = {};
const results: ReturnType<typeof runOutputAttacks>['results'] = [];
const t0 = performance.now();
for (const name of DEFAULT_OUTPUT_ATTACKS) {
  const t = performance.now();
  results.push(...runOutputAttacks(input, { attacks: [name], slices: SLICE_FAMILIES, seed: 0 }).results);
  wall[name] = performance.now() - t;
}
const total = (performance.now() - t0) / 1000;
const names = Object.keys(wall);
const threshold = names.filter((x) => x.startsWith('threshold')).reduce((s, x) => s + wall[x]!, 0) / 1000;
console.log('\nours (scoring + metrics on every slice):');
for (const name of names) console.log(`  ${name.padEnd(28)} ${(wall[name]! / 1000).toFixed(2)} s`);
console.log(`  ${'threshold attacks, total'.padEnd(28)} ${threshold.toFixed(2)} s   (target < 2 s)`);
console.log(`  ${'whole suite'.padEnd(28)} ${total.toFixed(2)} s, ${results.length} results`);
console.log(`  peak RSS ${rss().toFixed(0)} MB (${rss0.toFixed(0)} MB after generating the input)`);

if (!values['no-python']) {
  const dir = mkdtempSync(join(tmpdir(), 'mia-suite-'));
  const path = join(dir, 'in.npz');
  writeNpz(path, {
    logits_train: npyArray(input.members.logits!, [n, c]),
    logits_test: npyArray(input.nonMembers.logits!, [n, c]),
    labels_train: npyArray(input.members.labels, [n]),
    labels_test: npyArray(input.nonMembers.labels, [n]),
  });
  const script = fileURLToPath(new URL('./py/attack_suite_baseline.py', import.meta.url));
  const r = spawnSync('/usr/bin/python3', [script, path], { encoding: 'utf8' });
  rmSync(dir, { recursive: true, force: true });
  if (r.status !== 0) {
    console.log(`python baseline failed: ${r.stderr.trim().split('\n').pop()}`);
  } else {
    const py = JSON.parse(r.stdout.trim().split('\n').pop()!) as {
      seconds: number;
      maxRssMB: number;
      aucs: number[];
    };
    console.log('\nbaseline (numpy signals + sklearn roc_curve/auc per slice, threshold attacks only):');
    console.log(
      `  ${'threshold attacks, total'.padEnd(28)} ${py.seconds.toFixed(2)} s, peak RSS ${py.maxRssMB.toFixed(0)} MB`,
    );
    console.log(`  ratio (baseline / ours): ${(py.seconds / threshold).toFixed(1)}×`);
    const ours = results.filter((x) => x.attack === 'threshold' && x.slice.feature === 'entire_dataset')[0]!
      .auc;
    console.log(`  check: loss-threshold AUC ours ${ours.toFixed(6)}, sklearn ${py.aucs[0]!.toFixed(6)}`);
  }
}
