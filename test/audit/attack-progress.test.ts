import assert from 'node:assert/strict';
import { test } from 'node:test';
import { attackProgress } from '../../src/audit/attack-progress.js';
import { runOutputAttacks } from '../../src/audit/run-attacks.js';
import { memoryLogger } from '../../src/core/logger.js';
import { syntheticAttackInput } from '../../src/signals/synthetic-outputs.js';

test('attackProgress: start, steps with the share done and the ETA (hand-computed), done', () => {
  const log = memoryLogger();
  let t = 100;
  const p = attackProgress(log, 'rf', 7, 9, 0, () => t);
  p.start();
  const step = (at: number, fold: number, s: 'fit' | 'trained' | 'scored', scored: number) => {
    t = at;
    p.step({ fold, folds: 2, step: s, scored, toScore: 1000, trainRows: 200 });
  };
  step(100, 0, 'fit', 0);
  step(110, 0, 'trained', 0); // fit took 10 s; rate unknown
  step(115, 0, 'scored', 500); // 100 rows/s: 5 s left here, then 10 + 10 s for attacker 2 → 25 s
  step(120, 0, 'scored', 1000);
  step(120, 1, 'fit', 0); // 10 s of training and 10 s of scoring left
  step(131, 1, 'trained', 0); // the rate of attacker 1 until attacker 2 has scored a chunk: 10 s left
  t = 150;
  p.done();
  assert.deepEqual(log.lines, [
    'attack 7/9 rf: started',
    'attack 7/9 rf: (attacker 1 of 2: training on 200 samples), 0.0 s elapsed, ETA ?',
    'attack 7/9 rf: (attacker 1 of 2: trained, scoring 1000 samples), 10 s elapsed, ETA ?',
    'attack 7/9 rf: 37% (attacker 1 of 2: 500 of 1000 samples scored), 15 s elapsed, ETA 25 s',
    'attack 7/9 rf: 50% (attacker 1 of 2: 1000 of 1000 samples scored), 20 s elapsed, ETA 20 s',
    'attack 7/9 rf: 50% (attacker 2 of 2: training on 200 samples), 20 s elapsed, ETA 20 s',
    'attack 7/9 rf: 75% (attacker 2 of 2: trained, scoring 1000 samples), 31 s elapsed, ETA 10 s',
    'attack 7/9 rf: done in 50 s',
  ]);
});

test('attackProgress: steps are reported at most every `everySeconds`', () => {
  const log = memoryLogger();
  let t = 0;
  const p = attackProgress(log, 'knn', 1, 1, 10, () => t);
  p.start();
  for (const at of [1, 4, 9, 11, 12, 25]) {
    t = at;
    p.step({ fold: 0, folds: 1, step: 'scored', scored: at, toScore: 100, trainRows: 10 });
  }
  t = 30;
  p.done();
  // Lines at t = 11 (11 s after the start line) and t = 25 (14 s after that one).
  assert.equal(log.lines.length, 4);
  assert.match(log.lines[1]!, /11 of 100 samples scored\), 11 s elapsed/);
  assert.match(log.lines[2]!, /25 of 100 samples scored\), 25 s elapsed/);
});

test('runOutputAttacks: a logger gets each attack’s start and done lines, and a trained attack’s steps with an ETA', () => {
  const input = syntheticAttackInput({ nMembers: 300, nNonMembers: 250, numClasses: 4, seed: 2 });
  const log = memoryLogger();
  const out = runOutputAttacks(input, {
    attacks: ['threshold', 'lr'],
    slices: ['entire'],
    seed: 0,
    logger: log,
    progressEverySeconds: 0,
  });
  assert.equal(log.lines[0], 'attack 1/2 threshold: started');
  assert.match(log.lines[1]!, /^attack 1\/2 threshold: done in \d+\.\d s$/);
  assert.equal(log.lines[2], 'attack 2/2 lr: started');
  assert.match(
    log.lines[3]!,
    /^attack 2\/2 lr: \(attacker 1 of 2: training on 250 samples\), .* elapsed, ETA \?$/,
  );
  const scored = log.lines.filter((l) => / samples scored\), .* elapsed, ETA /.test(l));
  assert.equal(scored.length, 2); // one chunk per attacker
  assert.match(scored[1]!, /^attack 2\/2 lr: \d+% \(attacker 2 of 2: 275 of 275 samples scored\)/);
  assert.match(log.lines.at(-1)!, /^attack 2\/2 lr: done in /);
  assert.equal(log.lines.length, 10); // 2 + start, 3 steps per attacker, done
  // Without a logger nothing changes in the results.
  const quiet = runOutputAttacks(input, { attacks: ['threshold', 'lr'], slices: ['entire'], seed: 0 });
  assert.deepEqual(quiet.results, out.results);
});

test('runOutputAttacks: maxTrainPerClass caps the trained attacks, every sample is scored, the note says how many trained', () => {
  const input = syntheticAttackInput({ nMembers: 400, nNonMembers: 300, numClasses: 3, seed: 3 });
  const out = runOutputAttacks(input, {
    attacks: ['lr', 'knn'],
    slices: ['entire'],
    seed: 1,
    maxTrainPerClass: 50,
  });
  for (const r of out.results) {
    assert.deepEqual([r.nMembers, r.nNonMembers], [400, 300]);
    assert.match(
      r.note!,
      /^each attacker trained on 100 of the 300 samples of its half \(seeded subsample: at most 50 per class/,
    );
  }
  for (const s of out.scores) {
    assert.equal(
      s.evaluated?.every((v) => v === 1),
      true,
    );
    assert.ok(s.scores.every((v) => v >= 0 && v <= 1));
  }
  const again = runOutputAttacks(input, {
    attacks: ['lr', 'knn'],
    slices: ['entire'],
    seed: 1,
    maxTrainPerClass: 50,
  });
  assert.deepEqual(again.results, out.results);
  // The default cap (50,000) is far above these sizes: the uncapped note.
  const free = runOutputAttacks(input, { attacks: ['lr'], slices: ['entire'], seed: 1 });
  assert.match(
    free.results[0]!.note!,
    /^2-fold cross-fitted \(seed 1\): each attacker trained on 150 members/,
  );
});
