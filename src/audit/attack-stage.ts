/**
 * The attack stage of the audit: the models' signals become a Population (keep [M, N], signal
 * [M, N, A], population signal [M, Z, A]); each experiment takes one model as target and the others as
 * references (a leave-one-out view, nothing copied), runs every configured attack — one score per audit
 * sample, higher = member — and computes the metrics per slice with the same code as `mia attack`.
 *
 * Attacks: lira-online, lira-online-fixed-variance, lira-offline, lira-offline-fixed-variance,
 * lira-global (src/attacks/lira.ts, LiRA statistics computed once per experiment); rmia (offline, `a`
 * from the config or tuned with tuneRmiaA on the target's pair partner, the reference model trained on
 * the complementary half, as the paired model of Privacy Meter's tune_offline_a) and rmia-online
 * (src/attacks/rmia.ts); attack-r, attack-p (src/attacks/reference-baselines.ts); shadow (the
 * meta-classifier of src/attacks/shadow.ts trained on the reference models' outputs on the audit
 * samples, labelled by the keep matrix, scoring the target's outputs); loss (the loss threshold) and
 * every output attack of `mia attack` on the target's outputs (identity query).
 */
import {
  type FloatArray,
  leaveOneOut,
  makePopulation,
  type Population,
  type ReferenceView,
  withoutRow,
} from '../attacks/population.js';
import { memoTable, type ReferenceAttackJob } from '../attacks/reference-attack.js';
import { type AttackScores, findReferenceAttack, getOutputAttack } from '../attacks/registry.js';
import type { RmiaSignal } from '../attacks/rmia.js';
import { buildSlices } from '../metrics/slicing.js';
import type { PooledOutputs } from '../signals/attack-input.js';
import { type Exposure, exposeOutputs, exposureName } from '../signals/exposure.js';
import type { LabelQueryResults } from '../signals/label-queries.js';
import { type ModelOutputs, makeModelOutputs } from '../signals/model-outputs.js';
import { computeSignal } from '../signals/signals.js';
import type { AuditSignal, ReferenceAudit } from './config.js';
import type { AuditData, ModelSignals } from './model-stage.js';
import { type AttackResult, resultForSlice } from './run-attacks.js';
import { deriveSeed } from './seeds.js';

/**
 * A result of the audit: `mia attack`'s schema, plus the experiment and target model when a run has
 * several, and the output exposure when the run sweeps them (audit.exposure).
 */
export type AuditResult = AttackResult & { experiment?: string; model?: string; exposure?: string };

/** Below this many reference models, the per-example LiRA variants get a note recommending fixed variance. */
export const LIRA_PER_EXAMPLE_MIN = 16;

/** Everything the experiments read. */
export interface AttackStageInput {
  pop: Population;
  /** Model ids by row. */
  ids: string[];
  /** Each model's outputs on the audit samples (identity query), by row; computed on first use. */
  outputs(row: number): ModelOutputs;
  labels: Int32Array;
  /** The exposure the outputs and signals were transformed to (signals/exposure.ts). */
  exposure: Exposure;
  /** Each model's labels on the perturbed queries of the query-based label-only attacks, by row. */
  labelQueries(row: number): LabelQueryResults | undefined;
}

const PROBS: Exposure = { kind: 'probs' };

/**
 * Builds the Population from the models' logits: signal[m, i, a] is the scaled logit φ (or the
 * true-class probability for signal 'confidence') of model m on audit sample i under query a, computed
 * from what output exposure `exposure` shows (default probs: the full outputs; signals/exposure.ts);
 * popSignal likewise on the population samples.
 */
export function buildAttackInput(
  models: readonly ModelSignals[],
  keep: Uint8Array,
  data: AuditData,
  signal: AuditSignal,
  queries: number,
  exposure: Exposure = PROBS,
): AttackStageInput {
  const m = models.length;
  const n = data.audit.n;
  const c = data.audit.numClasses;
  const z = data.population?.n ?? 0;
  const sig = new Float64Array(m * n * queries);
  const popSig = z > 0 ? new Float64Array(m * z * queries) : undefined;
  const name = signal === 'confidence' ? 'confidence' : 'scaled-logit';
  const fill = (logits: Float32Array, count: number, labels: Int32Array, out: Float64Array, base: number) => {
    for (let q = 0; q < queries; q++) {
      const o = makeModelOutputs(
        { logits: logits.subarray(q * count * c, (q + 1) * count * c), labels, numClasses: c, n: count },
        'signals',
      );
      const s = computeSignal(exposeOutputs(o, exposure), name);
      for (let i = 0; i < count; i++) out[base + i * queries + q] = s[i]!;
    }
  };
  models.forEach((ms, row) => {
    fill(ms.logits, n, data.audit.y, sig, row * n * queries);
    if (popSig !== undefined) fill(ms.popLogits, z, data.population!.y, popSig, row * z * queries);
  });
  const pop = makePopulation(
    {
      models: m,
      samples: n,
      queries,
      keep,
      signal: sig,
      ...(popSig !== undefined ? { popSamples: z, popQueries: queries, popSignal: popSig } : {}),
    },
    'audit population',
  );
  const cache = new Map<number, ModelOutputs>();
  return {
    pop,
    ids: models.map((x) => x.plan.id),
    labels: data.audit.y,
    exposure,
    labelQueries: (row) => models[row]!.labelQueries,
    outputs(row) {
      let o = cache.get(row);
      if (o === undefined) {
        o = exposeOutputs(
          makeModelOutputs(
            { logits: models[row]!.logits.subarray(0, n * c), labels: data.audit.y, numClasses: c, n },
            `model ${models[row]!.plan.id}`,
          ),
          exposure,
        );
        cache.set(row, o);
      }
      return o;
    },
  };
}

/** One experiment's outcome. */
export interface ExperimentOutcome {
  experiment: number;
  targetRow: number;
  targetId: string;
  scores: AttackScores[];
  results: AuditResult[];
  /** The target's keep row: 1 = member. */
  isMember: Uint8Array;
  /** One line per notable choice (the tuned RMIA a, …). */
  notes: string[];
  /** Seconds per attack, in order. */
  seconds: { attack: string; seconds: number }[];
}

/**
 * Runs experiment `e` with model row `targetRow` as the target (see the file header) on the outputs of
 * `input.exposure`; attacks that cannot run on that exposure ({@link attackFitsExposure}) are skipped
 * with a note. Results carry `experiment` and `model` keys when `tagResults` is true (several
 * experiments in one run), and `exposure` when `tagExposure` is true (audit.exposure).
 */
export function runExperiment(
  input: AttackStageInput,
  config: ReferenceAudit,
  e: number,
  targetRow: number,
  tagResults: boolean,
  tagExposure = false,
): ExperimentOutcome {
  const { pop } = input;
  const audit = config.audit;
  const seed = deriveSeed(config.run.seed, `attacks:${e}`);
  const lo = pop.models > 1 ? leaveOneOut(pop, targetRow) : undefined;
  const target: FloatArray = lo?.target ?? pop.signal;
  const isMember = pop.keep.subarray(targetRow * pop.samples, (targetRow + 1) * pop.samples);
  const tOut = input.outputs(targetRow);
  let nm = 0;
  for (let i = 0; i < isMember.length; i++) nm += isMember[i]!;
  const pooled: PooledOutputs = { ...tOut, isMember, nMembers: nm, nNonMembers: isMember.length - nm };
  const rmiaSignal: RmiaSignal = audit.signal === 'confidence' ? 'probability' : 'scaled-logit';
  const notes: string[] = [];
  const seconds: { attack: string; seconds: number }[] = [];
  const scores: AttackScores[] = [];
  const allRefs = () => {
    if (lo === undefined)
      throw new Error('unreachable: reference attacks without references (config checks this)');
    return lo.references;
  };
  // The references the attacks score with: all but the target's pair partner when its keep row is the
  // complement of the target's. That model is OUT on exactly the target's members and IN on exactly its
  // non-members, so with few references its own quirks (a model that is more confident overall) become
  // a membership signal of either sign — LiRA's AUC fell to 0.33 on a model with none to find. Without
  // it the remaining pairs leave every sample IN for exactly half of the references.
  let balanced: ReferenceView | undefined;
  const refs = (): ReferenceView => {
    if (balanced !== undefined) return balanced;
    const all = allRefs();
    const partner = complementPartner(pop, targetRow, all);
    balanced = partner !== undefined && all.rows.length >= 3 ? withoutRow(all, partner) : all;
    if (balanced !== all) {
      notes.push(
        `references: ${input.ids[partner!]} (trained on the complement of ${input.ids[targetRow]}'s half) is left ` +
          `out of the reference attacks, which use the other ${balanced.rows.length} reference models`,
      );
    }
    return balanced;
  };
  const popLen = pop.popSamples * pop.popQueries;
  const job: ReferenceAttackJob = {
    population: pop,
    target,
    targetPop: pop.popSignal?.subarray(targetRow * popLen, (targetRow + 1) * popLen),
    references: refs,
    // the target's pair partner (trained on the complementary half) plays the target when tuning, as
    // in Privacy Meter's tune_offline_a; any other reference when the partner is not one
    tuning: () => {
      const all = allRefs();
      const partner = targetRow ^ 1;
      return { view: all, pairedRow: all.rows.includes(partner) ? partner : all.rows[0]! };
    },
    modelName: (row) => input.ids[row]!,
    outputs: (row) => input.outputs(row),
    targetOutputs: tOut,
    options: {
      seed,
      rmiaGamma: audit.rmia.gamma,
      rmiaSignal,
      shadowHiddenLayers: audit.shadow.hiddenLayers,
      liraPerExampleMin: LIRA_PER_EXAMPLE_MIN,
      ...(audit.rmia.a !== undefined ? { rmiaA: audit.rmia.a } : {}),
    },
    memo: memoTable(),
    notes,
  };
  const expo = exposureName(input.exposure);
  // the query-based label-only attacks ask the model for labels whatever the API returns: they run once,
  // on the label exposure when it is swept, else on the first one
  const exposures = audit.exposure ?? ['probs'];
  const queryHome = exposures.includes('label') ? 'label' : exposures[0]!;
  const labelQueries = input.labelQueries(targetRow);
  for (const name of audit.attacks) {
    if (
      findReferenceAttack(name) === undefined &&
      name !== 'loss' &&
      getOutputAttack(name).queries !== undefined
    ) {
      if (expo !== queryHome) {
        // said once, on the first exposure
        if (expo === exposures[0])
          notes.push(`${name} runs once, on exposure ${queryHome}: it queries the model for labels alone`);
        continue;
      }
    } else if (!attackFitsExposure(name, input.exposure)) {
      notes.push(
        `${name} skipped on exposure ${expo}: it needs probabilities, the exposure shows only the label`,
      );
      continue;
    }
    const t0 = performance.now();
    const reference = findReferenceAttack(name);
    let s: AttackScores;
    if (reference !== undefined) {
      const out = reference.run(job);
      s = {
        attack: name,
        signal: out.signal ?? audit.signal,
        scores: out.scores,
        ...(out.note !== undefined ? { note: out.note } : {}),
      };
    } else {
      const out = getOutputAttack(name === 'loss' ? 'threshold' : name).run(pooled, { seed, labelQueries });
      s = name === 'loss' ? { ...out, attack: 'loss' } : out;
    }
    seconds.push({ attack: name, seconds: (performance.now() - t0) / 1000 });
    scores.push(s);
  }
  const slices = buildSlices(pooled, audit.slices);
  const results: AuditResult[] = [];
  for (const s of scores) {
    for (const slice of slices) {
      const r = resultForSlice(s, slice.spec, slice.mask, isMember, audit.fprTargets);
      if (r === undefined) continue;
      const tagged: AuditResult = tagResults
        ? { ...r, experiment: String(e), model: input.ids[targetRow]! }
        : r;
      results.push(tagExposure ? { ...tagged, exposure: expo } : tagged);
    }
  }
  return {
    experiment: e,
    targetRow,
    targetId: input.ids[targetRow]!,
    scores,
    results,
    isMember,
    notes,
    seconds,
  };
}

/**
 * True when attack `name` (an audit attack name) can run on the outputs of exposure `e`: every attack
 * on probs, top-k and round-d outputs; only the label-only attacks (registry `needs: 'labels'`) on the
 * label exposure.
 */
export function attackFitsExposure(name: string, e: Exposure): boolean {
  if (e.kind !== 'label') return true;
  if (findReferenceAttack(name) !== undefined || name === 'loss') return false;
  return getOutputAttack(name).needs === 'labels';
}

/**
 * The reference row whose keep row is the exact complement of the target's (the pipeline pairs models
 * 2p and 2p+1 so: row targetRow ^ 1), or undefined when there is none among `refs`.
 */
function complementPartner(pop: Population, targetRow: number, refs: ReferenceView): number | undefined {
  const partner = targetRow ^ 1;
  if (!refs.rows.includes(partner)) return undefined;
  const n = pop.samples;
  const t = targetRow * n;
  const p = partner * n;
  for (let i = 0; i < n; i++) if (pop.keep[t + i] === pop.keep[p + i]) return undefined;
  return partner;
}
