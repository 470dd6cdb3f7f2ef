// Benchmark: the full default `mia attack` suite (5 threshold attacks + lr, mlp, rf, knn) on N members +
// N non-members, 10 classes, every slice (entire, 10 classes, correctness, 10 loss deciles) — wall and CPU
// time per attack (scoring + metrics on all slices), the whole suite, and peak memory. Baseline, run side
// by side in the same invocation: the threshold attacks as TF Privacy computes them (numpy signals +
// sklearn roc_curve/auc per slice) via /usr/bin/python3 on the same arrays.
//
// Targets (issue 3, issue 18): at N = 100,000 the threshold attacks in < 2 s; at N = 2,000,000 the whole
// default suite in < 3 min and < 4 GB peak RSS — printed beside the measured values as ratios.
//
// Run: node --import tsx bench/attack-suite.ts [--n 100000 | --n 2000000] [--no-python]
//        [--attacks lr,rf] [--max-train-per-class 50000] [--progress]
// --max-train-per-class: the trained attacks' cap (default runOutputAttacks's, 50,000; "Infinity" for
// none); --progress prints each attack's progress lines (on by default from N = 1,000,000).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { DEFAULT_OUTPUT_ATTACKS } from '../src/attacks/registry.js';
import { DEFAULT_MAX_TRAIN_PER_CLASS } from '../src/attacks/trained-attack-scale.js';
import { runOutputAttacks } from '../src/audit/run-attacks.js';
import { type Logger, silentLogger } from '../src/core/logger.js';
import { npyArray } from '../src/io/npy.js';
import { writeNpz } from '../src/io/npz.js';
import { SLICE_FAMILIES } from '../src/metrics/slicing.js';
import { syntheticAttackInput } from '../src/signals/synthetic-outputs.js';

const { values } = parseArgs({
  options: {
    n: { type: 'string', default: '100000' },
    'no-python': { type: 'boolean', default: false },
    attacks: { type: 'string' },
    'max-train-per-class': { type: 'string' },
    progress: { type: 'boolean' },
  },
});
const n = Number(values.n);
const c = 10;
const attacks = values.attacks?.split(',') ?? [...DEFAULT_OUTPUT_ATTACKS];
const cap = Number(values['max-train-per-class'] ?? DEFAULT_MAX_TRAIN_PER_CLASS);
const logger: Logger =
  (values.progress ?? n >= 1_000_000) ? { info: (line) => console.log(`    ${line}`) } : silentLogger;
const input = syntheticAttackInput({ nMembers: n, nNonMembers: n, numClasses: c, seed: 5 });
console.log(
  `attack suite: ${n} members + ${n} non-members, ${c} classes, slices ${SLICE_FAMILIES.join(',')}; ` +
    `trained attacks on at most ${cap} per class per attacker; load average ${loadavg()[0]!.toFixed(1)} on ` +
    'this machine',
);

const rss = () => process.resourceUsage().maxRSS / 1024;
const rss0 = rss();
// Each attack runs on its own so that its time is its scoring plus the metrics of all its slices.
const cpuSeconds = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};
const wall: Record<string, number> = {};
const cpu: Record<string, number> = {};
const results: ReturnType<typeof runOutputAttacks>['results'] = [];
const t0 = performance.now();
const c0 = cpuSeconds();
for (const name of attacks) {
  const t = performance.now();
  const ct = cpuSeconds();
  results.push(
    ...runOutputAttacks(input, {
      attacks: [name],
      slices: SLICE_FAMILIES,
      seed: 0,
      maxTrainPerClass: cap,
      logger,
    }).results,
  );
  wall[name] = performance.now() - t;
  cpu[name] = cpuSeconds() - ct;
}
const total = (performance.now() - t0) / 1000;
const totalCpu = cpuSeconds() - c0;
const names = Object.keys(wall);
const threshold = names.filter((x) => x.startsWith('threshold')).reduce((s, x) => s + wall[x]!, 0) / 1000;
const aucOf = (name: string) =>
  results.find((x) => x.attack === name && x.slice.feature === 'entire_dataset')?.auc ?? Number.NaN;
const secs = (x: number) => `${x.toFixed(2)} s`.padStart(9);
console.log('\nours (scoring + metrics on every slice; wall, CPU, entire-dataset AUC):');
for (const name of names) {
  console.log(
    `  ${name.padEnd(28)} ${secs(wall[name]! / 1000)} ${secs(cpu[name]!)} CPU   AUC ${aucOf(name).toFixed(4)}`,
  );
}
const ratio = (measured: number, target: number) => `${(measured / target).toFixed(2)}× of the target`;
const peak = rss();
if (names.some((x) => x.startsWith('threshold'))) {
  console.log(
    `  ${'threshold attacks, total'.padEnd(28)} ${secs(threshold)}${n === 100_000 ? `   target < 2 s: ${ratio(threshold, 2)}` : ''}`,
  );
}
console.log(
  `  ${'whole suite'.padEnd(28)} ${secs(total)} ${secs(totalCpu)} CPU, ${results.length} results` +
    (n >= 2_000_000 ? `   target < 180 s: ${ratio(total, 180)}` : ''),
);
console.log(
  `  peak RSS ${peak.toFixed(0)} MB (${rss0.toFixed(0)} MB after generating the input)` +
    (n >= 2_000_000 ? `   target < 4096 MB: ${ratio(peak, 4096)}` : ''),
);
for (const r of results) {
  if (r.slice.feature === 'entire_dataset' && r.note?.startsWith('each attacker trained on')) {
    console.log(`  ${r.attack}: ${r.note}`);
  }
}

if (!values['no-python'] && attacks.includes('threshold')) {
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
