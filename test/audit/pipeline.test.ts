import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { liraScores, liraStatistics } from '../../src/attacks/lira.js';
import { leaveOneOut, makePopulation, withoutRow } from '../../src/attacks/population.js';
import { attackPScores, attackRScores } from '../../src/attacks/reference-baselines.js';
import { rmiaScores, tuneRmiaA } from '../../src/attacks/rmia.js';
import { parseAuditConfig } from '../../src/audit/config.js';
import { runAudit } from '../../src/audit/pipeline.js';
import { memoryLogger } from '../../src/core/logger.js';
import { isMiaError } from '../../src/errors.js';
import { readNpy, toBool, toFloat32, toFloat64, toInt32 } from '../../src/io/npy.js';
import { readNpz } from '../../src/io/npz.js';
import { makeModelOutputs } from '../../src/signals/model-outputs.js';
import { computeSignal } from '../../src/signals/signals.js';
import { assertRunFormat } from './helpers.js';

const tmp = mkdtempSync(join(tmpdir(), 'mia-pipeline-'));
after(() => rmSync(tmp, { recursive: true, force: true }));
const dir = join(tmp, 'run');

const CONFIG = `# tiny audit for the tests
run:
  seed: 5
  log_dir: ${dir}
  num_experiments: 2
data:
  dataset: synthetic
  audit_size: 120
  population_size: 60
  validation_size: 30
  synthetic: {shape: [12], classes: 3, noise: 2}
target:
  architecture: {name: mlp, params: {hidden: "32"}}
  epochs: 8
  batch_size: 16
  learning_rate: 0.005
audit:
  reference_models: 3
  attacks: [rmia, rmia-online, lira-online-fixed-variance, lira-offline, attack-r, attack-p, shadow, loss]
  slices: [entire, class]
report:
  enabled: false
`;

const ATTACKS = [
  'rmia',
  'rmia-online',
  'lira-online-fixed-variance',
  'lira-offline',
  'attack-r',
  'attack-p',
  'shadow',
  'loss',
];
const IDS = ['target', 'ref-01', 'ref-02', 'ref-03'];

function close(a: Float64Array, b: Float64Array, what: string, tol = 1e-9): void {
  assert.equal(a.length, b.length, what);
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (x === y) continue;
    assert.ok(Math.abs(x - y) <= tol * Math.max(1, Math.abs(y)), `${what}[${i}]: ${x} vs ${y}`);
  }
}

test('a tiny audit fills the run directory; its scores are exactly the attacks on its own signal files', async () => {
  const log = memoryLogger();
  const run = await runAudit(parseAuditConfig(CONFIG, 'tiny.yaml'), { logger: log });
  assert.equal(run.runDir, dir);
  assertRunFormat(dir);
  assert.ok(
    log.lines.some((l) => /\[2\/4\] ref-01 {2}epoch 8\/8 .*samples\/s/.test(l)),
    'epoch progress lines',
  );
  assert.ok(run.models.every((m) => !m.modelReused && !m.signalsReused));
  for (const f of ['config.yaml', 'config.resolved.json', 'environment.json', 'timing.json', 'keep.npy']) {
    assert.ok(existsSync(join(dir, f)), f);
  }
  assert.equal(readFileSync(join(dir, 'config.yaml'), 'utf8'), CONFIG);
  const env = JSON.parse(readFileSync(join(dir, 'environment.json'), 'utf8'));
  assert.deepEqual(Object.keys(env), [
    'backend',
    'engine',
    'node',
    'miaAudit',
    'dataset',
    'platform',
    'cpus',
  ]);
  assert.equal(env.dataset.name, 'synthetic');
  const timing = JSON.parse(readFileSync(join(dir, 'timing.json'), 'utf8')).stages as { stage: string }[];
  assert.deepEqual(
    timing.slice(0, 6).map((s) => s.stage),
    ['load dataset', 'population', 'model target', 'model ref-01', 'model ref-02', 'model ref-03'],
  );
  assert.ok(timing.some((s) => s.stage === 'attack rmia (experiment 1, target ref-01)'));

  // keep.npy: bool [4, 120], paired
  const keepArr = readNpy(join(dir, 'keep.npy'));
  assert.equal(keepArr.dtype, 'bool');
  assert.deepEqual(keepArr.shape, [4, 120]);
  const keep = toBool(keepArr, 'keep');
  for (let i = 0; i < 120; i++) assert.equal(keep[i]! + keep[120 + i]! + keep[240 + i]! + keep[360 + i]!, 2);

  // models/<id>/<hash>/model.json with the training rows; history.json
  for (const id of IDS) {
    const sub = readdirSync(join(dir, 'models', id));
    assert.equal(sub.length, 1, id);
    assert.ok(existsSync(join(dir, 'models', id, sub[0]!, 'model.json')));
  }
  const history = JSON.parse(readFileSync(join(dir, 'history.json'), 'utf8'));
  assert.deepEqual(
    history.models.map((m: { id: string; role: string }) => [m.id, m.role]),
    [
      ['target', 'target'],
      ['ref-01', 'reference'],
      ['ref-02', 'reference'],
      ['ref-03', 'reference'],
    ],
  );
  assert.equal(history.models[0].epochs.length, 8);
  assert.deepEqual(Object.keys(history.models[0].epochs[0]), [
    'epoch',
    'trainLoss',
    'trainAccuracy',
    'valLoss',
    'valAccuracy',
    'seconds',
  ]);

  // signals/<id>.npz → the population, recomputed here with the attack modules directly
  const sig = new Float64Array(4 * 120);
  const pop = new Float64Array(4 * 60);
  IDS.forEach((id, m) => {
    const a = readNpz(join(dir, 'signals', `${id}.npz`));
    assert.deepEqual(a.get('logits')!.shape, [1, 120, 3]);
    assert.deepEqual(a.get('scaled_logit')!.shape, [120, 1]);
    const labels = toInt32(a.get('labels')!, 'labels');
    assert.deepEqual(labels, toInt32(readNpz(join(dir, 'scores.npz')).get('labels')!, 'labels'));
    const o = makeModelOutputs({ logits: toFloat32(a.get('logits')!, 'l'), labels, numClasses: 3 }, id);
    const phi = computeSignal(o, 'scaled-logit');
    const stored = toFloat32(a.get('scaled_logit')!, 's');
    for (let i = 0; i < 120; i++) {
      assert.ok(Math.abs(stored[i]! - phi[i]!) <= 1e-5 * Math.max(1, Math.abs(phi[i]!)));
      sig[m * 120 + i] = phi[i]!;
    }
    const po = makeModelOutputs(
      {
        logits: toFloat32(a.get('pop_logits')!, 'pl'),
        labels: toInt32(a.get('pop_labels')!, 'pop_labels'),
        numClasses: 3,
      },
      id,
    );
    pop.set(computeSignal(po, 'scaled-logit'), m * 60);
  });
  const population = makePopulation({
    models: 4,
    samples: 120,
    keep,
    signal: sig,
    popSamples: 60,
    popSignal: Float64Array.from(pop),
  });
  const scores = readNpz(join(dir, 'scores.npz'));
  assert.deepEqual([...scores.keys()].sort(), [...ATTACKS, 'is_member', 'labels'].sort());
  assert.deepEqual(toBool(scores.get('is_member')!, 'm'), keep.subarray(0, 120));
  const get = (name: string) => toFloat64(scores.get(name)!, name);
  const lo = leaveOneOut(population, 0);
  // the reference attacks leave out the target's pair partner (row 1, trained on the complement of the
  // target's half): rows 2 and 3 remain, a complementary pair — every sample IN for one, OUT for one
  const refs = withoutRow(lo.references, 1);
  assert.deepEqual([...refs.rows], [2, 3]);
  close(
    get('lira-online-fixed-variance'),
    liraScores(refs, lo.target, 'lira-online-fixed-variance'),
    'lira',
    0,
  );
  // lira-offline with 2 references: every sample has 1 OUT model, so it is scored with the global OUT
  // variance, exactly as lira-offline-fixed-variance — every score finite
  const offline = get('lira-offline');
  close(offline, liraScores(refs, lo.target, 'lira-offline'), 'lira-offline', 0);
  assert.ok(offline.every(Number.isFinite));
  const offFixed = liraScores(refs, lo.target, 'lira-offline-fixed-variance');
  const st = liraStatistics(refs);
  let single = 0;
  for (let i = 0; i < 120; i++) {
    if (st.countOut[i]! >= 2) continue;
    single++;
    assert.equal(offline[i], offFixed[i], `sample ${i}`);
  }
  assert.equal(single, 120, 'one OUT reference per sample');
  close(get('attack-r'), attackRScores(refs, lo.target), 'attack-r', 0);
  close(get('attack-p'), attackPScores(population, lo.target, lo.targetPop), 'attack-p', 0);
  close(get('rmia-online'), rmiaScores(refs, lo.target, lo.targetPop, { mode: 'online' }), 'rmia', 0);
  const tuned = tuneRmiaA(lo.references, { pairedRow: 1 });
  close(get('rmia'), rmiaScores(refs, lo.target, lo.targetPop, { mode: 'offline', a: tuned.a }), 'rmia', 0);
  const exp1 = readNpz(join(dir, 'scores', 'experiment-1.npz'));
  assert.deepEqual(toBool(exp1.get('is_member')!, 'm'), keep.subarray(120, 240));

  // results.json: `mia attack`'s schema, tagged per experiment, with the aggregate
  const json = JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8'));
  const entire = json.results.filter(
    (r: { slice: { feature: string }; experiment: string }) =>
      r.slice.feature === 'entire_dataset' && r.experiment === '0',
  );
  assert.deepEqual(
    entire.map((r: { attack: string }) => r.attack),
    ATTACKS,
  );
  assert.deepEqual(Object.keys(entire[0]).slice(0, 12), [
    'attack',
    'signal',
    'slice',
    'nMembers',
    'nNonMembers',
    'auc',
    'aucInterval',
    'advantage',
    'ppvMaxOverThresholds',
    'tprAtFpr',
    'epsilonLowerBound',
    'epsilon',
  ]);
  // reference mode: membership is a random half, so the run states one corrected DP claim
  assert.equal(json.membership.design, 'random-half');
  assert.equal(json.dpClaims.length, 1);
  assert.equal(json.dpClaims[0].method, 'threshold-test');
  assert.equal(
    json.dpClaims[0].attacksCorrected,
    json.results.filter((r: { slice: { feature: string } }) => r.slice.feature === 'entire_dataset').length,
  );
  assert.equal(entire[0].model, 'target');
  assert.equal(entire[0].nMembers, 60);
  assert.ok(
    json.results.some(
      (r: { experiment: string; model: string }) => r.experiment === '1' && r.model === 'ref-01',
    ),
  );
  const agg = json.aggregate.find(
    (a: { attack: string; slice: { feature: string } }) =>
      a.attack === 'rmia' && a.slice.feature === 'entire_dataset',
  );
  assert.equal(agg.experiments, 2);
  assert.ok(json.notes.some((n: string) => /^rmia: a = /.test(n)));
  assert.ok(
    json.notes.includes(
      "references: ref-01 (trained on the complement of target's half) is left out of the reference attacks, " +
        'which use the other 2 reference models [experiment 0]',
    ),
  );
  const liraNote =
    'lira-offline: 120 of 120 samples have fewer than 2 OUT reference models: a per-example variance needs 2, ' +
    'so they use the global OUT variance (as lira-offline-fixed-variance)';
  assert.ok(json.notes.includes(`${liraNote} [experiment 0]`), json.notes.join('\n'));
  assert.equal(entire.find((r: { attack: string }) => r.attack === 'lira-offline').note, liraNote);
  assert.equal(
    entire.find((r: { attack: string }) => r.attack === 'lira-online-fixed-variance').note,
    undefined,
  );
  assert.ok(
    entire.find((r: { attack: string }) => r.attack === 'rmia-online').auc > 0.55,
    'the tiny target leaks',
  );
});

test('a rerun reuses everything; changed settings redo only what they change', async () => {
  const again = await runAudit(parseAuditConfig(CONFIG, 'tiny.yaml'));
  assert.ok(again.models.every((m) => m.modelReused && m.signalsReused));
  assert.equal(again.resultsReused, true);
  assertRunFormat(dir);
  const timing = JSON.parse(readFileSync(join(dir, 'timing.json'), 'utf8')).stages as {
    stage: string;
    reused: boolean;
  }[];
  assert.ok(
    timing.filter((s) => s.stage !== 'load dataset').every((s) => s.reused),
    JSON.stringify(timing),
  );

  const fewer = await runAudit(parseAuditConfig(CONFIG, 'tiny.yaml', ['audit.attacks=[rmia, loss]']));
  assert.ok(fewer.models.every((m) => m.signalsReused));
  assert.equal(fewer.resultsReused, false);
  assert.deepEqual([...new Set(fewer.results.map((r) => r.attack))], ['rmia', 'loss']);
  assert.equal(
    readFileSync(join(dir, 'config.yaml'), 'utf8'),
    `${CONFIG}# overridden on the command line:\n#   --set audit.attacks=[rmia, loss]\n`,
  );

  const retrain = await runAudit(
    parseAuditConfig(CONFIG, 'tiny.yaml', ['target.epochs=4', 'reference.epochs=8']),
  );
  assert.deepEqual(
    retrain.models.map((m) => m.modelReused),
    [false, true, true, true],
    'only the target changed',
  );
  assert.equal(readdirSync(join(dir, 'models', 'target')).length, 2, 'the earlier target stays cached');
});

test('data errors found when loading point at the config line that caused them', async () => {
  const text = CONFIG.replace('  validation_size: 30\n', '  validation_size: 30\n  first_k_classes: 5\n');
  await assert.rejects(
    runAudit(parseAuditConfig(text, 'tiny.yaml', [`run.log_dir=${join(tmp, 'bad')}`])),
    (e: unknown) =>
      isMiaError(e) &&
      e.code === 'E_CONFIG' &&
      e.where === 'tiny.yaml:11:20' &&
      /^data\.first_k_classes is larger than the 3 classes/.test(e.message),
  );
});
