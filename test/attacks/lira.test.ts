import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import {
  LIRA_STD_FLOOR,
  LIRA_VARIANTS,
  type LiraVariant,
  liraScores,
  liraScoresFromStatistics,
  liraStatistics,
} from '../../src/attacks/lira.js';
import { logNormalCdf, normalLogPdf } from '../../src/attacks/lira-gaussian.js';
import { liraVarianceFallbacks, liraVarianceNote } from '../../src/attacks/lira-variance.js';
import { allReferences, leaveOneOut, makePopulation } from '../../src/attacks/population.js';
import { pairedKeepMatrix } from '../../src/audit/keep.js';
import { MiaError } from '../../src/errors.js';
import { attackerAdvantage } from '../../src/metrics/advantage.js';
import { auc } from '../../src/metrics/auc.js';
import { rocCurve } from '../../src/metrics/roc.js';
import { Rng } from '../../src/rng.js';

// Four reference models, two samples. Sample 0: IN {1, 3}, OUT {0, 2}; sample 1: IN {5, 7}, OUT {4, 6}.
const refs = allReferences(
  makePopulation({
    models: 4,
    samples: 2,
    keep: Uint8Array.from([1, 0, 1, 1, 0, 0, 0, 1]),
    signal: Float64Array.from([1, 4, 3, 5, 0, 6, 2, 7]),
  }),
);
const target = Float64Array.from([2.5, 4.5]);

test('LiRA on a hand-computed case', () => {
  const st = liraStatistics(refs);
  assert.deepEqual(Array.from(st.meanIn), [2, 6]);
  assert.deepEqual(Array.from(st.meanOut), [1, 5]);
  assert.deepEqual(Array.from(st.stdIn), [1, 1]);
  assert.deepEqual(Array.from(st.stdOut), [1, 1]);
  assert.equal(st.globalStdIn, Math.sqrt(5)); // {1, 3, 5, 7}
  assert.equal(st.globalStdOut, Math.sqrt(5)); // {0, 2, 4, 6}
  const close = (v: LiraVariant, expected: number[]) => {
    const s = liraScores(refs, target, v);
    for (let i = 0; i < expected.length; i++)
      assert.ok(Math.abs(s[i]! - expected[i]!) < 1e-12, `${v}[${i}] ${s[i]}`);
  };
  // log N(2.5; 2, 1) − log N(2.5; 1, 1) = −0.125 + 1.125
  close('lira-online', [1, -1]);
  // σ = √5: (−0.5² + 1.5²) / 10
  close('lira-online-fixed-variance', [0.2, -0.2]);
  // scipy.special.log_ndtr(1.5), log_ndtr(−0.5), log_ndtr(1.5/√5), log_ndtr(−0.5/√5)
  close('lira-offline', [-0.06914345561223399, -1.175911761593619]);
  close('lira-offline-fixed-variance', [-0.2892399215090815, -0.8878693799756506]);
  close('lira-global', [2.5, 4.5]);
});

test('normalLogPdf and logNormalCdf against scipy', () => {
  assert.ok(Math.abs(normalLogPdf(2.5, 2, 1) - (-0.125 - 0.5 * Math.log(2 * Math.PI))) < 1e-15);
  const fx = JSON.parse(readFileSync(new URL('fixtures/lira-numpy.json', import.meta.url), 'utf8')) as {
    log_ndtr: { z: number[]; value: number[] };
  };
  // scipy itself is off by ~1e-13 relative at z = 23.5 (mpmath: −2.039367563249976e-122; we give …99615e-122)
  fx.log_ndtr.z.forEach((z, k) => {
    const want = fx.log_ndtr.value[k]!;
    const got = logNormalCdf(z);
    assert.ok(Math.abs(got - want) <= 2e-13 * Math.abs(want) + 1e-300, `log Φ(${z}) = ${got}, scipy ${want}`);
  });
  assert.equal(logNormalCdf(-Infinity), -Infinity);
  assert.equal(logNormalCdf(Infinity), 0);
  assert.ok(Number.isNaN(logNormalCdf(Number.NaN)));
  // strictly increasing where float64 can tell (members far above μ_out stay ranked)
  for (let z = -50; z < 37; z += 0.25) assert.ok(logNormalCdf(z + 0.25) > logNormalCdf(z), `at ${z}`);
});

test('LiRA matches the numpy fixture (bench/py/lira_numpy.py) for all variants, A = 1 and A = 3', () => {
  const fx = JSON.parse(readFileSync(new URL('fixtures/lira-numpy.json', import.meta.url), 'utf8')) as {
    cases: {
      M: number;
      N: number;
      A: number;
      keep: number[];
      scores: number[];
      target: number[];
      expected: Record<string, number[]>;
    }[];
  };
  for (const c of fx.cases) {
    const pop = makePopulation({
      models: c.M,
      samples: c.N,
      queries: c.A,
      keep: Uint8Array.from(c.keep),
      signal: Float64Array.from(c.scores),
    });
    for (const v of LIRA_VARIANTS) {
      const s = liraScores(allReferences(pop), Float64Array.from(c.target), v);
      const want = c.expected[v]!;
      for (let i = 0; i < c.N; i++) {
        assert.ok(
          Math.abs(s[i]! - want[i]!) <= 1e-9 * Math.max(1, Math.abs(want[i]!)),
          `${v} A=${c.A} [${i}] ${s[i]} vs ${want[i]}`,
        );
      }
    }
  }
});

test('leave-one-out view scores equal a population of the references alone', () => {
  // 5 models; row 2 is the target
  const all = makePopulation({
    models: 5,
    samples: 2,
    keep: Uint8Array.from([1, 0, 1, 1, 1, 1, 0, 0, 0, 1]),
    signal: Float64Array.from([1, 4, 3, 5, 2.5, 4.5, 0, 6, 2, 7]),
  });
  const loo = leaveOneOut(all, 2);
  for (const v of LIRA_VARIANTS) {
    assert.deepEqual(liraScores(loo.references, loo.target, v), liraScores(refs, target, v), v);
  }
  assert.deepEqual(Array.from(loo.targetMember), [1, 1]);
});

test('higher = member on a simulated population', () => {
  // members' φ is shifted up; every variant must rank them above non-members on average
  const m = 16;
  const n = 400;
  const keep = new Uint8Array(m * n);
  const signal = new Float32Array(m * n);
  let seed = 7;
  const rnd = () => {
    seed = (seed * 1103515245 + 12345) >>> 0;
    return seed / 4294967296;
  };
  const gauss = () => Math.sqrt(-2 * Math.log(rnd() + 1e-12)) * Math.cos(2 * Math.PI * rnd());
  const base = Float64Array.from({ length: n }, () => 3 * gauss());
  for (let r = 0; r < m; r++) {
    for (let i = 0; i < n; i++) {
      keep[r * n + i] = (r + i) % 2;
      signal[r * n + i] = base[i]! + gauss() + 2 * keep[r * n + i]!;
    }
  }
  const loo = leaveOneOut(makePopulation({ models: m, samples: n, keep, signal }), 0);
  for (const v of LIRA_VARIANTS) {
    const s = liraScores(loo.references, loo.target, v);
    let inSum = 0;
    let outSum = 0;
    for (let i = 0; i < n; i++) loo.targetMember[i] ? (inSum += s[i]!) : (outSum += s[i]!);
    assert.ok(inSum / (n / 2) > outSum / (n / 2), v);
  }
});

test('a sample without IN or OUT references is an error naming it', () => {
  // sample 0: IN {1}, OUT {0}; sample 1: no IN
  const pop = makePopulation({
    models: 2,
    samples: 2,
    keep: Uint8Array.from([0, 0, 1, 0]),
    signal: new Float64Array(4),
  });
  assert.throws(
    () => liraScores(allReferences(pop), new Float64Array(2), 'lira-online'),
    (e: unknown) => e instanceof MiaError && e.code === 'E_EMPTY' && /sample 1 has no IN/.test(e.message),
  );
  assert.equal(liraScores(allReferences(pop), new Float64Array(2), 'lira-offline').length, 2);
  // sample 0: no OUT
  const pop2 = makePopulation({
    models: 2,
    samples: 2,
    keep: Uint8Array.from([1, 0, 1, 0]),
    signal: new Float64Array(4),
  });
  assert.throws(
    () => liraScores(allReferences(pop2), new Float64Array(2), 'lira-offline'),
    (e: unknown) => e instanceof MiaError && e.code === 'E_EMPTY' && /sample 0 has no OUT/.test(e.message),
  );
  assert.throws(
    () => liraScores(allReferences(pop), new Float64Array(3), 'lira-global'),
    (e: unknown) => e instanceof MiaError && e.code === 'E_SHAPE_MISMATCH',
  );
});

test('the statistics kernel adds rows exactly as the plain loop: groups of 4, then the rest one by one', () => {
  // reference: the definition's order, per sample — (x0 + x1) + (x2 + x3) for each group of four rows in
  // row order, then each remaining row; float64 sums of x, x², IN x, IN x²
  const plain = (m: number, n: number, keep: Uint8Array, sig: ArrayLike<number>) => {
    const sums = [new Float64Array(n), new Float64Array(n), new Float64Array(n), new Float64Array(n)];
    const [sa, sq, si, qi] = sums as [Float64Array, Float64Array, Float64Array, Float64Array];
    const cnt = new Int32Array(n);
    const groups = m - (m % 4);
    for (let i = 0; i < n; i++) {
      for (let r = 0; r < groups; r += 4) {
        const x = [0, 1, 2, 3].map((j) => sig[(r + j) * n + i]!);
        const k = [0, 1, 2, 3].map((j) => keep[(r + j) * n + i]!);
        const a = x.map((v, j) => k[j]! * v);
        sa[i]! += x[0]! + x[1]! + (x[2]! + x[3]!);
        sq[i]! += x[0]! * x[0]! + x[1]! * x[1]! + (x[2]! * x[2]! + x[3]! * x[3]!);
        si[i]! += a[0]! + a[1]! + (a[2]! + a[3]!);
        qi[i]! += a[0]! * x[0]! + a[1]! * x[1]! + (a[2]! * x[2]! + a[3]! * x[3]!);
        cnt[i]! += k[0]! + k[1]! + k[2]! + k[3]!;
      }
      for (let r = groups; r < m; r++) {
        const x = sig[r * n + i]!;
        const k = keep[r * n + i]!;
        sa[i]! += x;
        sq[i]! += x * x;
        si[i]! += k * x;
        qi[i]! += k * x * x;
        cnt[i]! += k;
      }
    }
    return { sa, sq, si, qi, cnt };
  };
  let seed = 99;
  const rnd = () => {
    seed = (seed * 1103515245 + 12345) >>> 0;
    return seed / 4294967296;
  };
  // 70 rows: more than one kernel run (≤ 64 rows each) plus 2 rows left over; odd and even N;
  // float32 and float64; values of both signs and exact zeros
  for (const [m, n, f32] of [
    [70, 37, true],
    [70, 36, false],
    [9, 5, false],
    [4, 1, true],
  ] as const) {
    const keep = Uint8Array.from({ length: m * n }, (_, k) => (k % 7 === 0 ? 1 : rnd() < 0.5 ? 1 : 0));
    for (let i = 0; i < n; i++) keep[i] = 0; // every sample: an OUT row (row 0) …
    for (let i = 0; i < n; i++) keep[n + i] = 1; // … and an IN row (row 1)
    const raw = Float64Array.from({ length: m * n }, (_, k) => (k % 11 === 0 ? 0 : 6 * rnd() - 3));
    const signal = f32 ? Float32Array.from(raw) : raw;
    const st = liraStatistics(allReferences(makePopulation({ models: m, samples: n, keep, signal })));
    const p = plain(m, n, keep, signal);
    for (let i = 0; i < n; i++) {
      const ci = p.cnt[i]!;
      const co = m - ci;
      const mi = p.si[i]! / ci;
      const mo = (p.sa[i]! - p.si[i]!) / co;
      assert.equal(st.countIn[i], ci);
      assert.equal(st.meanIn[i], mi, `meanIn ${m} ${n} [${i}]`);
      assert.equal(st.meanOut[i], mo, `meanOut ${m} ${n} [${i}]`);
      assert.equal(st.stdIn[i], Math.sqrt(Math.max(0, p.qi[i]! / ci - mi * mi)), `stdIn ${m} ${n} [${i}]`);
      assert.equal(
        st.stdOut[i],
        Math.sqrt(Math.max(0, (p.sq[i]! - p.qi[i]!) / co - mo * mo)),
        `stdOut ${m} ${n} [${i}]`,
      );
    }
  }
});

test('a sample with a single IN or OUT reference model uses the global variance (= the fixed-variance score)', () => {
  // 3 reference models, 5 samples (IN counts 2, 1, 2, 1, 0 → OUT counts 1, 2, 1, 2, 3); sample 4 has no
  // IN model, so online is scored on samples 0–3 only (a second population without it)
  const keep = Uint8Array.from(
    [
      [1, 0, 1, 1, 0],
      [1, 1, 0, 0, 0],
      [0, 0, 1, 0, 0],
    ].flat(),
  );
  const signal = Float64Array.from(
    [
      [1.0, 2.0, -1.0, 0.5, 3.0],
      [1.5, 0.0, -2.0, 1.0, 2.0],
      [0.2, 1.0, -1.5, 0.1, 2.5],
    ].flat(),
  );
  const target = Float64Array.from([1.2, 0.9, -1.4, 0.3, 2.6]);
  const st = liraStatistics(allReferences(makePopulation({ models: 3, samples: 5, keep, signal })));
  assert.deepEqual(Array.from(st.countOut), [1, 2, 1, 2, 3]);
  const off = liraScoresFromStatistics(st, target, 'lira-offline');
  const offFixed = liraScoresFromStatistics(st, target, 'lira-offline-fixed-variance');
  for (let i = 0; i < 5; i++) assert.ok(Number.isFinite(off[i]!), `offline [${i}] ${off[i]}`);
  for (const i of [0, 2]) assert.equal(off[i], offFixed[i], `single OUT sample ${i}`);
  // samples with 2 or 3 OUT models keep their per-example σ
  for (const i of [1, 3, 4]) {
    assert.equal(
      off[i],
      logNormalCdf((target[i]! - st.meanOut[i]!) / (st.stdOut[i]! + 1e-30)),
      `sample ${i}`,
    );
    assert.notEqual(off[i], offFixed[i]);
  }
  assert.deepEqual(liraVarianceFallbacks(st, 'lira-offline'), {
    samples: 5,
    fewIn: 0,
    fewOut: 2,
    floored: 0,
  });
  assert.equal(liraVarianceFallbacks(st, 'lira-offline-fixed-variance'), undefined);
  assert.match(
    liraVarianceNote(st, 'lira-offline') ?? '',
    /^lira-offline: 2 of 5 samples have fewer than 2 OUT/,
  );
  assert.equal(liraVarianceNote(st, 'lira-offline-fixed-variance'), undefined);

  const st4 = liraStatistics(
    allReferences(
      makePopulation({
        models: 3,
        samples: 4,
        keep: Uint8Array.from([0, 1, 2].flatMap((r) => Array.from(keep.subarray(r * 5, r * 5 + 4)))),
        signal: Float64Array.from([0, 1, 2].flatMap((r) => Array.from(signal.subarray(r * 5, r * 5 + 4)))),
      }),
    ),
  );
  const t4 = target.subarray(0, 4);
  const on = liraScoresFromStatistics(st4, t4, 'lira-online');
  const onFixed = liraScoresFromStatistics(st4, t4, 'lira-online-fixed-variance');
  const gIn = st4.globalStdIn + 1e-30;
  const gOut = st4.globalStdOut + 1e-30;
  for (let i = 0; i < 4; i++) {
    assert.ok(Number.isFinite(on[i]!), `online [${i}] ${on[i]}`);
    // one side per-example (2 observations), the other global
    const sdIn = st4.countIn[i]! < 2 ? gIn : st4.stdIn[i]! + 1e-30;
    const sdOut = st4.countOut[i]! < 2 ? gOut : st4.stdOut[i]! + 1e-30;
    const want = normalLogPdf(t4[i]!, st4.meanIn[i]!, sdIn) - normalLogPdf(t4[i]!, st4.meanOut[i]!, sdOut);
    assert.equal(on[i], want, `online [${i}]`);
    assert.notEqual(on[i], onFixed[i]);
  }
  assert.deepEqual(liraVarianceFallbacks(st4, 'lira-online'), {
    samples: 4,
    fewIn: 2,
    fewOut: 2,
    floored: 0,
  });
  assert.match(
    liraVarianceNote(st4, 'lira-online') ?? '',
    /^lira-online: 2 of 4 samples have fewer than 2 IN, 2 of 4 samples have fewer than 2 OUT reference models.*global IN \/ OUT variance/,
  );

  // 2 reference models, one IN and one OUT per sample: online is the fixed-variance variant exactly
  const pop2 = makePopulation({
    models: 2,
    samples: 3,
    keep: Uint8Array.from([1, 0, 1, 0, 1, 0]),
    signal: Float64Array.from([2, -1, 0.5, 0.3, 1, 0.7]),
  });
  const t2 = Float64Array.from([1.1, 0.2, 0.4]);
  for (const v of ['lira-online', 'lira-offline'] as const) {
    const s = liraScores(allReferences(pop2), t2, v);
    assert.deepEqual(s, liraScores(allReferences(pop2), t2, `${v}-fixed-variance`), v);
    assert.ok(s.every(Number.isFinite), v);
  }
});

test('identical observations: the per-example σ is floored relative to the global one, scores stay finite', () => {
  // sample 0: OUT values {1, 1} (σ = 0); sample 1: OUT values {0, 4}; IN rows differ
  const pop = makePopulation({
    models: 4,
    samples: 2,
    keep: Uint8Array.from([0, 0, 0, 0, 1, 1, 1, 1]),
    signal: Float64Array.from([1, 0, 1, 4, 3, 2, 5, 6]),
  });
  const st = liraStatistics(allReferences(pop));
  assert.equal(st.stdOut[0], 0);
  const target = Float64Array.from([1.001, 2]);
  const floor = LIRA_STD_FLOOR * st.globalStdOut + 1e-30; // σ̄_out = 1.5 ({1, 1, 0, 4})
  const off = liraScores(allReferences(pop), target, 'lira-offline');
  assert.equal(off[0], logNormalCdf((1.001 - st.meanOut[0]!) / floor));
  assert.ok(off[0]! < -0.2 && off[0]! > -0.4, String(off[0])); // z ≈ 0.67, not ±1e27
  assert.ok(off.every(Number.isFinite));
  const on = liraScores(allReferences(pop), target, 'lira-online');
  assert.equal(
    on[0],
    normalLogPdf(1.001, st.meanIn[0]!, st.stdIn[0]! + 1e-30) - normalLogPdf(1.001, st.meanOut[0]!, floor),
  );
  assert.ok(on.every(Number.isFinite));
  assert.deepEqual(liraVarianceFallbacks(st, 'lira-offline'), {
    samples: 2,
    fewIn: 0,
    fewOut: 0,
    floored: 1,
  });
  assert.match(
    liraVarianceNote(st, 'lira-online') ?? '',
    /^lira-online: 1 per-example standard deviation was below 0\.001/,
  );
});

test('1 + 3 paired models: finite scores, AUC and advantage consistent, members ranked higher', () => {
  // the audit's keep matrix with 3 reference models: every sample has 1 IN and 2 OUT, or 2 IN and 1 OUT
  const m = 4;
  const n = 2000;
  const keep = pairedKeepMatrix(m, n, 11);
  const rng = new Rng(5);
  const base = Float64Array.from({ length: n }, () => 2 * rng.normal());
  const signal = new Float64Array(m * n);
  for (let r = 0; r < m; r++)
    for (let i = 0; i < n; i++) signal[r * n + i] = base[i]! + 0.5 * rng.normal() + 1.5 * keep[r * n + i]!;
  const loo = leaveOneOut(makePopulation({ models: m, samples: n, keep, signal }), 0);
  const st = liraStatistics(loo.references);
  for (const v of LIRA_VARIANTS) {
    const s = liraScoresFromStatistics(st, loo.target, v);
    assert.ok(s.every(Number.isFinite), v);
    const roc = rocCurve(s, loo.targetMember);
    const a = auc(roc);
    const adv = attackerAdvantage(roc);
    assert.ok(a > (v === 'lira-global' ? 0.6 : 0.9), `${v} AUC ${a}`);
    assert.ok(adv <= a && adv > 0.2, `${v} AUC ${a} advantage ${adv}`);
    // a balanced ROC: the advantage is at most what the AUC allows for a concave curve (2·AUC − 1) with slack
    assert.ok(adv <= 2 * a - 1 + 0.15, `${v} AUC ${a} advantage ${adv}`);
  }
  const f = liraVarianceFallbacks(st, 'lira-online');
  assert.deepEqual({ ...f, floored: 0 }, { samples: n, fewIn: n / 2, fewOut: n / 2, floored: 0 });
  assert.ok(f!.floored < 20, `floored ${f!.floored}`); // two observations closer than 1e-3·σ̄: rare
  // which samples fall back is the target's membership: its pair partner is OUT exactly on its members
  for (let i = 0; i < n; i++) assert.equal(st.countIn[i]! < 2, loo.targetMember[i] === 1);
});
