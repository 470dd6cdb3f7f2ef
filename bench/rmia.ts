/**
 * RMIA scoring: ours (sort + bucket search in WebAssembly kernels, src/attacks/rmia.ts) vs the pairwise
 * N×Z numpy computation of Privacy Meter (bench/py/rmia_pairwise.py), side by side.
 *
 *   node --import tsx bench/rmia.ts [--n 50000] [--z 10000] [--models 4] [--rows 2500] [--block 100]
 *
 * Offline RMIA, a = 0.3, γ = 1, 4 reference models (each audit sample IN for 2), probabilities as the
 * signal (float64, so both sides start from the same bits). What each side times:
 *  - ours: one rmiaScores call, from the population arrays to the returned scores (likelihood ratios,
 *    sort, counting, the output array). The first call (decoding and compiling the kernels, JIT) is
 *    reported apart; then 150 warm-up calls, then the median and minimum of 200 calls.
 *  - numpy, Privacy Meter's form: the likelihood ratios for all N, plus the N×Z matrix on the first `rows`
 *    audit samples (the full 50,000 × 10,000 float64 matrix alone is 4 GB), extrapolated linearly to N;
 *    best of 3.
 *  - numpy, blocked: the same pairwise computation over all N in chunks of `block` rows, whose
 *    temporaries fit the cache — not Privacy Meter's code, printed as a reference; best of 3.
 * Scores are compared for exact equality on all N.
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
    block: { type: 'string', default: '100' },
  },
});
const N = Number(values.n);
const Z = Number(values.z);
const M = Number(values.models);
const ROWS = Math.min(N, Number(values.rows));
const BLOCK = Number(values.block);
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
let t0 = performance.now();
let ours = rmiaScores(refs, targetP, popTargetP, opts);
const firstMs = performance.now() - t0;
for (let rep = 0; rep < 150; rep++) ours = rmiaScores(refs, targetP, popTargetP, opts);
const times: number[] = [];
for (let rep = 0; rep < 200; rep++) {
  t0 = performance.now();
  ours = rmiaScores(refs, targetP, popTargetP, opts);
  times.push(performance.now() - t0);
}
const rssAfter = process.resourceUsage().maxRSS;
times.sort((x, y) => x - y);
const oursMs = times[Math.floor(times.length / 2)]!;
// memory of one call: the scores (8N bytes) and the kernels' memory — population ratios, their sorted
// copy and bucket starts (8(Z+4) + 8(Z+4) + 4(4Z+2) + 4(Z/17+1) bytes) and one block of samples
// (block = 8192 for 4 references: signals 8·4·block, keep 4·block, target, ratios and scores 8·block
// each, a list of block/2 ints) — linear in N + Z, independent of N beyond the output
const block = 4 * Math.max(16, Math.min(2048, Math.floor(8192 / M)));
const analyticBytes =
  8 * N + 16 * (Z + 4) + 4 * (4 * Z + 2) + 4 * (Z / 17 + 1) + block * (8 * M + M + 24) + 2 * block;

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
    block: npyArray(Int32Array.of(BLOCK), []),
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
  const sec = (k: string) => (res.get(k)!.data as Float64Array)[0]!;
  const secRatios = sec('seconds_ratios');
  const npFullMs = (secRatios + (sec('seconds_pairwise') * N) / ROWS) * 1000;
  const npBlockedMs = (secRatios + sec('seconds_blocked')) * 1000;
  let mismatches = 0;
  for (let i = 0; i < N; i++) if (!Object.is(npScores[i], ours[i])) mismatches++;
  const f = (v: number, d = 2) => v.toFixed(d);
  console.log('');
  console.log(
    `ours (WebAssembly kernels)       ${f(oursMs)} ms  median of 200 calls after 150 warm-up calls ` +
      `(min ${f(times[0]!)} ms; first call ${f(firstMs)} ms with decoding + compiling the kernels)`,
  );
  console.log(
    `numpy, Privacy Meter's form      ${f(npFullMs, 0)} ms  = ratios ${f(secRatios * 1000, 1)} ms (all N)` +
      ` + N×Z matrix ${f(sec('seconds_pairwise') * 1000, 1)} ms on ${ROWS} rows × ${N / ROWS} (best of 3)`,
  );
  console.log(
    `numpy, blocked ${String(BLOCK).padEnd(4)} rows        ${f(npBlockedMs, 0)} ms  ` +
      `(all N in cache-sized chunks; not Privacy Meter's code; best of 3)`,
  );
  console.log(
    `ratio vs Privacy Meter's form    ${f(npFullMs / oursMs, 0)}× (vs our median), ${f(npFullMs / times[0]!, 0)}× (best vs best)`,
  );
  console.log(
    `ratio vs numpy blocked           ${f(npBlockedMs / oursMs, 0)}× (vs our median), ${f(npBlockedMs / times[0]!, 0)}× (best vs best)`,
  );
  console.log(
    `identical scores                 ${mismatches === 0 ? 'yes' : 'NO'}: ${N - mismatches}/${N} bit-equal`,
  );
  console.log(
    `our memory                       ${f(analyticBytes / 1e6, 1)} MB per call (scores + the kernels' memory; linear in N + Z); ` +
      `process max RSS grew ${f((rssAfter - rssBefore) / 1024, 1)} MB over the ${times.length + 151} calls (JIT, GC slack)`,
  );
  console.log(
    `numpy's N×Z matrix needs ${f((N * Z * 9) / 1e9, 1)} GB for all N (float64 ratios + bool); the slice ${f((ROWS * Z * 9) / 1e6, 0)} MB`,
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
