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
    code('E_CONFIG', /listed twice/),
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
