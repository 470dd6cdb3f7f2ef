import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { liraScores } from '../../src/attacks/lira.js';
import { allReferences, makePopulation } from '../../src/attacks/population.js';
import { attackPScores, attackRScores } from '../../src/attacks/reference-baselines.js';
import { rmiaScores, tuneRmiaA } from '../../src/attacks/rmia.js';
import { REFERENCE_ATTACKS, runReferenceAttacks } from '../../src/audit/reference-attacks.js';
import { MiaError } from '../../src/errors.js';
import { npyArray } from '../../src/io/npy.js';
import { readNpz, writeNpz } from '../../src/io/npz.js';
import { Rng } from '../../src/rng.js';

const dir = mkdtempSync(join(tmpdir(), 'mia-score-ref-'));
after(() => rmSync(dir, { recursive: true, force: true }));

// 8 reference models (paired keep), N = 200 audit samples, Z = 150 population samples
const M = 8;
const N = 200;
const Z = 150;
const rng = new Rng(11);
const keep = new Uint8Array(M * N);
const scores = new Float32Array(M * N);
const base = Float64Array.from({ length: N }, () => 2 * rng.normal());
for (let m = 0; m < M; m++)
  for (let i = 0; i < N; i++) {
    keep[m * N + i] = (m + i) % 2;
    scores[m * N + i] = base[i]! + 0.5 * rng.normal() + 1.5 * keep[m * N + i]!;
  }
const member = Uint8Array.from({ length: N }, (_, i) => ((i * 7) % 3 === 0 ? 1 : 0));
const target = Float32Array.from({ length: N }, (_, i) => base[i]! + 0.5 * rng.normal() + 1.5 * member[i]!);
const popBase = Float64Array.from({ length: Z }, () => 2 * rng.normal());
const popScores = Float32Array.from({ length: M * Z }, (_, k) => popBase[k % Z]! + 0.5 * rng.normal());
const popTarget = Float32Array.from({ length: Z }, (_, k) => popBase[k]! + 0.5 * rng.normal());
const refPath = join(dir, 'reference.npz');
writeNpz(refPath, {
  keep: npyArray(keep, [M, N], 'bool'),
  scores: npyArray(scores, [M, N]),
  target_scores: npyArray(target, [N]),
  target_member: npyArray(member, [N], 'bool'),
  pop_scores: npyArray(popScores, [M, Z]),
  pop_target_scores: npyArray(popTarget, [Z]),
});
const pop = makePopulation({
  models: M,
  samples: N,
  keep,
  signal: scores,
  popSamples: Z,
  popSignal: popScores,
});
const refs = allReferences(pop);

test('runs every attack; scores equal the attack functions; --scores-out writes one array per attack', async () => {
  const out = join(dir, 'scores.npz');
  const r = await runReferenceAttacks({
    referencePath: refPath,
    attacks: [...REFERENCE_ATTACKS],
    seed: 0,
    scoresOut: out,
  });
  assert.deepEqual([...r.scores.keys()], [...REFERENCE_ATTACKS]);
  assert.deepEqual(r.isMember, member);
  for (const v of [
    'lira-online',
    'lira-online-fixed-variance',
    'lira-offline',
    'lira-offline-fixed-variance',
    'lira-global',
  ] as const) {
    assert.deepEqual(r.scores.get(v), liraScores(refs, target, v), v);
  }
  const tuned = tuneRmiaA(refs);
  assert.equal(r.rmiaA, tuned.a);
  assert.match(r.notes.join('\n'), new RegExp(`rmia: a = ${tuned.a} tuned on reference model 0`));
  assert.deepEqual(
    r.scores.get('rmia'),
    rmiaScores(refs, target, popTarget, { mode: 'offline', a: tuned.a }),
  );
  assert.deepEqual(r.scores.get('rmia-online'), rmiaScores(refs, target, popTarget, { mode: 'online' }));
  assert.deepEqual(r.scores.get('attack-r'), attackRScores(refs, target));
  assert.deepEqual(r.scores.get('attack-p'), attackPScores(pop, target, popTarget));
  const written = readNpz(out);
  assert.deepEqual([...written.keys()], [...REFERENCE_ATTACKS]);
  for (const [k, arr] of written) {
    assert.equal(arr.dtype, 'float64');
    assert.deepEqual(arr.shape, [N]);
    assert.deepEqual(arr.data, r.scores.get(k));
  }
  // the attacks find the members: AUC well above 1/2 for LiRA online
  const s = r.scores.get('lira-online')!;
  let wins = 0;
  let pairs = 0;
  for (let i = 0; i < N; i++)
    for (let j = 0; j < N; j++)
      if (member[i] && !member[j]) {
        pairs++;
        wins += s[i]! > s[j]! ? 1 : 0;
      }
  assert.ok(wins / pairs > 0.7, `AUC ${wins / pairs}`);
});

test('given a and γ are used as is', async () => {
  const r = await runReferenceAttacks({
    referencePath: refPath,
    attacks: ['rmia'],
    rmiaA: 0.6,
    rmiaGamma: 2,
    seed: 0,
  });
  assert.equal(r.rmiaA, 0.6);
  assert.deepEqual(r.notes, []);
  assert.deepEqual(
    r.scores.get('rmia'),
    rmiaScores(refs, target, popTarget, { mode: 'offline', a: 0.6, gamma: 2 }),
  );
});

test('errors: unknown or repeated attack, rmia without population signals', async () => {
  const code = (c: string, re: RegExp) => (e: unknown) =>
    e instanceof MiaError && e.code === c && re.test(e.oneLine());
  await assert.rejects(
    runReferenceAttacks({ referencePath: refPath, attacks: ['lira'], seed: 0 }),
    code('E_UNKNOWN_NAME', /unknown reference attack 'lira'.*expected one of lira-online/),
  );
  await assert.rejects(
    runReferenceAttacks({ referencePath: refPath, attacks: ['rmia', 'rmia'], seed: 0 }),
    code('E_ARGUMENT', /listed twice/),
  );
  const noPop = join(dir, 'nopop.npz');
  writeNpz(noPop, {
    keep: npyArray(keep, [M, N], 'bool'),
    scores: npyArray(scores, [M, N]),
    target_scores: npyArray(target, [N]),
  });
  await assert.rejects(
    runReferenceAttacks({ referencePath: noPop, attacks: ['rmia-online'], seed: 0 }),
    code('E_MISSING_FIELD', /population signals/),
  );
  const r = await runReferenceAttacks({ referencePath: noPop, attacks: ['lira-offline'], seed: 0 });
  assert.equal(r.isMember, undefined);
});

const rejectsWith = (c: string, re: RegExp) => (e: unknown) => {
  assert.ok(e instanceof MiaError, String(e));
  assert.equal(e.code, c, e.oneLine());
  assert.match(e.oneLine(), re);
  return true;
};

test('rmia cannot tune a on a first reference model whose keep row has no OUT (or no IN) sample: says so, names file:keep', async () => {
  for (const fill of [1, 0] as const) {
    const odd = keep.slice();
    odd.fill(fill, 0, N); // reference model 0 trained on all (or none) of the samples
    const path = join(dir, `ref-row0-${fill}.npz`);
    writeNpz(path, {
      keep: npyArray(odd, [M, N], 'bool'),
      scores: npyArray(scores, [M, N]),
      target_scores: npyArray(target, [N]),
      target_member: npyArray(member, [N], 'bool'),
      pop_scores: npyArray(popScores, [M, Z]),
      pop_target_scores: npyArray(popTarget, [Z]),
    });
    const none = fill === 1 ? 'OUT' : 'IN';
    await assert.rejects(
      runReferenceAttacks({ referencePath: path, attacks: ['rmia'], seed: 0 }),
      rejectsWith(
        'E_EMPTY',
        new RegExp(
          `ref-row0-${fill}\\.npz:keep: rmia: cannot tune a on reference model 0 \\(keep row 0 has no ${none} sample.*give --rmia-a A`,
        ),
      ),
    );
    // with a given a there is nothing to tune
    const given = await runReferenceAttacks({ referencePath: path, attacks: ['rmia'], rmiaA: 0.3, seed: 0 });
    assert.equal(given.rmiaA, 0.3);
    // tuneRmiaA itself names the paired row
    const oddRefs = allReferences(
      makePopulation({
        models: M,
        samples: N,
        keep: odd,
        signal: scores,
        popSamples: Z,
        popSignal: popScores,
      }),
    );
    assert.throws(
      () => tuneRmiaA(oddRefs),
      rejectsWith('E_EMPTY', new RegExp(`reference model 0 \\(keep row 0 has no ${none}`)),
    );
  }
});

test('truth option: a target_member without members or non-members is E_EMPTY naming file:target_member, before any attack', async () => {
  const path = join(dir, 'ref-nomembers.npz');
  writeNpz(path, {
    keep: npyArray(keep, [M, N], 'bool'),
    scores: npyArray(scores, [M, N]),
    target_scores: npyArray(target, [N]),
    target_member: npyArray(new Uint8Array(N), [N], 'bool'),
  });
  for (const truth of ['required', 'if-given'] as const) {
    await assert.rejects(
      runReferenceAttacks({ referencePath: path, attacks: ['lira-offline'], seed: 0, truth }),
      rejectsWith(
        'E_EMPTY',
        /ref-nomembers\.npz:target_member: the truth has no member.*found 0 members, 200 non-members/,
      ),
    );
  }
  // no check asked: scores only
  const r = await runReferenceAttacks({ referencePath: path, attacks: ['lira-offline'], seed: 0 });
  assert.equal(r.scores.size, 1);
  // required truth missing
  const noTruth = join(dir, 'ref-notruth.npz');
  writeNpz(noTruth, {
    keep: npyArray(keep, [M, N], 'bool'),
    scores: npyArray(scores, [M, N]),
    target_scores: npyArray(target, [N]),
  });
  await assert.rejects(
    runReferenceAttacks({ referencePath: noTruth, attacks: ['lira-offline'], seed: 0, truth: 'required' }),
    rejectsWith('E_MISSING_FIELD', /ref-notruth\.npz: without target_member/),
  );
  const ok = await runReferenceAttacks({
    referencePath: noTruth,
    attacks: ['lira-offline'],
    seed: 0,
    truth: 'if-given',
  });
  assert.equal(ok.isMember, undefined);
});

test('flag-like errors come before reading: output-attack names get a hint, a out of [0, 1], missing population names the file', async () => {
  const missing = join(dir, 'does-not-exist.npz');
  await assert.rejects(
    runReferenceAttacks({ referencePath: missing, attacks: ['lr'], seed: 0 }),
    rejectsWith(
      'E_UNKNOWN_NAME',
      /unknown reference attack 'lr'; 'lr' attacks one model's outputs: use `mia attack --input FILE`/,
    ),
  );
  await assert.rejects(
    runReferenceAttacks({ referencePath: missing, attacks: ['rmia'], rmiaA: 1.5, seed: 0 }),
    rejectsWith('E_ARGUMENT', /--rmia-a: .*\[0, 1\]/),
  );
  await assert.rejects(
    runReferenceAttacks({ referencePath: missing, attacks: ['rmia'], rmiaGamma: 0, seed: 0 }),
    rejectsWith('E_ARGUMENT', /--rmia-gamma/),
  );
  const noPop = join(dir, 'nopop2.npz');
  writeNpz(noPop, {
    keep: npyArray(keep, [M, N], 'bool'),
    scores: npyArray(scores, [M, N]),
    target_scores: npyArray(target, [N]),
  });
  await assert.rejects(
    runReferenceAttacks({ referencePath: noPop, attacks: ['lira-offline', 'rmia', 'attack-p'], seed: 0 }),
    rejectsWith('E_MISSING_FIELD', /nopop2\.npz:pop_scores: rmia, attack-p need population signals/),
  );
});

test('lira-online / lira-offline with 3 reference models: finite scores and a note on the variance fallback', async () => {
  // keep rows 0..2 only: every sample is IN for 1 or 2 of them, so one side has a single observation
  const m3 = 3;
  const path = join(dir, 'reference-3.npz');
  writeNpz(path, {
    keep: npyArray(keep.subarray(0, m3 * N), [m3, N], 'bool'),
    scores: npyArray(scores.subarray(0, m3 * N), [m3, N]),
    target_scores: npyArray(target, [N]),
    target_member: npyArray(member, [N], 'bool'),
  });
  const r = await runReferenceAttacks({
    referencePath: path,
    attacks: ['lira-online', 'lira-offline'],
    seed: 0,
  });
  for (const [name, s] of r.scores) assert.ok(s.every(Number.isFinite), name);
  for (const v of ['lira-online', 'lira-offline'])
    assert.ok(
      r.notes.some((n) => n.startsWith(`${v}: `) && /fewer than 2 (IN|OUT) reference models/.test(n)),
      `${v}: ${r.notes.join(' | ')}`,
    );
});
