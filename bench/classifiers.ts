// Benchmark: the four trained-attack classifiers (src/attacks/classifiers) against scikit-learn on the
// same data in the same invocation. 100,000 members + 100,000 non-members, d = 12 features shaped like
// the lead's attack features (10 sorted softmax probabilities, loss, label) of a synthetic 10-class
// model that is more confident on its members. The split is runTrainedAttack's (seeded, stratified,
// balanced, trainFraction 0.75): fit on 150,000 rows, predict the 50,000 held out. Both sides use the
// same hyper-parameters (see each classifier's doc). sklearn runs single-threaded (OMP/OpenBLAS = 1
// thread; pass --py-threads N to change), like our single-threaded TypeScript.
//
// Run: node --import tsx bench/classifiers.ts [--n 100000] [--only lr,mlp,rf,knn] [--no-python]
//        [--classes 10 (d = classes + 2)] [--py-threads 1] [--seed 1]
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { ClassifierKind } from '../src/attacks/classifiers/classifier.js';
import { createClassifier } from '../src/attacks/classifiers/registry.js';
import { splitTrainedAttack } from '../src/attacks/trained-attack.js';
import { Rng } from '../src/rng.js';

const { values } = parseArgs({
  options: {
    n: { type: 'string', default: '100000' },
    only: { type: 'string', default: 'lr,mlp,rf,knn' },
    'no-python': { type: 'boolean', default: false },
    'py-threads': { type: 'string', default: '1' },
    seed: { type: 'string', default: '1' },
    classes: { type: 'string', default: '10' },
  },
});
const perClass = Number(values.n);
const kinds = values.only.split(',') as ClassifierKind[];
const seed = Number(values.seed);

/** Synthetic attack features: per row 10 sorted softmax probabilities, the loss, the label. */
function makeFeatures(nPerClass: number, c: number, rng: Rng) {
  const d = c + 2;
  const n = 2 * nPerClass;
  const x = new Float64Array(n * d);
  const y = new Uint8Array(n);
  const logits = new Float64Array(c);
  const probs = new Float64Array(c);
  for (let i = 0; i < n; i++) {
    const member = i < nPerClass ? 1 : 0;
    y[i] = member;
    const label = rng.int(c);
    for (let k = 0; k < c; k++) logits[k] = 1.5 * rng.normal();
    logits[label]! += (member ? 3.2 : 2.4) + 1.2 * rng.normal();
    let mx = Number.NEGATIVE_INFINITY;
    for (let k = 0; k < c; k++) mx = Math.max(mx, logits[k]!);
    let s = 0;
    for (let k = 0; k < c; k++) s += probs[k] = Math.exp(logits[k]! - mx);
    for (let k = 0; k < c; k++) probs[k]! /= s;
    const loss = -Math.log(Math.max(probs[label]!, 1e-30));
    const sorted = Float64Array.from(probs).sort().reverse();
    x.set(sorted, i * d);
    x[i * d + c] = loss;
    x[i * d + c + 1] = label;
  }
  return { x, y, n, d };
}

function gather(x: Float64Array, y: Uint8Array, d: number, rows: Int32Array) {
  const gx = new Float64Array(rows.length * d);
  const gy = new Uint8Array(rows.length);
  rows.forEach((r, i) => {
    gx.set(x.subarray(r * d, r * d + d), i * d);
    gy[i] = y[r]!;
  });
  return { gx, gy };
}

/** AUC by one sort (ties get half credit). */
function auc(scores: Float64Array, y: Uint8Array): number {
  const order = Array.from(scores.keys()).sort((a, b) => scores[a]! - scores[b]!);
  let pos = 0;
  let neg = 0;
  let rankSum = 0;
  for (let i = 0; i < order.length; ) {
    let j = i;
    while (j < order.length && scores[order[j]!] === scores[order[i]!]) j++;
    const mid = (i + j + 1) / 2; // average 1-based rank
    for (let k = i; k < j; k++) if (y[order[k]!] === 1) rankSum += mid;
    i = j;
  }
  for (let i = 0; i < y.length; i++) y[i] === 1 ? pos++ : neg++;
  return (rankSum - (pos * (pos + 1)) / 2) / (pos * neg);
}

const PY = `
import sys, time, json, numpy as np
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.linear_model import LogisticRegression
from sklearn.neural_network import MLPClassifier
from sklearn.ensemble import RandomForestClassifier
from sklearn.neighbors import KNeighborsClassifier
from sklearn.metrics import roc_auc_score
import sklearn
d, kinds, dir_ = int(sys.argv[1]), sys.argv[2].split(','), sys.argv[3]
Xtr = np.fromfile(dir_ + '/xtr.f64').reshape(-1, d); ytr = np.fromfile(dir_ + '/ytr.u8', dtype=np.uint8)
Xev = np.fromfile(dir_ + '/xev.f64').reshape(-1, d); yev = np.fromfile(dir_ + '/yev.u8', dtype=np.uint8)
models = {
  'lr': lambda: make_pipeline(StandardScaler(), LogisticRegression(C=1.0)),
  'mlp': lambda: make_pipeline(StandardScaler(), MLPClassifier(hidden_layer_sizes=(64,), alpha=1e-4,
      early_stopping=True, validation_fraction=0.1, n_iter_no_change=10, random_state=0)),
  'rf': lambda: RandomForestClassifier(n_estimators=100, max_features='sqrt', min_samples_leaf=4,
      n_jobs=1, random_state=0),
  'knn': lambda: make_pipeline(StandardScaler(), KNeighborsClassifier(n_neighbors=5, algorithm='kd_tree')),
}
out = {'sklearn': sklearn.__version__}
for k in kinds:
  m = models[k]()
  t0 = time.perf_counter(); m.fit(Xtr, ytr); t1 = time.perf_counter()
  p = m.predict_proba(Xev)[:, 1]; t2 = time.perf_counter()
  out[k] = {'fit': t1 - t0, 'predict': t2 - t1, 'auc': float(roc_auc_score(yev, p))}
print(json.dumps(out))
`;

const rng = new Rng(seed);
const { x, y, d } = makeFeatures(perClass, Number(values.classes), rng);
// The split of runTrainedAttack (seeded, stratified, balanced, trainFraction 0.75); its rng is then forked
// for the classifier, as runTrainedAttack does.
const { trainRows: train, evalRows: ev } = splitTrainedAttack(y, rng);
const clfSeed = rng.nextUint32(); // runTrainedAttack's rng.fork() is new Rng(rng.nextUint32())
const tr = gather(x, y, d, train);
const te = gather(x, y, d, ev);
console.log(
  `classifiers bench: ${perClass} members + ${perClass} non-members, d = ${d}; fit on ${train.length}, predict ${ev.length}`,
);

const ours: Record<string, { fit: number; predict: number; auc: number }> = {};
for (const kind of kinds) {
  const clf = createClassifier(kind);
  const t0 = performance.now();
  clf.fit(tr.gx, train.length, d, tr.gy, new Rng(clfSeed));
  const t1 = performance.now();
  const p = clf.predictProba(te.gx, ev.length, d);
  const t2 = performance.now();
  ours[kind] = { fit: (t1 - t0) / 1000, predict: (t2 - t1) / 1000, auc: auc(p, te.gy) };
  console.log(
    `  ours ${kind}: fit ${ours[kind].fit.toFixed(2)} s, predict ${ours[kind].predict.toFixed(2)} s`,
  );
}

let py: Record<string, { fit: number; predict: number; auc: number } | string> | undefined;
if (!values['no-python']) {
  const dir = mkdtempSync(join(tmpdir(), 'mia-bench-'));
  try {
    writeFileSync(join(dir, 'xtr.f64'), tr.gx);
    writeFileSync(join(dir, 'ytr.u8'), tr.gy);
    writeFileSync(join(dir, 'xev.f64'), te.gx);
    writeFileSync(join(dir, 'yev.u8'), te.gy);
    const th = values['py-threads'];
    const env = { ...process.env, OMP_NUM_THREADS: th, OPENBLAS_NUM_THREADS: th, MKL_NUM_THREADS: th };
    const outText = execFileSync('/usr/bin/python3', ['-c', PY, String(d), kinds.join(','), dir], {
      env,
      encoding: 'utf8',
      maxBuffer: 1 << 20,
    });
    py = JSON.parse(outText);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const pad = (s: string, w: number) => s.padStart(w);
console.log(
  `\n${'kind'.padEnd(5)}${pad('ours fit', 10)}${pad('predict', 9)}${pad('total', 8)}${pad('AUC', 7)}` +
    (py
      ? `${pad('sk fit', 9)}${pad('predict', 9)}${pad('total', 8)}${pad('AUC', 7)}${pad('sk/ours', 9)}`
      : ''),
);
let sumOurs = 0;
let sumPy = 0;
for (const kind of kinds) {
  const o = ours[kind]!;
  const tot = o.fit + o.predict;
  sumOurs += tot;
  let line = `${kind.padEnd(5)}${pad(o.fit.toFixed(2), 10)}${pad(o.predict.toFixed(2), 9)}${pad(tot.toFixed(2), 8)}${pad(o.auc.toFixed(4), 7)}`;
  const s = py?.[kind];
  if (s !== undefined && typeof s !== 'string') {
    const st = s.fit + s.predict;
    sumPy += st;
    line += `${pad(s.fit.toFixed(2), 9)}${pad(s.predict.toFixed(2), 9)}${pad(st.toFixed(2), 8)}${pad(s.auc.toFixed(4), 7)}${pad(`${(st / tot).toFixed(2)}×`, 9)}`;
  }
  console.log(line);
}
console.log(
  `all  ${pad(sumOurs.toFixed(2), 27)} s` +
    (py ? `${pad(sumPy.toFixed(2), 33)} s ${pad(`${(sumPy / sumOurs).toFixed(2)}×`, 8)}` : ''),
);
if (py)
  console.log(
    `(sklearn ${String(py.sklearn)}, ${values['py-threads']} thread(s); times in seconds; sk/ours > 1 means we are faster)`,
  );
