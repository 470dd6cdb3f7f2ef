import { type AttackScores, checkAttackFits, getOutputAttack } from '../attacks/registry.js';
import { DEFAULT_MAX_TRAIN_PER_CLASS } from '../attacks/trained-attack-scale.js';
import { type Logger, silentLogger } from '../core/logger.js';
import type { EpsilonOperatingPoint } from '../metrics/epsilon.js';
import { buildSlices, type CustomSlice, type SliceFamily, type SliceSpec } from '../metrics/slicing.js';
import { DEFAULT_FPR_TARGETS, summarize } from '../metrics/summary.js';
import type { TprAtFprResult } from '../metrics/tpr-at-fpr.js';
import { type AttackInput, type PooledOutputs, poolAttackInput } from '../signals/attack-input.js';
import type { LabelQueryResults } from '../signals/label-queries.js';
import { attackProgress, DEFAULT_PROGRESS_EVERY_SECONDS } from './attack-progress.js';

/** The FPR targets every result reports TPR at (metrics/summary.ts's). */
export { DEFAULT_FPR_TARGETS };

/**
 * TPR at one FPR target, with its Clopper–Pearson 95% interval, the operating point it was read at
 * (threshold, realised FPR, counts) and the precision there: metrics/tpr-at-fpr.ts's result, copied key by
 * key below so results.json keeps its key order.
 */
export type TprAtFprEntry = TprAtFprResult;

/** The ε bound of one attack (metrics/epsilon.ts), with the operating point of its lower end. */
export interface EpsilonEntry {
  estimate: number;
  low: number;
  high: number;
  thresholdsTried: number;
  at?: EpsilonOperatingPoint;
}

/**
 * One attack on one slice — the JSON schema of `mia attack --json` (`results[]`). Keys in this order.
 * `epsilonLowerBound` is the ε that the attack proves with 95% confidence (Clopper–Pearson, Bonferroni
 * over every threshold tried); `epsilon` gives the point estimate and its interval.
 */
export interface AttackResult {
  attack: string;
  signal: string;
  slice: SliceSpec;
  nMembers: number;
  nNonMembers: number;
  auc: number;
  /** DeLong's 95% interval on the AUC (metrics/auc-interval.ts). */
  aucInterval: { low: number; high: number; se: number; method: 'DeLong' | 'Birnbaum–Klose' };
  advantage: number;
  /** TF Privacy's get_ppv, the best precision over all thresholds — not a leakage measure. */
  ppvMaxOverThresholds: number;
  tprAtFpr: Record<string, TprAtFprEntry>;
  /** This attack's ε lower bound at 95% — not corrected for the other attacks of the run. */
  epsilonLowerBound: number;
  epsilon: EpsilonEntry;
  /** How a trained attack split its data (absent for threshold attacks). */
  note?: string;
}

export interface RunAttacksOptions {
  attacks: readonly string[];
  slices: readonly SliceFamily[];
  customSlices?: readonly CustomSlice[];
  seed: number;
  fprTargets?: readonly number[];
  /** Called after each attack has scored all samples (for progress output). */
  onAttack?: (name: string, seconds: number) => void;
  /**
   * Where progress goes (default silentLogger): "attack 7/9 rf: started", then for a trained attack at
   * most every `progressEverySeconds` a line with the share done and the ETA, then "attack 7/9 rf: done
   * in 31 s" once its metrics are computed too. See attack-progress.ts.
   */
  logger?: Logger;
  /** Seconds between a long attack's progress lines (default 10; 0 reports every step). */
  progressEverySeconds?: number;
  /**
   * The trained attacks (lr, mlp, rf, knn) train each attacker on at most this many members and as many
   * non-members, a seeded subsample above it (default DEFAULT_MAX_TRAIN_PER_CLASS, 50,000; Infinity for
   * no cap). Every sample is still scored; the attack's note says how many trained it.
   */
  maxTrainPerClass?: number;
  /** The model's labels on perturbed queries of the pooled samples (members first), for label-augment, label-noise, label-boundary. */
  labelQueries?: LabelQueryResults;
}

export interface RunAttacksOutput {
  results: AttackResult[];
  /** Each attack's scores over the pooled samples (members first). */
  scores: AttackScores[];
  pooled: PooledOutputs;
}

/**
 * Runs each attack once on all samples, then computes the metrics on every slice. Slices that leave
 * no member or no non-member (among the samples an attack could evaluate) are skipped.
 * Trained attacks are trained once on the whole input (features include the label) rather than once
 * per slice as TF Privacy does: every slice is then scored by the same attacker. Each of their
 * attackers trains on at most `maxTrainPerClass` members and as many non-members (50,000 by default,
 * a seeded subsample above it) and every sample is scored; see TrainedAttackOptions.maxTrainPerClass.
 */
export function runOutputAttacks(input: AttackInput, options: RunAttacksOptions): RunAttacksOutput {
  const pooled = poolAttackInput(input);
  const slices = buildSlices(pooled, options.slices, options.customSlices);
  const attacks = options.attacks.map(getOutputAttack);
  for (const a of attacks) checkAttackFits(a, pooled, 'attack input');
  const results: AttackResult[] = [];
  const allScores: AttackScores[] = [];
  const logger = options.logger ?? silentLogger;
  const every = options.progressEverySeconds ?? DEFAULT_PROGRESS_EVERY_SECONDS;
  const seconds = () => performance.now() / 1000;
  for (const [i, attack] of attacks.entries()) {
    const progress = attackProgress(logger, attack.name, i + 1, attacks.length, every, seconds);
    progress.start();
    const t0 = performance.now();
    const s = attack.run(pooled, {
      seed: options.seed,
      maxTrainPerClass: options.maxTrainPerClass ?? DEFAULT_MAX_TRAIN_PER_CLASS,
      onProgress: progress.step,
      labelQueries: options.labelQueries,
    });
    options.onAttack?.(attack.name, (performance.now() - t0) / 1000);
    allScores.push(s);
    for (const slice of slices) {
      const r = resultForSlice(
        s,
        slice.spec,
        slice.mask,
        pooled.isMember,
        options.fprTargets ?? DEFAULT_FPR_TARGETS,
      );
      if (r !== undefined) results.push(r);
    }
    progress.done();
  }
  return { results, scores: allScores, pooled };
}

/**
 * Metrics of one attack's scores restricted to `mask` (and to the attack's evaluated samples).
 * Returns undefined when the restriction has no member or no non-member.
 */
export function resultForSlice(
  s: AttackScores,
  spec: SliceSpec,
  mask: Uint8Array,
  isMember: Uint8Array,
  fprTargets: readonly number[],
): AttackResult | undefined {
  let count = 0;
  let nm = 0;
  for (let i = 0; i < mask.length; i++) {
    if (mask[i] && (s.evaluated === undefined || s.evaluated[i])) {
      count++;
      nm += isMember[i]!;
    }
  }
  if (nm === 0 || nm === count) return undefined;
  const scores = new Float64Array(count);
  const truth = new Uint8Array(count);
  let j = 0;
  for (let i = 0; i < mask.length; i++) {
    if (mask[i] && (s.evaluated === undefined || s.evaluated[i])) {
      scores[j] = s.scores[i]!;
      truth[j++] = isMember[i]!;
    }
  }
  const m = summarize(scores, truth, { fprTargets: [...fprTargets] });
  const tprAtFpr: Record<string, TprAtFprEntry> = {};
  for (const t of fprTargets) {
    const e = m.tprAtFpr[String(t)]!;
    tprAtFpr[String(t)] = {
      tpr: e.tpr,
      low: e.low,
      high: e.high,
      fpr: e.fpr,
      threshold: e.threshold,
      falsePositives: e.falsePositives,
      truePositives: e.truePositives,
      precision: e.precision,
      precisionLow: e.precisionLow,
      precisionHigh: e.precisionHigh,
      lowSupport: e.lowSupport,
    };
  }
  const eps = m.epsilonLowerBound;
  const r: AttackResult = {
    attack: s.attack,
    signal: s.signal,
    slice: spec,
    nMembers: m.nMembers,
    nNonMembers: m.nNonMembers,
    auc: m.auc,
    aucInterval: {
      low: m.aucInterval.low,
      high: m.aucInterval.high,
      se: m.aucInterval.se,
      method: m.aucInterval.method,
    },
    advantage: m.advantage,
    ppvMaxOverThresholds: m.ppvMaxOverThresholds,
    tprAtFpr,
    epsilonLowerBound: eps.low,
    epsilon: {
      estimate: eps.epsilon,
      low: eps.low,
      high: eps.high,
      thresholdsTried: eps.thresholdsTried,
      ...(eps.at !== undefined ? { at: eps.at } : {}),
    },
  };
  if (s.note !== undefined) r.note = s.note;
  return r;
}
