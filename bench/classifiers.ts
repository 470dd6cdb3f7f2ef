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
  c0 = time.process_time(); t0 = time.perf_counter(); m.fit(Xtr, ytr); t1 = time.perf_counter()
  p = m.predict_proba(Xev)[:, 1]; t2 = time.perf_counter(); c2 = time.process_time()
  out[k] = {'fit': t1 - t0, 'predict': t2 - t1, 'cpu': c2 - c0, 'auc': float(roc_auc_score(yev, p))}
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

interface Timing {
  fit: number;
  predict: number;
  cpu: number;
  auc: number;
}
const ours: Record<string, Timing> = {};
for (const kind of kinds) {
  const clf = createClassifier(kind);
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  clf.fit(tr.gx, train.length, d, tr.gy, new Rng(clfSeed));
  const t1 = performance.now();
  const p = clf.predictProba(te.gx, ev.length, d);
  const t2 = performance.now();
  const c = process.cpuUsage(c0);
  const o = {
    fit: (t1 - t0) / 1000,
    predict: (t2 - t1) / 1000,
    cpu: (c.user + c.system) / 1e6,
    auc: auc(p, te.gy),
  };
  ours[kind] = o;
  console.log(`  ours ${kind}: fit ${o.fit.toFixed(2)} s, predict ${o.predict.toFixed(2)} s`);
}

let py: Record<string, Timing | string> | undefined;
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

// Wall-clock seconds (fit, predict, total), CPU seconds of the fit+predict, held-out AUC; ratios
// sklearn/ours of wall and of CPU time (CPU is the steadier on a shared machine).
const f2 = (v: number, w: number) => v.toFixed(2).padStart(w);
const cols = (t: Timing) =>
  `${f2(t.fit, 8)}${f2(t.predict, 8)}${f2(t.fit + t.predict, 8)}${f2(t.cpu, 8)}${t.auc.toFixed(4).padStart(8)}`;
const head = `${'fit'.padStart(8)}${'predict'.padStart(8)}${'total'.padStart(8)}${'cpu'.padStart(8)}${'AUC'.padStart(8)}`;
console.log(`\n${''.padEnd(5)}${'ours'.padEnd(40)}${py ? `${'sklearn'.padEnd(40)}sklearn/ours` : ''}`);
console.log(`${'kind'.padEnd(5)}${head}${py ? `${head}${'wall'.padStart(8)}${'cpu'.padStart(8)}` : ''}`);
const sum: Timing = { fit: 0, predict: 0, cpu: 0, auc: Number.NaN };
const sumPy: Timing = { fit: 0, predict: 0, cpu: 0, auc: Number.NaN };
const ratios = (a: Timing, b: Timing) =>
  `${`${((b.fit + b.predict) / (a.fit + a.predict)).toFixed(2)}×`.padStart(8)}${`${(b.cpu / a.cpu).toFixed(2)}×`.padStart(8)}`;
for (const kind of kinds) {
  const o = ours[kind]!;
  sum.fit += o.fit;
  sum.predict += o.predict;
  sum.cpu += o.cpu;
  let line = `${kind.padEnd(5)}${cols(o)}`;
  const s = py?.[kind];
  if (s !== undefined && typeof s !== 'string') {
    sumPy.fit += s.fit;
    sumPy.predict += s.predict;
    sumPy.cpu += s.cpu;
    line += `${cols(s)}${ratios(o, s)}`;
  }
  console.log(line);
}
const noAuc = (t: Timing) => cols(t).slice(0, -8) + ''.padStart(8);
console.log(`${'all'.padEnd(5)}${noAuc(sum)}${py ? `${noAuc(sumPy)}${ratios(sum, sumPy)}` : ''}`);
if (py) {
  console.log(
    `(sklearn ${String(py.sklearn)}, ${values['py-threads']} thread(s); seconds; ratio > 1 means we are faster)`,
  );
}
