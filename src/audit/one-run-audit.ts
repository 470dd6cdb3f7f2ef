/**
 * The one-run DP audit of the target in reference mode (audit.one_run; Steinke, Nasr & Jagielski 2023):
 *
 * 1. before training, m canaries are drawn among the N audit samples (a seeded choice), and each one's
 *    membership of the target (keep row 0) is redrawn independently with probability ½ — the design the
 *    bound needs (the paired keep matrix gives exactly N/2 members, which is not independent). The
 *    reference models' rows are not touched, so every sample keeps its IN and OUT references (the
 *    target's partner, row 1, is left out of the references' scoring anyway: attack-stage.ts);
 * 2. `mislabelled` canaries get a seeded wrong label in the audit data, for every model (Privacy Meter's
 *    dpaudit canaries): an outlier is easier to detect, so the bound is tighter;
 * 3. after the attacks, the canaries' membership scores from one attack (rmia, else a LiRA, else loss,
 *    else the run's first attack: ONE_RUN_SCORE_PREFERENCE) go to metrics/one-run.ts, whose bound over
 *    the sweep of k holds at confidence 1 − β.
 */
import type { AttackScores } from '../attacks/registry.js';
import type { Logger } from '../core/logger.js';
import { type OneRunResult, oneRunAudit } from '../metrics/one-run.js';
import { Rng } from '../rng.js';
import type { ReferenceAudit } from './config.js';
import type { OneRunConfig } from './config-one-run.js';
import type { AuditData } from './model-stage.js';
import { hashSamples } from './model-stage.js';
import type { DpClaimJson, OneRunJson } from './run-format/index.js';
import { deriveSeed } from './seeds.js';

/** The attack whose scores the one-run audit uses: the first of these the run has, else its first. */
export const ONE_RUN_SCORE_PREFERENCE: readonly string[] = [
  'rmia',
  'rmia-online',
  'lira-online',
  'lira-offline',
  'lira-online-fixed-variance',
  'lira-offline-fixed-variance',
  'loss',
];

/**
 * δ of the one-run bound: 1e-5, the accountant's default δ (for n ≤ 10⁵ training samples δ < 1/n).
 */
export const ONE_RUN_DELTA = 1e-5;

/** The canaries as drawn: audit-sample indices (ascending) and whether each trains the target. */
export interface OneRunCanaries {
  rows: Int32Array;
  included: Uint8Array;
}

/** m of the n audit samples (the first m of a seeded permutation, ascending), each included w.p. ½. */
export function drawCanaries(m: number, n: number, seed: number): OneRunCanaries {
  const rng = new Rng(seed);
  const rows = rng.fork().permutation(n).slice(0, m).sort();
  const coin = rng.fork();
  const included = new Uint8Array(m);
  for (let j = 0; j < m; j++) included[j] = coin.next() < 0.5 ? 1 : 0;
  return { rows, included };
}

/** Writes the canaries' inclusion into keep row 0 (the target) of the keep matrix [M, n]; in place. */
export function applyCanaries(keep: Uint8Array, canaries: OneRunCanaries): void {
  for (let j = 0; j < canaries.rows.length; j++) keep[canaries.rows[j]!] = canaries.included[j]!;
}

/**
 * The audit data with each canary's label replaced by a seeded wrong one (uniform over the other
 * classes), and its data key recomputed so no model trained on the true labels is reused. The input is
 * not modified. Needs at least 2 classes.
 */
export function mislabelCanaries(data: AuditData, canaries: OneRunCanaries, seed: number): AuditData {
  const c = data.audit.numClasses;
  const y = Int32Array.from(data.audit.y);
  const rng = new Rng(seed);
  for (const i of canaries.rows) y[i] = (y[i]! + 1 + rng.int(c - 1)) % c;
  const audit = { ...data.audit, y };
  return { ...data, audit, dataKey: hashSamples(audit, data.population) };
}

/** The attack of `scores` the one-run audit reads (ONE_RUN_SCORE_PREFERENCE). */
export function oneRunScores(scores: readonly AttackScores[]): AttackScores | undefined {
  for (const name of ONE_RUN_SCORE_PREFERENCE) {
    const s = scores.find((x) => x.attack === name);
    if (s !== undefined) return s;
  }
  return scores[0];
}

/**
 * The one-run bound of the target from its attacks' scores over the N audit samples, the canaries'
 * membership being the target's keep row at their indices; canaries an attack did not score are left
 * out (m is then the scored ones). Returns results.json's `oneRun` record and the 'one-run' DP claim.
 */
export function oneRunOfTarget(
  scores: readonly AttackScores[],
  isMember: Uint8Array,
  canaries: OneRunCanaries,
  cfg: OneRunConfig,
  delta: number,
): { record: OneRunJson; claim: DpClaimJson } | undefined {
  const s = oneRunScores(scores);
  if (s === undefined) return undefined;
  const rows = [...canaries.rows].filter((i) => s.evaluated === undefined || s.evaluated[i] === 1);
  const sc = Float64Array.from(rows, (i) => s.scores[i]!);
  const member = Uint8Array.from(rows, (i) => isMember[i]!);
  const guesses = cfg.guesses.filter((k) => 2 * k <= rows.length);
  if (guesses.length === 0) return undefined;
  const r: OneRunResult = oneRunAudit(sc, member, { guesses, delta, beta: cfg.beta });
  const record: OneRunJson = {
    attack: s.attack,
    kind: cfg.kind,
    canaries: r.canaries,
    members: r.members,
    epsilon: r.epsilon,
    pureEpsilon: r.pureEpsilon,
    delta,
    beta: cfg.beta,
    k: r.k,
    sweep: r.sweep,
  };
  const claim: DpClaimJson = {
    method: 'one-run',
    epsilon: r.epsilon,
    delta,
    confidence: 1 - cfg.beta,
    attack: s.attack,
    attacksCorrected: 1,
    thresholdsCorrected: guesses.length,
  };
  return { record, claim };
}

/**
 * Steps 1 and 2 of the file header for a reference audit with audit.one_run: draws the canaries,
 * writes their inclusion into keep row 0 (in place) and returns the audit data the models train on
 * (mislabelled canaries relabelled). Without audit.one_run: no canaries and the data as given.
 */
export function prepareOneRun(
  cfg: ReferenceAudit,
  data: AuditData,
  keep: Uint8Array,
  log: Logger,
): { canaries: OneRunCanaries | undefined; data: AuditData } {
  const oneRun = cfg.audit.oneRun;
  if (oneRun === undefined) return { canaries: undefined, data };
  const canaries = drawCanaries(oneRun.canaries, data.audit.n, deriveSeed(cfg.run.seed, 'one-run'));
  applyCanaries(keep, canaries);
  const members = canaries.included.reduce((a, b) => a + b, 0);
  log.info(
    `one-run audit: ${oneRun.canaries} ${oneRun.kind} canaries among the audit samples, ${members} of them ` +
      'drawn into the target (each independently with probability 1/2)',
  );
  return {
    canaries,
    data:
      oneRun.kind === 'mislabelled'
        ? mislabelCanaries(data, canaries, deriveSeed(cfg.run.seed, 'one-run-labels'))
        : data,
  };
}

/**
 * oneRunOfTarget with its log line (the run's target, experiment 0); `model` (the target's id, when the
 * run has several targets) goes into the claim, so the report sets it against that model's ε only.
 */
export function logOneRun(
  out: { scores: readonly AttackScores[]; isMember: Uint8Array },
  canaries: OneRunCanaries,
  cfg: OneRunConfig,
  delta: number,
  log: Logger,
  model?: string,
): ReturnType<typeof oneRunOfTarget> {
  const res = oneRunOfTarget(out.scores, out.isMember, canaries, cfg, delta);
  if (res !== undefined && model !== undefined) res.claim.model = model;
  if (res !== undefined) {
    const o = res.record;
    log.info(
      `one-run audit (${o.attack} scores, ${o.canaries} canaries): ε ≥ ${o.epsilon.toFixed(3)} at δ = ${o.delta} ` +
        `with ${Math.round((1 - o.beta) * 100)}% confidence (best k = ${o.k}; pure DP: ε ≥ ${o.pureEpsilon.toFixed(3)})`,
    );
  } else {
    log.info(`one-run audit: no attack scored enough canaries for the smallest k of audit.one_run.guesses`);
  }
  return res;
}
