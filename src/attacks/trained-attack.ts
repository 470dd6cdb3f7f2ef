import { MiaError } from '../errors.js';
import { Rng } from '../rng.js';
import type { ClassifierKind } from './classifiers/classifier.js';
import {
  checkMaxTrainPerClass,
  scoreRows,
  subsampledLimits,
  type TrainedAttackProgress,
  trainedAttackClassifier,
} from './trained-attack-scale.js';

/** Options of {@link runTrainedAttack}. */
export interface TrainedAttackOptions {
  /** Seed of every random choice: the split, the training order, the classifier. */
  seed: number;
  /**
   * Fraction of each class's rows (of the smaller class's count when balanced) used to train the attack,
   * in (0, 1). Default 0.75: TF Privacy's `create_attacker_data(test_fraction=0.25)`.
   */
  trainFraction?: number;
  /** Train on equally many members and non-members (default true, TF Privacy's `balance=True`). */
  balance?: boolean;
  /**
   * Score every row by 2-fold cross-fitting, as current TF Privacy's `_run_trained_attack` does
   * (StratifiedKFold(2)): members and non-members are each split into two seeded halves; the attacker
   * trained on one half (balanced) scores the other, and vice versa. Default false (one held-out split).
   * `trainFraction` is then unused.
   */
  crossFit?: boolean;
  /** What the rows come from, for errors (e.g. the attack input's file). Default "the attack input". */
  where?: string;
  /**
   * At most this many members, and as many non-members, train each attacker (default +∞: no cap;
   * runOutputAttacks passes DEFAULT_MAX_TRAIN_PER_CLASS, 50,000). Above it an attacker trains on a seeded
   * subsample — the first rows of its class's seeded shuffle, so below the cap nothing changes — and rf
   * and knn take the cost limits of SUBSAMPLED_CLASSIFIER_OPTIONS; every row is still scored (rows the
   * held-out split would have trained on are then evaluated). The result's `subsample` says so.
   */
  maxTrainPerClass?: number | undefined;
  /** Called as each attacker starts and finishes training, and after each chunk of rows it scores. */
  onProgress?: ((progress: TrainedAttackProgress) => void) | undefined;
}

/** What {@link runTrainedAttack} returns. */
export interface TrainedAttackResult {
  /** Length n: the attack's probability that row i is a member where evaluated[i] = 1; NaN elsewhere. */
  scores: Float64Array;
  /** Length n: 1 for held-out rows (the ones metrics must use), 0 for rows the attack trained on. */
  evaluated: Uint8Array;
  split: {
    trainMembers: number;
    trainNonMembers: number;
    evalMembers: number;
    evalNonMembers: number;
    seed: number;
    trainFraction: number;
    balanced: boolean;
    /** 2 when cross-fitted (each count is then per attacker, and every row is evaluated once), else 1. */
    folds: number;
  };
  /** Present only when maxTrainPerClass was reached: the attackers trained on a seeded subsample. */
  subsample?: {
    maxTrainPerClass: number;
    /** Members and non-members the (first) attacker could have trained on without the cap. */
    availableMembers: number;
    availableNonMembers: number;
    /** The cost limits rf and knn took (SUBSAMPLED_CLASSIFIER_OPTIONS) in words; '' for lr and mlp. */
    limits: string;
  };
}

/** TF Privacy's test_fraction = 0.25 (membership_inference_attack/models.py, create_attacker_data). */
export const DEFAULT_TRAIN_FRACTION = 0.75;

/**
 * A trained membership-inference attack (TF Privacy's LOGISTIC_REGRESSION, MULTI_LAYERED_PERCEPTRON,
 * RANDOM_FOREST, K_NEAREST_NEIGHBORS attack types): a binary classifier learns member (1) vs non-member
 * (0) from per-row features on a held-out part of the rows and scores all the others.
 *
 * features: n×d row-major (the lead's feature construction: sorted probabilities, loss, label);
 * isMember: length n, 1 for members (the target model's training rows), 0 for non-members.
 *
 * Split, following TF Privacy's `create_attacker_data` (balance, then a stratified
 * `train_test_split(test_size=0.25, stratify=labels)`), seeded by `options.seed`:
 * - members and non-members are permuted separately (stratified);
 * - balanced (default): t = ⌊trainFraction · min(#members, #non-members)⌋ rows of EACH class train the
 *   attack; unbalanced: ⌊trainFraction · count⌋ rows of each class; each count clamped to [1, count−1]
 *   so both classes appear on both sides;
 * - every row not used for training is evaluated — including the larger class's surplus left out by
 *   balancing, as current TF Privacy scores its `left_out_indices` too.
 * Training rows are handed to the classifier in a seeded random order (so no classifier sees all
 * members first; KNN's tie rule by training index is then unbiased). Scores of training rows are NaN,
 * never a classifier's view of its own training data.
 *
 * TF Privacy grid-searches each classifier's hyper-parameters by 3-fold CV and (in current versions)
 * scores all rows by 2-fold cross-fitting; we fit one model with fixed defaults (see each classifier) —
 * several times cheaper, and the held-out split keeps the estimate honest. Same inputs and seed →
 * identical result.
 *
 * Throws MiaError: E_SHAPE_MISMATCH (lengths), E_NOT_FINITE (a feature), E_LABEL_RANGE (isMember not
 * 0/1), E_EMPTY (fewer than 2 members or non-members), E_ARGUMENT (trainFraction, maxTrainPerClass),
 * E_UNKNOWN_NAME (kind).
 */
export function runTrainedAttack(
  kind: ClassifierKind,
  features: Float64Array,
  n: number,
  d: number,
  isMember: Uint8Array,
  options: TrainedAttackOptions,
): TrainedAttackResult {
  const trainFraction = options.trainFraction ?? DEFAULT_TRAIN_FRACTION;
  const balanced = options.balance ?? true;
  const cap = options.maxTrainPerClass ?? Number.POSITIVE_INFINITY;
  checkMaxTrainPerClass(cap);
  checkFeatures(features, n, d, isMember);
  const where = options.where ?? 'the attack input';
  if (options.crossFit === true) {
    return crossFitted(
      kind,
      features,
      n,
      d,
      isMember,
      options.seed,
      balanced,
      where,
      cap,
      options.onProgress,
    );
  }
  const rng = new Rng(options.seed);
  const s = splitTrainedAttack(isMember, rng, trainFraction, balanced, where, cap);
  const classifier = trainedAttackClassifier(kind, s.uncapped !== undefined);

  const nTrain = s.trainRows.length;
  const xTrain = new Float64Array(nTrain * d);
  const yTrain = new Uint8Array(nTrain);
  for (let i = 0; i < nTrain; i++) {
    const r = s.trainRows[i]!;
    xTrain.set(features.subarray(r * d, r * d + d), i * d);
    yTrain[i] = isMember[r]!;
  }
  const progress = (step: TrainedAttackProgress['step'], scored: number) =>
    options.onProgress?.({ fold: 0, folds: 1, step, scored, toScore: s.evalRows.length, trainRows: nTrain });
  progress('fit', 0);
  classifier.fit(xTrain, nTrain, d, yTrain, rng.fork());
  progress('trained', 0);

  const p = scoreRows(classifier, features, d, s.evalRows, (done) => progress('scored', done));
  const scores = new Float64Array(n).fill(Number.NaN);
  for (let e = 0; e < p.length; e++) scores[s.evalRows[e]!] = p[e]!;
  const result: TrainedAttackResult = {
    scores,
    evaluated: s.evaluated,
    split: { ...s.counts, seed: options.seed, trainFraction, balanced, folds: 1 },
  };
  if (s.uncapped !== undefined) {
    result.subsample = {
      maxTrainPerClass: cap,
      availableMembers: s.uncapped.trainMembers,
      availableNonMembers: s.uncapped.trainNonMembers,
      limits: subsampledLimits(kind),
    };
  }
  return result;
}

/** See TrainedAttackOptions.crossFit. */
function crossFitted(
  kind: ClassifierKind,
  features: Float64Array,
  n: number,
  d: number,
  isMember: Uint8Array,
  seed: number,
  balanced: boolean,
  where: string,
  cap: number,
  onProgress: TrainedAttackOptions['onProgress'],
): TrainedAttackResult {
  const rng = new Rng(seed);
  // Reuses the split's validation and seeded shuffles; a 0.5 split gives the two halves of each class.
  const half = splitTrainedAttack(isMember, rng, 0.5, false, where);
  const fold = new Uint8Array(n);
  for (const r of half.trainRows) fold[r] = 1;
  const scores = new Float64Array(n).fill(Number.NaN);
  let perAttacker = { trainMembers: 0, trainNonMembers: 0 };
  let subsample: TrainedAttackResult['subsample'];
  for (const f of [0, 1]) {
    // train on fold 1 − f, score fold f
    const members: number[] = [];
    const nonMembers: number[] = [];
    for (let i = 0; i < n; i++) if (fold[i] !== f) (isMember[i] ? members : nonMembers).push(i);
    const am = balanced ? Math.min(members.length, nonMembers.length) : members.length;
    const an = balanced ? am : nonMembers.length;
    // The cap takes the first rows of each class's seeded shuffle: below it, the rows are those of before.
    const tm = Math.min(am, cap);
    const tn = Math.min(an, cap);
    const capped = tm < am || tn < an;
    if (capped && subsample === undefined) {
      subsample = {
        maxTrainPerClass: cap,
        availableMembers: am,
        availableNonMembers: an,
        limits: subsampledLimits(kind),
      };
    }
    const rows = rng.shuffle(
      Int32Array.from([...rng.shuffle(members).slice(0, tm), ...rng.shuffle(nonMembers).slice(0, tn)]),
    );
    const x = new Float64Array(rows.length * d);
    const y = new Uint8Array(rows.length);
    rows.forEach((r, i) => {
      x.set(features.subarray(r * d, r * d + d), i * d);
      y[i] = isMember[r]!;
    });
    const classifier = trainedAttackClassifier(kind, capped);
    const evalRows: number[] = [];
    for (let i = 0; i < n; i++) if (fold[i] === f) evalRows.push(i);
    const progress = (step: TrainedAttackProgress['step'], scored: number) =>
      onProgress?.({ fold: f, folds: 2, step, scored, toScore: evalRows.length, trainRows: rows.length });
    progress('fit', 0);
    classifier.fit(x, rows.length, d, y, rng.fork());
    progress('trained', 0);
    const p = scoreRows(classifier, features, d, evalRows, (done) => progress('scored', done));
    evalRows.forEach((r, e) => {
      scores[r] = p[e]!;
    });
    if (f === 0) perAttacker = { trainMembers: tm, trainNonMembers: tn };
  }
  let nm = 0;
  for (let i = 0; i < n; i++) nm += isMember[i]!;
  const result: TrainedAttackResult = {
    scores,
    evaluated: new Uint8Array(n).fill(1),
    split: {
      ...perAttacker,
      evalMembers: nm,
      evalNonMembers: n - nm,
      seed,
      trainFraction: 0.5,
      balanced,
      folds: 2,
    },
  };
  if (subsample !== undefined) result.subsample = subsample;
  return result;
}

/** The rows of a trained attack's split; see {@link splitTrainedAttack}. */
export interface TrainedAttackSplit {
  /** Rows the attack trains on, in the (seeded, shuffled) order the classifier receives them. */
  trainRows: Int32Array;
  /** Every other row, ascending. */
  evalRows: Int32Array;
  /** Length n: 1 for rows in evalRows, 0 for rows in trainRows. */
  evaluated: Uint8Array;
  counts: { trainMembers: number; trainNonMembers: number; evalMembers: number; evalNonMembers: number };
  /** Present only when maxTrainPerClass cut the training rows: the counts it would have trained on. */
  uncapped?: { trainMembers: number; trainNonMembers: number };
}

/**
 * The split of {@link runTrainedAttack}, drawing from `rng` (which runTrainedAttack then forks for the
 * classifier): members and non-members are shuffled separately; balanced, t = ⌊trainFraction ·
 * min(#members, #non-members)⌋ of each train; unbalanced, ⌊trainFraction · count⌋ of each; counts
 * clamped to [1, count − 1], then each to at most `maxTrainPerClass` (default +∞; the first rows of the
 * class's shuffle, the others are evaluated). Throws MiaError E_LABEL_RANGE (isMember not 0/1), E_EMPTY
 * (fewer than 2 of a class; `where` names the rows' source, default "the attack input"), E_ARGUMENT
 * (trainFraction not in (0, 1); maxTrainPerClass not a positive integer or +∞).
 */
export function splitTrainedAttack(
  isMember: Uint8Array,
  rng: Rng,
  trainFraction: number = DEFAULT_TRAIN_FRACTION,
  balanced = true,
  where = 'the attack input',
  maxTrainPerClass = Number.POSITIVE_INFINITY,
): TrainedAttackSplit {
  if (!(trainFraction > 0 && trainFraction < 1)) {
    throw new MiaError('E_ARGUMENT', 'trainFraction must be in (0, 1)', {
      where: 'trainFraction',
      expected: '0 < trainFraction < 1',
      found: String(trainFraction),
    });
  }
  const n = isMember.length;
  let nm = 0;
  for (let i = 0; i < n; i++) {
    if (isMember[i]! > 1) {
      throw new MiaError('E_LABEL_RANGE', `isMember[${i}] is not 0 or 1`, {
        where: 'isMember',
        expected: '0 or 1',
        found: String(isMember[i]),
      });
    }
    nm += isMember[i]!;
  }
  const nn = n - nm;
  if (nm < 2 || nn < 2) {
    throw new MiaError(
      'E_EMPTY',
      'a trained attack (lr, mlp, rf, knn) needs at least 2 members (the *_train rows) and 2 ' +
        'non-members (the *_test rows)',
      { where, found: `${nm} member${nm === 1 ? '' : 's'}, ${nn} non-member${nn === 1 ? '' : 's'}` },
    );
  }
  const members = new Int32Array(nm);
  const nonMembers = new Int32Array(nn);
  for (let i = 0, a = 0, b = 0; i < n; i++) {
    if (isMember[i] === 1) members[a++] = i;
    else nonMembers[b++] = i;
  }
  rng.shuffle(members);
  rng.shuffle(nonMembers);
  const clamp = (t: number, count: number) => Math.min(count - 1, Math.max(1, t));
  let trainM: number;
  let trainN: number;
  if (balanced) {
    const smaller = Math.min(nm, nn);
    trainM = clamp(Math.floor(trainFraction * smaller), smaller);
    trainN = trainM;
  } else {
    trainM = clamp(Math.floor(trainFraction * nm), nm);
    trainN = clamp(Math.floor(trainFraction * nn), nn);
  }
  const uncapped = { trainMembers: trainM, trainNonMembers: trainN };
  trainM = Math.min(trainM, maxTrainPerClass);
  trainN = Math.min(trainN, maxTrainPerClass);
  const trainRows = new Int32Array(trainM + trainN);
  trainRows.set(members.subarray(0, trainM), 0);
  trainRows.set(nonMembers.subarray(0, trainN), trainM);
  rng.shuffle(trainRows);
  const evaluated = new Uint8Array(n).fill(1);
  for (const r of trainRows) evaluated[r] = 0;
  const evalRows = new Int32Array(n - trainRows.length);
  for (let i = 0, e = 0; i < n; i++) if (evaluated[i] === 1) evalRows[e++] = i;
  const split: TrainedAttackSplit = {
    trainRows,
    evalRows,
    evaluated,
    counts: {
      trainMembers: trainM,
      trainNonMembers: trainN,
      evalMembers: nm - trainM,
      evalNonMembers: nn - trainN,
    },
  };
  if (trainM < uncapped.trainMembers || trainN < uncapped.trainNonMembers) split.uncapped = uncapped;
  return split;
}

function checkFeatures(features: Float64Array, n: number, d: number, isMember: Uint8Array): void {
  if (!Number.isInteger(n) || n < 0 || !Number.isInteger(d) || d < 1 || features.length !== n * d) {
    throw new MiaError('E_SHAPE_MISMATCH', 'features length is not n·d', {
      where: 'features',
      expected: `n·d = ${n}·${d}`,
      found: `length ${features.length}`,
    });
  }
  if (isMember.length !== n) {
    throw new MiaError('E_SHAPE_MISMATCH', 'isMember and features have different row counts', {
      where: 'isMember',
      expected: `length ${n}`,
      found: `length ${isMember.length}`,
    });
  }
  for (let i = 0; i < features.length; i++) {
    if (!Number.isFinite(features[i]!)) {
      throw new MiaError('E_NOT_FINITE', `feature ${i % d} of row ${Math.floor(i / d)} is not finite`, {
        where: 'features',
        expected: 'finite numbers',
        found: String(features[i]),
      });
    }
  }
}
