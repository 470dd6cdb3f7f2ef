import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { npyArray, writeNpy } from '../../src/io/npy.js';
import { readNpz, writeNpz } from '../../src/io/npz.js';
import { Rng } from '../../src/rng.js';
import { runMia } from './run-mia.js';

const tmp = mkdtempSync(join(tmpdir(), 'mia-ref-'));

/** A LiRA-style world: each sample has its own difficulty; training on it raises its φ by 1.5. */
function writeReference(path: string, withTruth: boolean): void {
  const rng = new Rng(7);
  const M = 16;
  const N = 400;
  const Z = 300;
  const difficulty = Float64Array.from({ length: N }, () => 2 * rng.normal());
  const keep = new Uint8Array(M * N);
  const scores = new Float32Array(M * N);
  for (let m = 0; m < M; m++) {
    for (let i = 0; i < N; i++) {
      // paired models: model 2j+1 trains on exactly the samples model 2j leaves out
      const k = m % 2 === 1 ? 1 - keep[(m - 1) * N + i]! : rng.next() < 0.5 ? 1 : 0;
      keep[m * N + i] = k;
      scores[m * N + i] = difficulty[i]! + 1.5 * k + 0.3 * rng.normal();
    }
  }
  const member = new Uint8Array(N);
  const target = new Float32Array(N);
  for (let i = 0; i < N; i++) {
    member[i] = rng.next() < 0.5 ? 1 : 0;
    target[i] = difficulty[i]! + 1.5 * member[i]! + 0.3 * rng.normal();
  }
  const popDiff = Float64Array.from({ length: Z }, () => 2 * rng.normal());
  const pop = new Float32Array(M * Z);
  for (let m = 0; m < M; m++) for (let z = 0; z < Z; z++) pop[m * Z + z] = popDiff[z]! + 0.3 * rng.normal();
  const popTarget = Float32Array.from(popDiff, (d) => d + 0.3 * rng.normal());
  writeNpz(path, {
    keep: npyArray(keep, [M, N], 'bool'),
    scores: npyArray(scores, [M, N]),
    target_scores: npyArray(target, [N]),
    ...(withTruth ? { target_member: npyArray(member, [N], 'bool') } : {}),
    pop_scores: npyArray(pop, [M, Z]),
    pop_target_scores: npyArray(popTarget, [Z]),
  });
}

test('mia attack --reference runs LiRA and RMIA, writes scores and metrics', () => {
  const ref = join(tmp, 'reference.npz');
  writeReference(ref, true);
  const json = join(tmp, 'ref.json');
  const scores = join(tmp, 'scores.npz');
  const r = runMia([
    'attack',
    '--reference',
    ref,
    '--attacks',
    'lira-online,lira-offline,rmia',
    '--rmia-a',
    '0.5',
    '--scores-out',
    scores,
    '--json',
    json,
  ]);
  assert.equal(r.code, 0, r.stderr);
  const results = JSON.parse(readFileSync(json, 'utf8')).results as { attack: string; auc: number }[];
  assert.deepEqual(
    results.map((x) => x.attack),
    ['lira-online', 'lira-offline', 'rmia'],
  );
  for (const x of results) assert.ok(x.auc > 0.75, `${x.attack} AUC ${x.auc}`);
  const s = readNpz(scores);
  assert.deepEqual([...s.keys()], ['lira-online', 'lira-offline', 'rmia']);
  assert.deepEqual(s.get('rmia')!.shape, [400]);
});

test('mia attack --reference without truth needs --scores-out; bad flags are one-line errors', () => {
  const ref = join(tmp, 'notruth.npz');
  writeReference(ref, false);
  const r = runMia(['attack', '--reference', ref]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /--scores-out/);
  const ok = runMia(['attack', '--reference', ref, '--scores-out', join(tmp, 's.npz')]);
  assert.equal(ok.code, 0, ok.stderr);
  const mixed = runMia(['attack', '--input', ref, '--rmia-a', '0.3']);
  assert.equal(mixed.code, 2);
  assert.match(mixed.stderr, /--rmia-a goes with --reference/);
  const unknown = runMia(['attack', '--reference', ref, '--attacks', 'lira']);
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /unknown reference attack 'lira'/);
});

test('mia attack --reference: a truth with no member exits 2 naming file:target_member; flags are checked before reading', () => {
  const ref = join(tmp, 'nomembers.npz');
  writeReference(ref, true);
  const arrays = readNpz(ref);
  const n = arrays.get('target_scores')!.shape[0]!;
  writeNpz(ref, {
    ...Object.fromEntries(arrays),
    target_member: npyArray(new Uint8Array(n), [n], 'bool'),
  });
  const json = join(tmp, 'nomembers.json');
  const r = runMia(['attack', '--reference', ref, '--json', json]);
  assert.equal(r.code, 2, r.stdout);
  const lines = r.stderr.trim().split('\n');
  assert.equal(lines.length, 1, r.stderr);
  assert.match(lines[0]!, /E_EMPTY\] .*nomembers\.npz:target_member: the truth has no member/);
  assert.doesNotMatch(r.stdout, /No results/);
  assert.throws(() => readFileSync(json), /ENOENT/);

  const top = runMia(['attack', '--reference', join(tmp, 'not-there.npz'), '--top', 'abc']);
  assert.equal(top.code, 2);
  assert.match(top.stderr, /--top must be an integer/);
  const lr = runMia(['attack', '--reference', join(tmp, 'not-there.npz'), '--attacks', 'lr']);
  assert.equal(lr.code, 2);
  assert.match(lr.stderr, /'lr' attacks one model's outputs: use `mia attack --input FILE`/);
});

test('mia attack --reference <LiRA folder> without --attacks runs the attacks a folder supports and says which it left out', () => {
  // a LiRA experiment folder: 8 models, each keep.npy [N] and scores/<epoch>.npy [N, 1]
  const dir = join(tmp, 'lira-exp');
  const rng = new Rng(3);
  const N = 120;
  const difficulty = Float64Array.from({ length: N }, () => 2 * rng.normal());
  let last = new Uint8Array(N);
  for (let m = 0; m < 8; m++) {
    const name = `experiment-${m}`;
    mkdirSync(join(dir, name, 'scores'), { recursive: true });
    // paired models (2j+1 trains on what 2j leaves out): every sample has IN and OUT references
    const prev = last;
    const keep = Uint8Array.from({ length: N }, (_, i) =>
      m % 2 === 1 ? 1 - prev[i]! : rng.next() < 0.5 ? 1 : 0,
    );
    last = keep;
    const s = Float32Array.from(keep, (k, i) => difficulty[i]! + 1.5 * k + 0.3 * rng.normal());
    writeNpy(join(dir, name, 'keep.npy'), npyArray(keep, [N], 'bool'));
    writeNpy(join(dir, name, 'scores', '0000000010.npy'), npyArray(s, [N, 1]));
  }
  const r = runMia(['attack', '--reference', dir]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /3 attacks scored/);
  assert.match(
    r.stdout,
    /default attacks: lira-online, lira-offline, lira-global; not rmia, which needs population signals/,
  );
  for (const a of ['lira-online', 'lira-offline', 'lira-global'])
    assert.match(r.stdout, new RegExp(`\\b${a}\\b`));
  // naming rmia explicitly still says why it cannot run
  const named = runMia(['attack', '--reference', dir, '--attacks', 'lira-offline,rmia']);
  assert.equal(named.code, 2);
  assert.match(named.stderr, /rmia needs population signals .* LiRA folders do not have/);
});
