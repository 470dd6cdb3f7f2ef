/**
 * RMIA scoring: ours (sort + search, src/attacks/rmia.ts) vs the pairwise N×Z numpy computation of
 * Privacy Meter (bench/py/rmia_pairwise.py), side by side.
 *
 *   node --import tsx bench/rmia.ts [--n 50000] [--z 10000] [--models 4] [--rows 2500]
 *
 * Offline RMIA, a = 0.3, γ = 1, 4 reference models (each audit sample IN for 2), probabilities as the
 * signal (float64, so both sides start from the same bits). numpy's N×Z part runs on the first `rows`
 * audit samples only (the full 50,000 × 10,000 float64 matrix alone is 4 GB) and its time is extrapolated
 * linearly to N; the O(M(N+Z)) likelihood-ratio part runs on all N. Scores are compared for exact
 * equality on the slice.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { allReferences, makePopulation } from '../src/attacks/population.js';
import { rmiaScores } from '../src/attacks/rmia.js';
import { npyArray } from '../src/io/npy.js';
import { readNpz, writeNpz } from '../src/io/npz.js';
import { Rng } from '../src/rng.js';

const { values } = parseArgs({
  options: {
    n: { type: 'string', default: '50000' },
    z: { type: 'string', default: '10000' },
    models: { type: 'string', default: '4' },
    rows: { type: 'string', default: '2500' },
  },
});
const N = Number(values.n);
const Z = Number(values.z);
const M = Number(values.models);
const ROWS = Math.min(N, Number(values.rows));
const A_COEF = 0.3;
const GAMMA = 1;

const rng = new Rng(2024);
const sigmoid = (v: number) => 1 / (1 + Math.exp(-v));
const keep = new Uint8Array(M * N);
const refP = new Float64Array(M * N);
const base = Float64Array.from({ length: N }, () => 2 * rng.normal());
for (let i = 0; i < N; i++) {
  const perm = rng.permutation(M);
  for (let j = 0; j < M; j++) keep[perm[j]! * N + i] = j < M / 2 ? 1 : 0;
}
for (let m = 0; m < M; m++)
  for (let i = 0; i < N; i++)
    refP[m * N + i] = sigmoid(base[i]! + 0.7 * rng.normal() + 1.2 * keep[m * N + i]!);
const member = Uint8Array.from({ length: N }, () => (rng.next() < 0.5 ? 1 : 0));
const targetP = Float64Array.from({ length: N }, (_, i) =>
  sigmoid(base[i]! + 0.7 * rng.normal() + 1.2 * member[i]!),
);
const popBase = Float64Array.from({ length: Z }, () => 2 * rng.normal());
const popP = Float64Array.from({ length: M * Z }, (_, k) => sigmoid(popBase[k % Z]! + 0.7 * rng.normal()));
const popTargetP = Float64Array.from({ length: Z }, (_, k) => sigmoid(popBase[k]! + 0.7 * rng.normal()));

const pop = makePopulation({ models: M, samples: N, keep, signal: refP, popSamples: Z, popSignal: popP });
const refs = allReferences(pop);
const opts = { mode: 'offline', a: A_COEF, gamma: GAMMA, signal: 'probability' } as const;

console.log(
  `RMIA offline: N = ${N} audit × Z = ${Z} population samples, ${M} reference models, a = ${A_COEF}, γ = ${GAMMA}`,
);

// ---- ours ----
const rssBefore = process.resourceUsage().maxRSS;
let ours = rmiaScores(refs, targetP, popTargetP, opts);
const times: number[] = [];
for (let rep = 0; rep < 100; rep++) {
  const t0 = performance.now();
  ours = rmiaScores(refs, targetP, popTargetP, opts);
  times.push(performance.now() - t0);
}
const rssAfter = process.resourceUsage().maxRSS;
times.sort((x, y) => x - y);
const oursMs = times[Math.floor(times.length / 2)]!;
// arrays alive at the peak inside rmiaScores: per audit sample Pr(x|θ) → LR(x) in place, the OUT sums →
// means in place (float64), the OUT counts (int32), the scores (float64); per population sample Pr(z|θ) →
// LR(z), sums → means, the bucket-sorted copy (float64), its bucket index (int32), 8 bucket starts (int32)
const analyticBytes = N * (8 + 8 + 4 + 8) + Z * (8 + 8 + 8 + 4 + 8 * 4);

// ---- numpy (Privacy Meter's pairwise computation) ----
const dir = mkdtempSync(join(tmpdir(), 'mia-bench-rmia-'));
try {
  const inPath = join(dir, 'in.npz');
  const outPath = join(dir, 'out.npz');
  writeNpz(inPath, {
    keep: npyArray(keep, [M, N], 'bool'),
    ref_p: npyArray(refP, [M, N]),
    target_p: npyArray(targetP, [N]),
    pop_p: npyArray(popP, [M, Z]),
    pop_target_p: npyArray(popTargetP, [Z]),
    a: npyArray(Float64Array.of(A_COEF), []),
    gamma: npyArray(Float64Array.of(GAMMA), []),
    rows: npyArray(Int32Array.of(ROWS), []),
    repeats: npyArray(Int32Array.of(3), []),
  });
  const py = spawnSync(
    '/usr/bin/python3',
    [new URL('py/rmia_pairwise.py', import.meta.url).pathname, inPath, outPath],
    {
      encoding: 'utf8',
    },
  );
  if (py.status !== 0) throw new Error(`python failed: ${py.stderr}`);
  const res = readNpz(outPath);
  const npScores = res.get('scores')!.data as Float64Array;
  const secRatios = (res.get('seconds_ratios')!.data as Float64Array)[0]!;
  const secPairwise = (res.get('seconds_pairwise')!.data as Float64Array)[0]!;
  let mismatches = 0;
  for (let i = 0; i < ROWS; i++) if (!Object.is(npScores[i], ours[i])) mismatches++;
  const npFullMs = (secRatios + (secPairwise * N) / ROWS) * 1000;
  console.log('');
  console.log(
    `ours (bucket sort + search)  ${oursMs.toFixed(2)} ms  (median of 100; min ${times[0]!.toFixed(2)} ms)`,
  );
  console.log(
    `numpy pairwise (PM)          ${npFullMs.toFixed(0)} ms  = ratios ${(secRatios * 1000).toFixed(1)} ms (all N)` +
      ` + N×Z part ${(secPairwise * 1000).toFixed(1)} ms on ${ROWS} rows × ${N / ROWS} (linear extrapolation; best of 3)`,
  );
  console.log(
    `ratio                        ${(npFullMs / oursMs).toFixed(0)}× (vs our median), ${(npFullMs / times[0]!).toFixed(0)}× (best vs best)`,
  );
  console.log(
    `identical scores             ${mismatches === 0 ? 'yes' : 'NO'}: ${ROWS - mismatches}/${ROWS} of the slice bit-equal`,
  );
  console.log(
    `our memory                   ${(analyticBytes / 1e6).toFixed(1)} MB of arrays at the peak (linear in N + Z); ` +
      `process max RSS grew ${((rssAfter - rssBefore) / 1024).toFixed(1)} MB over the ${times.length} runs (JIT, GC slack)`,
  );
  console.log(
    `numpy's N×Z part needs ${((N * Z * 9) / 1e9).toFixed(1)} GB for all N (float64 ratios + bool matrix); the slice ${((ROWS * Z * 9) / 1e6).toFixed(0)} MB`,
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
