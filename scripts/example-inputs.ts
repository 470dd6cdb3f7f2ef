/**
 * Writes made-up inputs for the README's examples into the current directory, so that each example runs
 * as written (test/docs-commands.test.ts calls it from a `<!-- run-setup: … -->` line above the block):
 *
 *   node --import tsx scripts/example-inputs.ts run        # run.npz: logits and labels of members / non-members
 *   node --import tsx scripts/example-inputs.ts reference  # reference.npz: keep, scores, target and population scores
 *   node --import tsx scripts/example-inputs.ts evaluate   # scores.csv and truth.csv
 *   node --import tsx scripts/example-inputs.ts score      # model/ (a small MLP), public.npz, private.npz
 *
 * Every array is seeded; members are made a little easier to tell apart than non-members, as a model
 * that leaks would make them.
 */
import { writeFileSync } from 'node:fs';
import { makeSynthetic } from '../src/data/synthetic.js';
import { npyArray } from '../src/io/npy.js';
import { writeNpz } from '../src/io/npz.js';
import { createEngine } from '../src/models/engines/create-engine.js';
import { saveModel } from '../src/models/store.js';
import { trainModel } from '../src/models/train.js';
import { Rng } from '../src/rng.js';

const rng = new Rng(8);
const gauss = { next: () => rng.normal() };

/** run.npz: 1000 members and 1000 non-members, 10 classes; the true class's logit is higher for members. */
function runNpz(): void {
  const n = 1000;
  const c = 10;
  const side = (boost: number) => {
    const labels = Int32Array.from({ length: n }, () => rng.int(c));
    const logits = Float32Array.from({ length: n * c }, () => gauss.next());
    for (let i = 0; i < n; i++) logits[i * c + labels[i]!]! += boost;
    return { labels, logits };
  };
  const train = side(3);
  const test = side(2);
  writeNpz('run.npz', {
    logits_train: npyArray(train.logits, [n, c]),
    logits_test: npyArray(test.logits, [n, c]),
    labels_train: npyArray(train.labels, [n]),
    labels_test: npyArray(test.labels, [n]),
  });
}

/** reference.npz: 16 reference models on 500 samples (each in half of them), 200 population samples. */
function referenceNpz(): void {
  const m = 16;
  const n = 500;
  const z = 200;
  const mu = Float64Array.from({ length: n }, () => gauss.next());
  const keep = new Uint8Array(m * n);
  const scores = new Float32Array(m * n);
  for (let r = 0; r < m; r++) {
    for (let i = 0; i < n; i++) {
      keep[r * n + i] = rng.next() < 0.5 ? 1 : 0;
      scores[r * n + i] = mu[i]! + (keep[r * n + i] ? 1 : 0) + 0.5 * gauss.next();
    }
  }
  const member = Uint8Array.from({ length: n }, () => (rng.next() < 0.5 ? 1 : 0));
  const target = Float32Array.from({ length: n }, (_, i) => mu[i]! + member[i]! + 0.5 * gauss.next());
  const popMu = Float64Array.from({ length: z }, () => gauss.next());
  const pop = Float32Array.from({ length: m * z }, (_, k) => popMu[k % z]! + 0.5 * gauss.next());
  const popTarget = Float32Array.from({ length: z }, (_, j) => popMu[j]! + 0.5 * gauss.next());
  writeNpz('reference.npz', {
    keep: npyArray(keep, [m, n], 'bool'),
    scores: npyArray(scores, [m, n]),
    target_scores: npyArray(target, [n]),
    target_member: npyArray(member, [n], 'bool'),
    pop_scores: npyArray(pop, [m, z]),
    pop_target_scores: npyArray(popTarget, [z]),
  });
}

/** scores.csv (id,score) and truth.csv (id,member): 400 samples, members score higher on average. */
function evaluateCsv(): void {
  const ids = Array.from({ length: 400 }, (_, i) => `s${i}`);
  const member = ids.map(() => (rng.next() < 0.5 ? 1 : 0));
  writeFileSync(
    'scores.csv',
    `id,score\n${ids.map((id, i) => `${id},${member[i]! + gauss.next()}`).join('\n')}\n`,
  );
  writeFileSync('truth.csv', `id,member\n${ids.map((id, i) => `${id},${member[i]}`).join('\n')}\n`);
}

/** model/ (an MLP trained on 300 synthetic rows), public.npz (150 of its members, 150 others), private.npz. */
async function scoreInputs(): Promise<void> {
  const d = 16;
  const { train } = makeSynthetic({ nTrain: 600, nTest: 10, numClasses: 4, shape: [d], seed: 3, noise: 2 });
  const pick = (from: number[]) => {
    const x = new Float32Array(from.length * d);
    const y = new Int32Array(from.length);
    from.forEach((r, j) => {
      x.set(train.x.subarray(r * d, (r + 1) * d), j * d);
      y[j] = train.y[r]!;
    });
    return { x, y, n: from.length };
  };
  const range = (a: number, b: number) => Array.from({ length: b - a }, (_, i) => a + i);
  const engine = await createEngine('tfjs');
  const model = await engine.build({
    arch: { name: 'mlp', params: { hidden: '64' } },
    inputShape: [d],
    numClasses: 4,
    seed: 1,
  });
  const optimizer = {
    name: 'adam' as const,
    lr: 0.005,
    beta1: 0.9,
    beta2: 0.999,
    epsilon: 1e-8,
    weightDecay: 0,
    schedule: { kind: 'constant' as const },
  };
  const training = { epochs: 60, batchSize: 20, optimizer, shuffleSeed: 2 };
  await trainModel(model, pick(range(0, 300)), training);
  saveModel('model', model, { training });
  const pub = pick([...range(0, 150), ...range(300, 450)]);
  writeNpz('public.npz', {
    x: npyArray(pub.x, [300, d]),
    y: npyArray(pub.y, [300]),
    member: npyArray(new Uint8Array(300).fill(1, 0, 150), [300], 'bool'),
  });
  const priv = pick([...range(150, 300), ...range(450, 600)]);
  writeNpz('private.npz', {
    x: npyArray(priv.x, [300, d]),
    y: npyArray(priv.y, [300]),
    id: npyArray(
      Int32Array.from({ length: 300 }, (_, i) => 1000 + i),
      [300],
    ),
  });
  model.dispose();
}

const MAKERS: Record<string, () => void | Promise<void>> = {
  run: runNpz,
  reference: referenceNpz,
  evaluate: evaluateCsv,
  score: scoreInputs,
};

const names = process.argv.slice(2);
const unknown = names.filter((n) => !(n in MAKERS));
if (names.length === 0 || unknown.length > 0) {
  console.error(
    `usage: example-inputs.ts ${Object.keys(MAKERS).join('|')} ... (unknown: ${unknown.join(', ') || 'none given'})`,
  );
  process.exit(2);
}
for (const n of names) await MAKERS[n]!();
