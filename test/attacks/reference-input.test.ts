import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { liraScores } from '../../src/attacks/lira.js';
import { allReferences, makePopulation } from '../../src/attacks/population.js';
import {
  naturalCompare,
  readLiraExperiment,
  readReference,
  readReferenceNpz,
} from '../../src/attacks/reference-input.js';
import { MiaError } from '../../src/errors.js';
import { type NpyArray, npyArray, writeNpy } from '../../src/io/npy.js';
import { writeNpz } from '../../src/io/npz.js';

const dir = mkdtempSync(join(tmpdir(), 'mia-ref-input-'));
after(() => rmSync(dir, { recursive: true, force: true }));

// M = 3 references, N = 4 samples, A = 2; Z = 2 population samples
const M = 3;
const N = 4;
const A = 2;
const keep = Uint8Array.from([1, 0, 1, 0, 0, 1, 0, 1, 1, 1, 0, 0]);
const scores = Float32Array.from({ length: M * N * A }, (_, k) => (k % 7) - 3 + 0.25 * (k % 3));
const base = (): Record<string, NpyArray> => ({
  keep: npyArray(keep, [M, N], 'bool'),
  scores: npyArray(scores, [M, N, A]),
  target_scores: npyArray(
    Float32Array.from({ length: N * A }, (_, k) => k / 3),
    [N, A],
  ),
  target_member: npyArray(Uint8Array.from([1, 0, 0, 1]), [N], 'bool'),
  pop_scores: npyArray(
    Float64Array.from({ length: M * 2 }, (_, k) => k - 2),
    [M, 2],
  ),
  pop_target_scores: npyArray(Float64Array.from([0.5, -0.5]), [2]),
});
function npz(name: string, arrays: Record<string, NpyArray>): string {
  const p = join(dir, name);
  writeNpz(p, arrays);
  return p;
}
function fails(f: () => unknown, code: string, line: RegExp): void {
  assert.throws(f, (e: unknown) => {
    if (!(e instanceof MiaError)) return false;
    assert.equal(e.code, code, e.oneLine());
    assert.match(e.oneLine(), line);
    return true;
  });
}

test('reads reference.npz with the LiRA key names', () => {
  const d = readReferenceNpz(npz('ok.npz', base()));
  assert.equal(d.population.models, M);
  assert.equal(d.population.samples, N);
  assert.equal(d.population.queries, A);
  assert.equal(d.population.popSamples, 2);
  assert.deepEqual(Array.from(d.references.rows), [0, 1, 2]);
  assert.deepEqual(Array.from(d.targetMember ?? []), [1, 0, 0, 1]);
  assert.deepEqual(Array.from(d.population.signal), Array.from(scores));
  assert.equal(d.target.length, N * A);
  assert.deepEqual(Array.from(d.targetPop ?? []), [0.5, -0.5]);
  // optional keys may be left out; 2-d scores with 1-d target
  const { target_member: _t, pop_scores: _p, pop_target_scores: _q, ...min } = base();
  const two = readReferenceNpz(
    npz('min.npz', {
      ...min,
      scores: npyArray(new Float32Array(M * N), [M, N]),
      target_scores: npyArray(new Float32Array(N), [N]),
    }),
  );
  assert.equal(two.targetMember, undefined);
  assert.equal(two.targetPop, undefined);
  assert.equal(two.population.queries, 1);
});

test('reference.npz errors name the file and key, with expected and found shapes', () => {
  const { keep: _k, ...noKeep } = base();
  fails(
    () => readReferenceNpz(npz('a.npz', noKeep)),
    'E_MISSING_FIELD',
    /a\.npz:keep: array 'keep' is missing/,
  );
  fails(
    () =>
      readReferenceNpz(
        npz('b.npz', { ...base(), scores: npyArray(new Float32Array(M * (N + 1)), [M, N + 1]) }),
      ),
    'E_SHAPE_MISMATCH',
    /b\.npz:scores: array 'scores' has the wrong shape \(expected \[3, 4\] or \[3, 4, A\] \(N = 4 samples from target_scores, M = 3 models from keep\), found \[3, 5\]\)/,
  );
  fails(
    () => readReferenceNpz(npz('c.npz', { ...base(), target_scores: npyArray(new Float32Array(N), [N]) })),
    'E_SHAPE_MISMATCH',
    /c\.npz:target_scores.*expected \[4, 2\] \(A from scores\), found \[4\]/,
  );
  fails(
    () =>
      readReferenceNpz(npz('d.npz', { ...base(), target_member: npyArray(new Uint8Array(3), [3], 'bool') })),
    'E_SHAPE_MISMATCH',
    /d\.npz:target_member.*expected \[4\] \(N from target_scores\), found \[3\]/,
  );
  const { pop_target_scores: _q, ...noPopTarget } = base();
  fails(
    () => readReferenceNpz(npz('e.npz', noPopTarget)),
    'E_MISSING_FIELD',
    /e\.npz:pop_target_scores: .*go together/,
  );
  fails(
    () => readReferenceNpz(npz('f.npz', { ...base(), pop_scores: npyArray(new Float64Array(4), [2, 2]) })),
    'E_SHAPE_MISMATCH',
    /f\.npz:pop_scores.*expected \[3, Z\] or \[3, Z, A\] \(M from scores\), found \[2, 2\]/,
  );
  fails(
    () =>
      readReferenceNpz(npz('g.npz', { ...base(), pop_target_scores: npyArray(new Float64Array(3), [3]) })),
    'E_SHAPE_MISMATCH',
    /g\.npz:pop_target_scores.*expected \[2\] \(Z from pop_scores\), found \[3\]/,
  );
  fails(
    () => readReferenceNpz(npz('h.npz', { ...base(), pop_score: npyArray(new Float64Array(1), [1]) })),
    'E_UNKNOWN_NAME',
    /h\.npz:pop_score: unknown array/,
  );
  fails(
    () =>
      readReferenceNpz(
        npz('i.npz', {
          ...base(),
          keep: npyArray(
            Int32Array.from({ length: M * N }, (_, k) => k % 3),
            [M, N],
          ),
        }),
      ),
    'E_NPY_DTYPE',
    /i\.npz:keep/,
  );
  const nan = Float32Array.from(scores);
  nan[5] = Number.NaN;
  fails(
    () => readReferenceNpz(npz('j.npz', { ...base(), scores: npyArray(nan, [M, N, A]) })),
    'E_NOT_FINITE',
    /j\.npz:scores: value at flat index 5 is NaN/,
  );
  fails(() => readReferenceNpz(join(dir, 'missing.npz')), 'E_IO', /missing\.npz/);
});

test('reference.npz: target_scores sets N, scores M; keep is checked against them and named when it is off', () => {
  // keep transposed ([N, M]): keep is blamed, with the hint, not scores
  fails(
    () =>
      readReferenceNpz(npz('kt.npz', { ...base(), keep: npyArray(new Uint8Array(M * N), [N, M], 'bool') })),
    'E_SHAPE_MISMATCH',
    /kt\.npz:keep: array 'keep' has the wrong shape \(it looks transposed.*expected \[3, 4\] \(M = 3 models from scores, N = 4 samples from target_scores\), found \[4, 3\]/,
  );
  // keep with too few columns, or too few rows
  fails(
    () =>
      readReferenceNpz(
        npz('ks.npz', { ...base(), keep: npyArray(new Uint8Array(M * (N - 1)), [M, N - 1], 'bool') }),
      ),
    'E_SHAPE_MISMATCH',
    /ks\.npz:keep:.*expected \[3, 4\].*found \[3, 3\]/,
  );
  fails(
    () =>
      readReferenceNpz(npz('k2.npz', { ...base(), keep: npyArray(new Uint8Array(2 * N), [2, N], 'bool') })),
    'E_SHAPE_MISMATCH',
    /k2\.npz:keep:.*expected \[3, 4\].*found \[2, 4\]/,
  );
  // scores and keep agree on [M, N]: a short target_scores is the one named
  fails(
    () =>
      readReferenceNpz(
        npz('ts.npz', {
          ...base(),
          scores: npyArray(new Float32Array(M * N), [M, N]),
          target_scores: npyArray(new Float32Array(N - 1), [N - 1]),
        }),
      ),
    'E_SHAPE_MISMATCH',
    /ts\.npz:target_scores:.*expected \[4\] \(N = 4 from scores and keep\), found \[3\]/,
  );
  // scores and keep both transposed: scores is named first, as transposed
  fails(
    () =>
      readReferenceNpz(
        npz('bt.npz', {
          ...base(),
          keep: npyArray(new Uint8Array(M * N), [N, M], 'bool'),
          scores: npyArray(new Float32Array(M * N), [N, M]),
          target_scores: npyArray(new Float32Array(N), [N]),
        }),
      ),
    'E_SHAPE_MISMATCH',
    /bt\.npz:scores: array 'scores' has the wrong shape \(it looks transposed.*found \[4, 3\]/,
  );
});

/** A LiRA experiment folder: models experiment-{1,2,10}; keep.npy longer than the scored samples. */
function liraFolder(): { path: string; sig: Float32Array[]; keeps: Uint8Array[] } {
  const path = join(dir, 'exp');
  const sig: Float32Array[] = [];
  const keeps: Uint8Array[] = [];
  for (const [k, name] of ['experiment-1', 'experiment-2', 'experiment-10'].entries()) {
    mkdirSync(join(path, name, 'scores'), { recursive: true });
    const kp = Uint8Array.from({ length: N + 2 }, (_, i) => (i + k) % 2);
    keeps.push(kp.subarray(0, N));
    writeNpy(join(path, name, 'keep.npy'), npyArray(kp, [N + 2], 'bool'));
    const old = new Float32Array(N * A).fill(-100);
    writeNpy(join(path, name, 'scores', '0000000009.npy'), npyArray(old, [N, A]));
    const s = Float32Array.from({ length: N * A }, (_, j) => j + 10 * k + (j % 2 ? 0.5 : 0) * k);
    sig.push(s);
    writeNpy(join(path, name, 'scores', '0000000010.npy'), npyArray(s, [N, A]));
    writeFileSync(join(path, name, 'scores', '0000000011.npy.tmp-1-0123456789abcdef'), 'partial');
  }
  mkdirSync(join(path, 'not-a-model'), { recursive: true });
  return { path, sig, keeps };
}

test('reads a LiRA experiment folder: natural model order, last scores file, keep cut to N', () => {
  const { path, sig, keeps } = liraFolder();
  const d = readLiraExperiment(path);
  assert.deepEqual(d.modelNames, ['experiment-1', 'experiment-2', 'experiment-10']);
  assert.equal(d.targetIndex, 0);
  assert.deepEqual(Array.from(d.target), Array.from(sig[0]!));
  assert.deepEqual(Array.from(d.targetMember ?? []), Array.from(keeps[0]!));
  assert.deepEqual(Array.from(d.references.rows), [1, 2]);
  const d2 = readReference(path, { targetIndex: 2 });
  assert.deepEqual(Array.from(d2.target), Array.from(sig[2]!));
  assert.deepEqual(Array.from(d2.references.rows), [0, 1]);
  // the same scores as a population built by hand from the references
  const refPop = makePopulation({
    models: 2,
    samples: N,
    queries: A,
    keep: Uint8Array.from([...keeps[0]!, ...keeps[1]!]),
    signal: Float32Array.from([...sig[0]!, ...sig[1]!]),
  });
  assert.deepEqual(
    liraScores(d2.references, d2.target, 'lira-offline'),
    liraScores(allReferences(refPop), d2.target, 'lira-offline'),
  );
  fails(
    () => readLiraExperiment(path, { targetIndex: 3 }),
    'E_ARGUMENT',
    /target model index out of range.*\[0, 3\)/,
  );
  fails(
    () => readReference(join(dir, 'ok.npz'), { targetIndex: 1 }),
    'E_USAGE',
    /LiRA experiment folders only/,
  );
});

test('LiRA folder errors name the file', () => {
  const path = join(dir, 'exp-bad');
  mkdirSync(join(path, 'm0', 'scores'), { recursive: true });
  mkdirSync(join(path, 'm1', 'scores'), { recursive: true });
  writeNpy(join(path, 'm0', 'keep.npy'), npyArray(new Uint8Array(4), [4], 'bool'));
  writeNpy(join(path, 'm1', 'keep.npy'), npyArray(new Uint8Array(4), [4], 'bool'));
  writeNpy(join(path, 'm0', 'scores', '1.npy'), npyArray(new Float32Array(4), [4]));
  fails(() => readLiraExperiment(path), 'E_MISSING_FIELD', /exp-bad\/m1\/scores: model 'm1' has no scores/);
  writeNpy(join(path, 'm1', 'scores', '1.npy'), npyArray(new Float32Array(3), [3]));
  fails(
    () => readLiraExperiment(path),
    'E_SHAPE_MISMATCH',
    /m1\/scores\/1\.npy: scores shape differs.*expected \[4, 1\], found \[3\]/,
  );
  writeNpy(join(path, 'm1', 'scores', '1.npy'), npyArray(new Float32Array(8), [8]));
  fails(() => readLiraExperiment(path), 'E_SHAPE_MISMATCH', /scores shape differs/);
  fails(() => readLiraExperiment(join(dir, 'none')), 'E_IO', /none/);
  const empty = join(dir, 'empty');
  mkdirSync(empty);
  fails(() => readLiraExperiment(empty), 'E_MISSING_FIELD', /no model folder with a keep\.npy/);
});

test('naturalCompare', () => {
  const names = ['experiment-10', 'experiment-2', 'experiment-1', 'b', 'a10', 'a9'];
  assert.deepEqual([...names].sort(naturalCompare), [
    'a9',
    'a10',
    'b',
    'experiment-1',
    'experiment-2',
    'experiment-10',
  ]);
});
