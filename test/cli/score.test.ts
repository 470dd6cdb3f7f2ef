import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { scoreCommand } from '../../src/cli/score.js';
import { makeSynthetic } from '../../src/data/synthetic.js';
import { isMiaError } from '../../src/errors.js';
import { npyArray } from '../../src/io/npy.js';
import { readNpz, writeNpz } from '../../src/io/npz.js';
import { createEngine } from '../../src/models/engines/create-engine.js';
import { saveModel } from '../../src/models/store.js';
import { trainModel } from '../../src/models/train.js';
import { makeModelOutputs } from '../../src/signals/model-outputs.js';
import { runMia } from './run-mia.js';

const tmp = mkdtempSync(join(tmpdir(), 'mia-score-'));
after(() => rmSync(tmp, { recursive: true, force: true }));
const modelDir = join(tmp, 'target');
const pub = join(tmp, 'public.npz');
const priv = join(tmp, 'private.npz');
const D = 16;
/** Private samples: ids 1000+, the first half members of the target. */
let privateLoss: Float64Array;
let privateMember: Uint8Array;

before(async () => {
  // 600 samples: the target trains on rows 0..299; the public set is rows 0..149 (members) and
  // 300..449 (non-members), the private set rows 150..299 (members) and 450..599 (non-members).
  const { train } = makeSynthetic({ nTrain: 600, nTest: 10, numClasses: 4, shape: [D], seed: 3, noise: 2 });
  const rows = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);
  const pick = (idx: number[]) => {
    const x = new Float32Array(idx.length * D);
    const y = new Int32Array(idx.length);
    idx.forEach((r, j) => {
      x.set(train.x.subarray(r * D, (r + 1) * D), j * D);
      y[j] = train.y[r]!;
    });
    return { x, y, n: idx.length };
  };
  const engine = await createEngine('tfjs');
  const model = await engine.build({
    arch: { name: 'mlp', params: { hidden: '64' } },
    inputShape: [D],
    numClasses: 4,
    seed: 1,
  });
  const t = pick(rows(0, 300));
  const training = {
    epochs: 60,
    batchSize: 20,
    optimizer: { name: 'adam' as const, lr: 0.005 },
    shuffleSeed: 2,
  };
  await trainModel(model, t, training);
  saveModel(modelDir, model, {
    training: {
      ...training,
      optimizer: {
        name: 'adam',
        lr: 0.005,
        beta1: 0.9,
        beta2: 0.999,
        epsilon: 1e-8,
        weightDecay: 0,
        schedule: { kind: 'constant' },
      },
    },
  });
  const p = pick([...rows(0, 150), ...rows(300, 450)]);
  const member = new Uint8Array(300);
  member.fill(1, 0, 150);
  writeNpz(pub, {
    x: npyArray(p.x, [300, D]),
    y: npyArray(p.y, [300]),
    member: npyArray(member, [300], 'bool'),
  });
  const q = pick([...rows(150, 300), ...rows(450, 600)]);
  writeNpz(priv, {
    x: npyArray(q.x, [300, D]),
    y: npyArray(q.y, [300]),
    id: npyArray(
      Int32Array.from({ length: 300 }, (_, i) => 1000 + i),
      [300],
    ),
  });
  const o = makeModelOutputs(
    { logits: await model.predict(q.x, 300), labels: q.y, numClasses: 4 },
    'private',
  );
  privateLoss = o.loss;
  privateMember = new Uint8Array(300).fill(1, 0, 150);
  model.dispose();
});

function readScores(path: string): { ids: string[]; scores: number[] } {
  const lines = readFileSync(path, 'utf8').trim().split('\n');
  assert.equal(lines[0], 'id,score');
  const rows = lines.slice(1).map((l) => l.split(','));
  return { ids: rows.map((r) => r[0]!), scores: rows.map((r) => Number(r[1])) };
}

test('mia score: shadow models + meta-classifier score the private set; mia evaluate scores them', () => {
  const out = join(tmp, 'scores.csv');
  const json = join(tmp, 'public.json');
  const r = runMia([
    'score',
    '--target',
    modelDir,
    '--public',
    pub,
    '--private',
    priv,
    '--out',
    out,
    '--attack',
    'shadow',
    '--shadow-models',
    '2',
    '--epochs',
    '60',
    '--json',
    json,
  ]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /public .*: 300 samples \(150 members\)/);
  assert.match(
    r.stdout,
    /2 shadow models train on 75 samples each \(the target's training size is not recorded\)/,
  );
  assert.match(r.stdout, /\[shadow 2\/2\] mlp on 75 members \(\+ 75 held out\), 60 epochs/);
  assert.match(
    r.stdout,
    /meta-classifier \(MLP\) trained on \d+ member \+ \d+ non-member outputs of 2 shadow models/,
  );
  assert.match(r.stdout, /On the public set \(membership known\):/);
  const { ids, scores } = readScores(out);
  assert.deepEqual(
    ids,
    Array.from({ length: 300 }, (_, i) => String(1000 + i)),
  );
  for (const s of scores) assert.ok(s >= 0 && s <= 1, String(s));
  const pubResult = JSON.parse(readFileSync(json, 'utf8')).results[0];
  assert.equal(pubResult.attack, 'shadow');
  assert.equal(pubResult.nMembers, 150);

  const truth = join(tmp, 'truth.csv');
  writeFileSync(truth, `id,member\n${ids.map((id, i) => `${id},${privateMember[i]}`).join('\n')}\n`);
  const ev = runMia(['evaluate', '--scores', out, '--truth', truth, '--json', join(tmp, 'eval.json')]);
  assert.equal(ev.code, 0, ev.stderr);
  const auc = JSON.parse(readFileSync(join(tmp, 'eval.json'), 'utf8')).auc as number;
  assert.ok(auc > 0.6, `the overfitted target leaks: AUC ${auc}`);
});

test('mia score --attack threshold gives minus the target loss; lr trains on the public labels', () => {
  const out = join(tmp, 'loss.csv');
  const r = runMia([
    'score',
    '--target',
    modelDir,
    '--public',
    pub,
    '--private',
    priv,
    '--out',
    out,
    '--attack',
    'threshold',
  ]);
  assert.equal(r.code, 0, r.stderr);
  const { scores } = readScores(out);
  for (const [i, s] of scores.entries()) {
    assert.ok(Math.abs(s + privateLoss[i]!) <= 1e-5 * Math.max(1, privateLoss[i]!), `row ${i}`);
  }

  const lr = join(tmp, 'lr.csv');
  const r2 = runMia([
    'score',
    '--target',
    modelDir,
    '--public',
    pub,
    '--private',
    priv,
    '--out',
    lr,
    '--attack',
    'lr',
  ]);
  assert.equal(r2.code, 0, r2.stderr);
  assert.match(
    r2.stdout,
    /lr {2,}entire dataset +38 +38 /,
    'evaluated on the held-out quarter of the public set',
  );
  assert.equal(readScores(lr).scores.length, 300);
});

test('mia score: bad sets are one-line errors naming the file and array', () => {
  const bad = join(tmp, 'bad.npz');
  writeNpz(bad, { x: npyArray(new Float32Array(4 * D), [4, D]), y: npyArray(new Int32Array(4), [4]) });
  const r = runMia([
    'score',
    '--target',
    modelDir,
    '--public',
    bad,
    '--private',
    priv,
    '--out',
    join(tmp, 'x.csv'),
  ]);
  assert.equal(r.code, 2);
  assert.equal(r.stderr.trim().split('\n').length, 1);
  assert.match(r.stderr, /E_MISSING_FIELD.*bad\.npz: the public set has no 'member' array/);
  const flags = runMia(['score', '--target', modelDir]);
  assert.equal(flags.code, 2);
  assert.match(flags.stderr, /--public is required/);
  const atk = runMia([
    'score',
    '--target',
    modelDir,
    '--public',
    pub,
    '--private',
    priv,
    '--out',
    'x',
    '--attack',
    'lira',
  ]);
  assert.equal(atk.code, 2);
  assert.match(atk.stderr, /unknown attack 'lira'/);
});

/** `mia score` in this process as src/cli/main.ts runs it: the exit code and the error line. */
async function scoreHere(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const out: string[] = [];
  const log = console.log;
  console.log = (...args: unknown[]) => {
    out.push(args.join(' '));
  };
  try {
    return { code: await scoreCommand.run(argv), stdout: out.join('\n'), stderr: '' };
  } catch (e) {
    if (!isMiaError(e)) throw e;
    return { code: 2, stdout: out.join('\n'), stderr: `error ${e.oneLine()}` };
  } finally {
    console.log = log;
  }
}

test('mia score: a repeated private id, sets of another shape, a bad --shadow-models are one-line errors', async () => {
  const set = (name: string, d: number, n: number, ids?: number[]) => {
    const path = join(tmp, name);
    writeNpz(path, {
      x: npyArray(
        Float32Array.from({ length: n * d }, (_, i) => (i % 7) / 7),
        [n, d],
      ),
      y: npyArray(
        Int32Array.from({ length: n }, (_, i) => i % 4),
        [n],
      ),
      member: npyArray(
        Uint8Array.from({ length: n }, (_, i) => i % 2),
        [n],
        'bool',
      ),
      ...(ids !== undefined ? { id: npyArray(Int32Array.from(ids), [n]) } : {}),
    });
    return path;
  };
  const dupIds = set('dup_id.npz', D, 6, [10, 11, 12, 11, 14, 15]);
  const wide = set('wide.npz', D + 1, 40);
  const wider = set('wider.npz', D + 2, 40);
  const out = join(tmp, 'bad.csv');
  const args = (p: string, q: string, ...rest: string[]) => [
    '--target',
    modelDir,
    '--public',
    p,
    '--private',
    q,
    '--out',
    out,
    ...rest,
  ];
  // as a user runs it (was: exit 0 and scores.csv with id 11 twice, which mia evaluate then rejects)
  const dup = runMia(['score', ...args(pub, dupIds, '--attack', 'threshold')]);
  assert.equal(dup.code, 2, dup.stderr + dup.stdout);
  assert.equal(dup.stderr.trim().split('\n').length, 1, dup.stderr);
  assert.match(
    dup.stderr,
    /^error \[E_VALUE\] .*dup_id\.npz:id: id 11 is repeated \(samples 1 and 3\) \(expected one id per sample, all different, found 11 twice\)$/m,
  );
  assert.ok(!existsSync(out), 'no scores written');
  const cases: [string[], RegExp][] = [
    // the model takes [16]: the set that disagrees with it is blamed, whichever it is
    [
      args(pub, wide),
      /^error \[E_SHAPE_MISMATCH\] .*wide\.npz: the private samples do not have the target model's input shape \(expected \[16\] as the model and .*public\.npz, found \[17\]\)$/,
    ],
    [
      args(wide, priv),
      /^error \[E_SHAPE_MISMATCH\] .*wide\.npz: the public samples do not have the target model's input shape \(expected \[16\] as the model and .*private\.npz, found \[17\]\)$/,
    ],
    [
      args(wide, wider),
      /^error \[E_SHAPE_MISMATCH\] mia score: the samples of .*wide\.npz \(public\) and .*wider\.npz \(private\) have different shapes \(expected one shape \(the model takes \[16\]\), found \[17\] and \[18\]\)$/,
    ],
    [
      args(pub, priv, '--shadow-models', '0'),
      /^error \[E_USAGE\] mia score: --shadow-models must be at least 1 \(and at most 75: .*public\.npz has 300 samples, at least 4 per shadow model\) \(found 0\)$/,
    ],
    [args(pub, priv, '--shadow-models', '76'), /--shadow-models must be at least 1 \(and at most 75: /],
    [
      args(pub, priv, '--epochs', '0'),
      /^error \[E_USAGE\] mia score: --epochs must be an integer ≥ 1 \(found 0\)$/,
    ],
    [args(pub, priv, '--lr', '-1'), /--lr must be a number > 0 \(found -1\)/],
    [args(pub, priv, '--seed', '-1'), /--seed must be an integer in \[0, 2147483647\] \(found -1\)/],
  ];
  for (const [argv, pattern] of cases) {
    const r = await scoreHere(argv);
    assert.equal(r.code, 2, argv.join(' '));
    assert.match(r.stderr, pattern, argv.join(' '));
    assert.doesNotMatch(r.stdout, /shadow 1|wrote/);
  }
});

test('mia score: float pixels 0–255 for a target trained on x / 255 are divided by 255; values that do not fit stop', () => {
  // the same model, its model.json recording a dataset normalised to [0, 1]
  const unitModel = join(tmp, 'target-unit');
  cpSync(modelDir, unitModel, { recursive: true });
  const json = join(unitModel, 'model.json');
  const rec = JSON.parse(readFileSync(json, 'utf8'));
  rec.dataset = { name: 'csv', options: { normalize: 'unit' } };
  writeFileSync(json, JSON.stringify(rec));
  const sets = [pub, priv].map((path) => {
    const a = readNpz(path);
    const x = a.get('x')!.data as Float32Array;
    let lo = Number.POSITIVE_INFINITY;
    let hi = Number.NEGATIVE_INFINITY;
    for (const v of x) {
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
    }
    const px = Float32Array.from(x, (v) => Math.round(((v - lo) / (hi - lo)) * 255));
    const out = path.replace('.npz', '-pixels.npz');
    writeNpz(out, { ...Object.fromEntries(a), x: npyArray(px, [a.get('x')!.shape[0]!, D]) });
    return out;
  });
  const args = (p: string, q: string) => [
    'score',
    '--target',
    unitModel,
    '--public',
    p,
    '--private',
    q,
    '--attack',
    'threshold',
    '--out',
    join(tmp, 'px.csv'),
  ];
  const ok = runMia(args(sets[0]!, sets[1]!));
  assert.equal(ok.code, 0, ok.stderr);
  assert.match(ok.stdout, /public-pixels\.npz: float x in \[0, 255\] divided by 255/);
  assert.match(ok.stdout, /private-pixels\.npz: float x in \[0, 255\] divided by 255/);
  // the original sets (values below 0 and above 1) do not fit a [0, 1] model: one line naming public.npz:x
  const bad = runMia(args(pub, priv));
  assert.equal(bad.code, 2);
  assert.equal(bad.stderr.trim().split('\n').length, 1);
  assert.match(bad.stderr, /E_VALUE.*public\.npz:x: x holds values in .* trained on inputs in \[0, 1\]/);
});

test('mia score (default attack auto): shadow, lr and threshold compared on the held-out public part; the best one scores', () => {
  const out = join(tmp, 'auto.csv');
  const json = join(tmp, 'auto.json');
  const r = runMia([
    'score',
    '--target',
    modelDir,
    '--public',
    pub,
    '--private',
    priv,
    '--out',
    out,
    '--shadow-models',
    '2',
    '--epochs',
    '20',
    '--json',
    json,
  ]);
  assert.equal(r.code, 0, r.stderr);
  const m =
    /^attack: (\w+), the best on the public set's held-out part \((\d+) samples; AUC shadow ([\d.]+), lr ([\d.]+), threshold ([\d.]+)\)$/m.exec(
      r.stdout,
    );
  assert.ok(
    m !== null,
    r.stdout
      .split('\n')
      .filter((l) => !l.includes('epoch'))
      .join('\n'),
  );
  const aucs = { shadow: Number(m[3]), lr: Number(m[4]), threshold: Number(m[5]) };
  const chosen = m[1] as keyof typeof aucs;
  assert.equal(aucs[chosen], Math.max(...Object.values(aucs)));
  assert.match(
    r.stdout,
    new RegExp(`On the public set \\(membership known, held-out part; attack ${chosen}\\):`),
  );
  const result = JSON.parse(readFileSync(json, 'utf8')).results[0];
  assert.equal(result.attack, chosen);
  assert.equal(result.nMembers + result.nNonMembers, Number(m[2]), 'evaluated on the held-out part only');
  assert.ok(Number(m[2]) < 300);
  assert.equal(readScores(out).ids.length, 300);
});
