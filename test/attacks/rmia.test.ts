import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  allReferences,
  leaveOneOut,
  makePopulation,
  type Population,
  withoutRow,
} from '../../src/attacks/population.js';
import {
  aucMannWhitney,
  RMIA_A_GRID,
  rmiaCountScores,
  rmiaRatios,
  rmiaScores,
  tuneRmiaA,
} from '../../src/attacks/rmia.js';
import { MiaError } from '../../src/errors.js';
import { Rng } from '../../src/rng.js';

/**
 * RMIA by its direct pairwise definition (Privacy Meter's N×Z computation), from scratch: plain loops,
 * the same float64 operations in the same order (references summed in ascending row order).
 */
function rmiaPairwise(
  pop: Population,
  rows: number[],
  target: ArrayLike<number>,
  targetPop: ArrayLike<number>,
  mode: 'offline' | 'online',
  a: number,
  gamma: number,
  prob: boolean,
): Float64Array {
  const { samples: n, queries: q, popSamples: zn, popQueries: qz } = pop;
  const p = (v: number) => (prob ? (v === 0 ? 0 : v) : 1 / (1 + Math.exp(-v)));
  const meanP = (arr: ArrayLike<number>, off: number, k: number) => {
    let s = 0;
    for (let j = 0; j < k; j++) s += p(arr[off + j]!);
    return k === 1 ? s : s / k;
  };
  const pr = (mean: number) => (mode === 'offline' ? ((1 + a) / 2) * mean + (1 - a) / 2 : mean);
  const lrx: number[] = [];
  for (let i = 0; i < n; i++) {
    let s = 0;
    let c = 0;
    for (const m of rows) {
      if (mode === 'offline' && pop.keep[m * n + i] === 1) continue;
      s += meanP(pop.signal, (m * n + i) * q, q);
      c++;
    }
    lrx.push(meanP(target, i * q, q) / pr(s / c));
  }
  const lrz: number[] = [];
  for (let k = 0; k < zn; k++) {
    let s = 0;
    for (const m of rows) s += meanP(pop.popSignal!, (m * zn + k) * qz, qz);
    lrz.push(meanP(targetPop, k * qz, qz) / pr(s / rows.length));
  }
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let count = 0;
    for (let k = 0; k < zn; k++) if (lrx[i]! / lrz[k]! > gamma) count++;
    out[i] = count / zn;
  }
  return out;
}

function pairwiseCounts(x: Float64Array, z: Float64Array, gamma: number): Float64Array {
  const out = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) {
    let c = 0;
    for (let k = 0; k < z.length; k++) if (x[i]! / z[k]! > gamma) c++;
    out[i] = c / z.length;
  }
  return out;
}

function randomPopulation(
  rng: Rng,
  m: number,
  n: number,
  q: number,
  zn: number,
  qz: number,
  quantized: boolean,
  prob: boolean,
) {
  const val = () => {
    if (prob) return quantized ? rng.int(11) / 10 : rng.next();
    return quantized ? rng.int(9) - 4 : 3 * rng.normal();
  };
  const keep = new Uint8Array(m * n);
  for (let i = 0; i < n; i++) {
    const perm = rng.permutation(m);
    for (let j = 0; j < m; j++) keep[perm[j]! * n + i] = j < Math.floor(m / 2) ? 1 : 0; // IN for ⌊m/2⌋ models: ≥ 1 OUT after leaving one out
  }
  const pop = makePopulation({
    models: m,
    samples: n,
    queries: q,
    keep,
    signal: Float64Array.from({ length: m * n * q }, val),
    popSamples: zn,
    popQueries: qz,
    popSignal: Float64Array.from({ length: m * zn * qz }, val),
  });
  return pop;
}

test('RMIA on a hand-computed case (offline a = 0.5, online; γ = 1.2)', () => {
  // references m0, m1; sample 0 is IN for m0, sample 1 IN for m1; probabilities given directly
  const pop = makePopulation({
    models: 2,
    samples: 2,
    keep: Uint8Array.from([1, 0, 0, 1]),
    signal: Float64Array.from([0.9, 0.4, 0.5, 0.8]),
    popSamples: 3,
    popSignal: Float64Array.from([0.5, 0.2, 0.9, 0.3, 0.4, 0.7]),
  });
  const target = Float64Array.from([0.8, 0.6]);
  const targetPop = Float64Array.from([0.4, 0.3, 0.8]);
  const refs = allReferences(pop);
  const off = rmiaRatios(refs, target, targetPop, { mode: 'offline', a: 0.5, signal: 'probability' });
  // Pr(x0) = 0.75·0.5 + 0.25, Pr(x1) = 0.75·0.4 + 0.25; Pr(z) = 0.75·mean + 0.25
  const near = (got: Float64Array, want: number[]) => {
    for (const [i, w] of want.entries()) assert.ok(Math.abs(got[i]! - w) < 1e-12, `${got[i]} vs ${w}`);
  };
  near(off.x, [0.8 / 0.625, 0.6 / 0.55]);
  near(off.z, [0.4 / 0.55, 0.3 / 0.475, 0.8 / 0.85]);
  // γ = 1.2: x0 beats all three; x1 / z2 = 1.159 < 1.2, so x1 beats two
  assert.deepEqual(
    Array.from(
      rmiaScores(refs, target, targetPop, { mode: 'offline', a: 0.5, gamma: 1.2, signal: 'probability' }),
    ),
    [1, 2 / 3],
  );
  const on = rmiaRatios(refs, target, targetPop, { mode: 'online', signal: 'probability' });
  near(on.x, [0.8 / 0.7, 0.6 / 0.6]);
  near(on.z, [0.4 / 0.4, 0.3 / 0.3, 0.8 / 0.8]);
  // scaled logits: p = sigmoid(φ)
  const logit = (p: number) => Math.log(p / (1 - p));
  const popL = makePopulation({
    models: 2,
    samples: 2,
    keep: pop.keep,
    signal: pop.signal.map(logit),
    popSamples: 3,
    popSignal: pop.popSignal!.map(logit),
  });
  near(
    rmiaRatios(allReferences(popL), target.map(logit), targetPop.map(logit), { mode: 'offline', a: 0.5 }).x,
    [0.8 / 0.625, 0.6 / 0.55],
  );
});

test('sorting == the pairwise definition, exactly, on random inputs with and without ties', () => {
  const rng = new Rng(42);
  for (let rep = 0; rep < 40; rep++) {
    const quantized = rep % 2 === 0;
    const prob = rep % 4 < 2;
    const m = 2 + 2 * rng.int(3);
    const q = 1 + rng.int(2);
    const qz = 1 + rng.int(2);
    const n = 1 + rng.int(60);
    const zn = 1 + rng.int(80);
    const pop = randomPopulation(rng, m + 1, n, q, zn, qz, quantized, prob);
    const loo = leaveOneOut(pop, rng.int(m + 1));
    const rows = Array.from(loo.references.rows);
    for (const gamma of [1, 2, 0.5, 1 + 1e-12, 1.2]) {
      for (const [mode, a] of [
        ['offline', 0.3],
        ['offline', 1],
        ['offline', 0],
        ['online', Number.NaN],
      ] as const) {
        const opts = {
          mode,
          gamma,
          signal: prob ? ('probability' as const) : ('scaled-logit' as const),
          ...(mode === 'offline' ? { a } : {}),
        };
        const got = rmiaScores(loo.references, loo.target, loo.targetPop, opts);
        const want = rmiaPairwise(pop, rows, loo.target, loo.targetPop!, mode, a, gamma, prob);
        assert.deepEqual(got, want, `rep ${rep} γ ${gamma} ${mode} a ${a}`);
      }
    }
  }
});

test('rmiaCountScores == pairwise on adversarial ratios: boundary neighbours, ties, 0, ∞, NaN', () => {
  const rng = new Rng(7);
  const up = (v: number, k: number) => {
    const b = new Float64Array([v]);
    const u = new BigInt64Array(b.buffer);
    u[0] = u[0]! + BigInt(k);
    return b[0]!;
  };
  for (let rep = 0; rep < 30; rep++) {
    const gamma = [1, 2, 0.7, 3.3, 1 + 2 ** -40][rep % 5]!;
    const x = Float64Array.from({ length: 200 }, () => Math.exp(4 * rng.normal()));
    const zs: number[] = [];
    for (let k = 0; k < 150; k++) {
      const xi = x[rng.int(x.length)]!;
      const t = xi / gamma;
      zs.push(up(t, rng.int(7) - 3)); // within 3 ulps of a boundary
      if (k % 5 === 0) zs.push(t, t, t); // ties
    }
    zs.push(0, 0, Infinity, Number.NaN, Number.MIN_VALUE, 1e300, 1e-300);
    const extraX = [0, Infinity, Number.NaN, 1e-300, 1e300, Number.MIN_VALUE];
    const xx = Float64Array.from([...x, ...extraX]);
    const z = Float64Array.from(zs);
    assert.deepEqual(rmiaCountScores(xx, z, gamma), pairwiseCounts(xx, z, gamma), `rep ${rep}`);
  }
  // all population ratios equal
  const z = new Float64Array(50).fill(1.25);
  const x = Float64Array.from([1.25, up(1.25, 1), up(1.25, -1), 2.5, 0.1]);
  assert.deepEqual(rmiaCountScores(x, z, 1), pairwiseCounts(x, z, 1));
  assert.deepEqual(rmiaCountScores(x, z, 2), pairwiseCounts(x, z, 2));
});

test('aucMannWhitney equals sklearn roc_auc_score on small cases', () => {
  // sklearn: roc_auc_score([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]) = 0.75
  assert.equal(aucMannWhitney(Float64Array.from([0.1, 0.4, 0.35, 0.8]), Uint8Array.from([0, 0, 1, 1])), 0.75);
  // ties count ½: roc_auc_score([0, 1, 0, 1], [1, 1, 0, 2]) = 0.875
  assert.equal(aucMannWhitney(Float64Array.from([1, 1, 0, 2]), Uint8Array.from([0, 1, 0, 1])), 0.875);
});

test('tuneRmiaA picks the grid value with the highest AUC on the paired model, smallest on ties', () => {
  const rng = new Rng(3);
  const m = 6;
  const n = 300;
  const zn = 200;
  const keep = new Uint8Array(m * n);
  const signal = new Float64Array(m * n);
  const base = Float64Array.from({ length: n }, () => 2 * rng.normal());
  for (let r = 0; r < m; r++)
    for (let i = 0; i < n; i++) {
      keep[r * n + i] = (r + i) % 2;
      signal[r * n + i] = base[i]! + 0.5 * rng.normal() + 1.5 * keep[r * n + i]!;
    }
  const popBase = Float64Array.from({ length: zn }, () => 2 * rng.normal());
  const popSignal = Float64Array.from({ length: m * zn }, (_, k) => popBase[k % zn]! + 0.5 * rng.normal());
  const pop = makePopulation({ models: m, samples: n, keep, signal, popSamples: zn, popSignal });
  const refs = withoutRow(allReferences(pop), 0); // row 0 would be the target
  const t = tuneRmiaA(refs);
  assert.equal(t.pairedRow, 1);
  assert.equal(t.auc.length, RMIA_A_GRID.length);
  // recompute each AUC by hand: paired model row 1 as target, rows 2..5 as references
  const paired = leaveOneOut(pop, 1);
  const others = withoutRow(refs, 1);
  let best = -1;
  let bestA = -1;
  RMIA_A_GRID.forEach((a, g) => {
    const s = rmiaScores(others, paired.target, paired.targetPop, { mode: 'offline', a });
    const auc = aucMannWhitney(s, paired.targetMember);
    assert.equal(t.auc[g], auc);
    if (auc > best) {
      best = auc;
      bestA = a;
    }
  });
  assert.equal(t.a, bestA);
  assert.ok(best > 0.6, `attack works: AUC ${best}`);
});

test('RMIA input errors', () => {
  const pop = makePopulation({
    models: 2,
    samples: 2,
    keep: Uint8Array.from([1, 0, 1, 1]),
    signal: new Float64Array(4),
  });
  const code = (c: string, re: RegExp) => (e: unknown) =>
    e instanceof MiaError && e.code === c && re.test(e.message);
  assert.throws(
    () => rmiaScores(allReferences(pop), new Float64Array(2), undefined, { mode: 'online' }),
    code('E_MISSING_FIELD', /population/),
  );
  const withPop = makePopulation({
    models: 2,
    samples: 2,
    keep: Uint8Array.from([1, 0, 1, 1]),
    signal: new Float64Array(4),
    popSamples: 1,
    popSignal: new Float64Array(2),
  });
  const refs = allReferences(withPop);
  assert.throws(
    () => rmiaScores(refs, new Float64Array(2), new Float64Array(1), { mode: 'offline', a: 0.3 }),
    code('E_EMPTY', /sample 0 has no OUT/),
  );
  assert.throws(
    () => rmiaScores(refs, new Float64Array(2), new Float64Array(1), { mode: 'offline' }),
    code('E_ARGUMENT', /coefficient a/),
  );
  assert.throws(
    () => rmiaScores(refs, new Float64Array(2), new Float64Array(1), { mode: 'online', gamma: 0 }),
    code('E_ARGUMENT', /gamma/),
  );
  assert.throws(
    () => rmiaScores(refs, new Float64Array(3), new Float64Array(1), { mode: 'online' }),
    code('E_SHAPE_MISMATCH', /target/),
  );
  assert.throws(
    () =>
      rmiaScores(refs, Float64Array.from([0.5, 1.5]), new Float64Array(1), {
        mode: 'online',
        signal: 'probability',
      }),
    code('E_VALUE', /outside \[0, 1\]/),
  );
  assert.throws(() => tuneRmiaA(withoutRow(refs, 0)), code('E_EMPTY', /at least 2 reference models/));
});

test('probability fast path == pairwise: 1 to 9 references, odd/even N, float32/float64, online/offline', () => {
  const rng = new Rng(11);
  for (let rep = 0; rep < 36; rep++) {
    const m = 1 + (rep % 9);
    const n = 1 + rng.int(40);
    const zn = 1 + rng.int(50);
    const f32 = rep % 2 === 0;
    const make = (len: number) => {
      const v = Float64Array.from({ length: len }, () => (rep % 3 === 0 ? rng.int(5) / 4 : rng.next()));
      return f32 ? Float32Array.from(v) : v;
    };
    const keep = new Uint8Array(m * n);
    // each sample IN for ⌊m/2⌋ references (so ≥ 1 OUT)
    for (let i = 0; i < n; i++) {
      const perm = rng.permutation(m);
      for (let j = 0; j < Math.floor(m / 2); j++) keep[perm[j]! * n + i] = 1;
    }
    const pop = makePopulation({
      models: m,
      samples: n,
      keep,
      signal: make(m * n),
      popSamples: zn,
      popSignal: make(m * zn),
    });
    const target = make(n);
    const targetPop = make(zn);
    const rows = Array.from({ length: m }, (_, k) => k);
    for (const gamma of [1, 0.5, 1.7]) {
      for (const [mode, a] of [
        ['offline', 0.4],
        ['online', Number.NaN],
      ] as const) {
        const opts = { mode, gamma, signal: 'probability' as const, ...(mode === 'offline' ? { a } : {}) };
        const got = rmiaScores(allReferences(pop), target, targetPop, opts);
        const want = rmiaPairwise(pop, rows, target, targetPop, mode, a, gamma, true);
        assert.deepEqual(got, want, `rep ${rep} m ${m} n ${n} γ ${gamma} ${mode}`);
      }
    }
  }
});

test('probability fast path: errors name the value or the sample', () => {
  const code = (c: string, re: RegExp) => (e: unknown) =>
    e instanceof MiaError && e.code === c && re.test(e.message);
  const base = () => ({
    models: 2,
    samples: 5,
    keep: Uint8Array.from([1, 0, 1, 0, 1, 0, 1, 0, 1, 0]),
    signal: Float64Array.from([0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1]),
    popSamples: 3,
    popSignal: Float64Array.from([0.1, 0.2, 0.3, 0.4, 0.5, 0.6]),
  });
  const opts = { mode: 'offline', a: 0.5, signal: 'probability' } as const;
  const target = Float64Array.from([0.5, 0.5, 0.5, 0.5, 0.5]);
  const targetPop = Float64Array.from([0.5, 0.5, 0.5]);
  const ok = makePopulation(base());
  assert.equal(rmiaScores(allReferences(ok), target, targetPop, opts).length, 5);
  const badRef = base();
  badRef.signal[7] = 1.25;
  assert.throws(
    () => rmiaScores(allReferences(makePopulation(badRef)), target, targetPop, opts),
    code('E_VALUE', /outside \[0, 1\]: 1\.25/),
  );
  const badPop = base();
  badPop.popSignal[4] = -0.5;
  assert.throws(
    () => rmiaScores(allReferences(makePopulation(badPop)), target, targetPop, opts),
    code('E_VALUE', /outside \[0, 1\]: -0\.5/),
  );
  assert.throws(
    () => rmiaScores(allReferences(ok), Float64Array.from([0.5, 0.5, 0.5, Number.NaN, 0.5]), targetPop, opts),
    code('E_VALUE', /outside \[0, 1\]: NaN/),
  );
  const noOut = base();
  noOut.keep[3] = 1;
  noOut.keep[8] = 1; // sample 3 is IN for both references
  assert.throws(
    () => rmiaScores(allReferences(makePopulation(noOut)), target, targetPop, opts),
    code('E_EMPTY', /sample 3 has no OUT/),
  );
  // online counts every reference: no error
  const online = rmiaScores(allReferences(makePopulation(noOut)), target, targetPop, {
    mode: 'online',
    signal: 'probability',
  });
  assert.equal(online.length, 5);
});

test('rmiaCountScores == pairwise beyond one block and with a crowded bucket; negative ratios rejected', () => {
  const rng = new Rng(5);
  // 120 population ratios piled on a narrow range next to a far outlier: most land in a few buckets
  const z = Float64Array.from({ length: 301 }, (_, k) => (k === 300 ? 1e6 : 1 + rng.int(40) * 1e-3));
  const x = Float64Array.from({ length: 9001 }, () =>
    rng.next() < 0.5 ? 1 + rng.int(45) * 1e-3 : 2 * rng.next(),
  );
  for (const gamma of [1, 1.01]) assert.deepEqual(rmiaCountScores(x, z, gamma), pairwiseCounts(x, z, gamma));
  assert.throws(() => rmiaCountScores(Float64Array.from([1, 2, -3]), z, 1), RangeError);
  assert.throws(() => rmiaCountScores(x, Float64Array.from([1, -2]), 1), RangeError);
  assert.throws(
    () => rmiaCountScores(x, new Float64Array(0), 1),
    (e: unknown) => e instanceof MiaError && e.code === 'E_EMPTY',
  );
});
