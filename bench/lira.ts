/**
 * LiRA scoring: ours (one pass over the signal matrix in a WebAssembly kernel, src/attacks/lira.ts) vs
 * numpy implementations of the same formulas (bench/py/lira_numpy.py), side by side.
 *
 *   node --import tsx bench/lira.ts [--models 256] [--n 60000]
 *
 * 256 reference models × 60,000 samples, float32 scaled logits (what reference.npz holds), each sample
 * IN for half of the models; the target is a separate model. What each side times, per variant, from
 * the arrays in memory to the scores (reading the file excluded), best of 3 after one warm-up call:
 *  - ours: liraScores (statistics pass + scores);
 *  - numpy "where": masked sums with np.where and two-pass standard deviations (as np.std computes
 *    them) — the way a numpy user writes the formulas;
 *  - numpy "one-pass": the statistics as ours computes them (Σx, Σx², Σ_IN x, Σ_IN x², float64),
 *    vectorised with einsum — the fastest numpy form we know.
 * Scores are compared (max relative difference; the "where" form computes variances differently).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { LIRA_VARIANTS, liraScores, liraScoresFromStatistics, liraStatistics } from '../src/attacks/lira.js';
import { allReferences, makePopulation } from '../src/attacks/population.js';
import { npyArray } from '../src/io/npy.js';
import { readNpz, writeNpz } from '../src/io/npz.js';
import { Rng } from '../src/rng.js';

const { values } = parseArgs({
  options: { models: { type: 'string', default: '256' }, n: { type: 'string', default: '60000' } },
});
const M = Number(values.models);
const N = Number(values.n);

const rng = new Rng(2022);
const keep = new Uint8Array(M * N);
const scores = new Float32Array(M * N);
const base = Float64Array.from({ length: N }, () => 3 * rng.normal());
const gap = Float64Array.from({ length: N }, () => Math.abs(2 * rng.normal()));
const sd = Float64Array.from({ length: N }, () => 0.5 + rng.next());
for (let i = 0; i < N; i++) {
  const perm = rng.permutation(M);
  for (let j = 0; j < M / 2; j++) keep[perm[j]! * N + i] = 1;
}
for (let m = 0; m < M; m++) {
  for (let i = 0; i < N; i++)
    scores[m * N + i] = base[i]! + sd[i]! * rng.normal() + gap[i]! * keep[m * N + i]!;
}
const member = Uint8Array.from({ length: N }, () => (rng.next() < 0.5 ? 1 : 0));
const target = Float32Array.from(
  { length: N },
  (_, i) => base[i]! + sd[i]! * rng.normal() + gap[i]! * member[i]!,
);
const pop = makePopulation({ models: M, samples: N, keep, signal: scores });
const refs = allReferences(pop);

console.log(`LiRA: ${M} reference models × ${N} samples (float32 scaled logits), target separate`);

function bestOf(k: number, f: () => void): number {
  let best = Infinity;
  for (let r = 0; r < k; r++) {
    const t0 = performance.now();
    f();
    best = Math.min(best, performance.now() - t0);
  }
  return best;
}

const ours = new Map<string, { ms: number; scores: Float64Array }>();
const t0 = performance.now();
liraScores(refs, target, 'lira-online');
const firstMs = performance.now() - t0;
for (const v of LIRA_VARIANTS) {
  let s = liraScores(refs, target, v);
  const ms = bestOf(3, () => {
    s = liraScores(refs, target, v);
  });
  ours.set(v, { ms, scores: s });
}
const allFive = bestOf(3, () => {
  const st = liraStatistics(refs);
  for (const v of LIRA_VARIANTS) liraScoresFromStatistics(st, target, v);
});

const dir = mkdtempSync(join(tmpdir(), 'mia-bench-lira-'));
try {
  const inPath = join(dir, 'in.npz');
  const outPath = join(dir, 'out.npz');
  writeNpz(inPath, {
    keep: npyArray(keep, [M, N], 'bool'),
    scores: npyArray(scores, [M, N]),
    target: npyArray(target, [N]),
  });
  const py = spawnSync(
    '/usr/bin/python3',
    [new URL('py/lira_numpy.py', import.meta.url).pathname, 'bench', inPath, outPath],
    {
      encoding: 'utf8',
    },
  );
  if (py.status !== 0) throw new Error(`python failed: ${py.stderr}`);
  const res = readNpz(outPath);
  const sec = (k: string) => (res.get(k)!.data as Float64Array)[0]! * 1000;
  const maxRel = (a: Float64Array, b: Float64Array) => {
    let m = 0;
    for (let i = 0; i < N; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!) / Math.max(1, Math.abs(a[i]!)));
    return m;
  };
  console.log('');
  console.log(
    `${'variant'.padEnd(30)}${'ours'.padStart(9)}${'np where'.padStart(11)}${'ratio'.padStart(8)}` +
      `${'np 1-pass'.padStart(11)}${'ratio'.padStart(8)}   max rel. diff (where, 1-pass)`,
  );
  let npTotal = 0;
  let npTotal1 = 0;
  for (const v of LIRA_VARIANTS) {
    const o = ours.get(v)!;
    const npMs = sec(`seconds_${v}`);
    const np1Ms = sec(`seconds_onepass_${v}`);
    npTotal += npMs;
    npTotal1 += np1Ms;
    const d = maxRel(res.get(v)!.data as Float64Array, o.scores);
    const d1 = maxRel(res.get(`onepass_${v}`)!.data as Float64Array, o.scores);
    console.log(
      `${v.padEnd(30)}${`${o.ms.toFixed(1)} ms`.padStart(9)}${`${npMs.toFixed(0)} ms`.padStart(11)}` +
        `${`${(npMs / o.ms).toFixed(1)}×`.padStart(8)}${`${np1Ms.toFixed(0)} ms`.padStart(11)}` +
        `${`${(np1Ms / o.ms).toFixed(1)}×`.padStart(8)}   ${d.toExponential(1)}, ${d1.toExponential(1)}`,
    );
  }
  console.log(
    `${'all five (one statistics pass)'.padEnd(30)}${`${allFive.toFixed(1)} ms`.padStart(9)}` +
      `${`${npTotal.toFixed(0)} ms`.padStart(11)}${`${(npTotal / allFive).toFixed(1)}×`.padStart(8)}` +
      `${`${npTotal1.toFixed(0)} ms`.padStart(11)}${`${(npTotal1 / allFive).toFixed(1)}×`.padStart(8)}`,
  );
  console.log(
    `(best of 3 on each side after a warm-up call; our first call ${firstMs.toFixed(1)} ms with compiling ` +
      'the kernel; numpy computes every variant from scratch)',
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
