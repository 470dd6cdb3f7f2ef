/**
 * The scoring half of `mia attack --reference <reference.npz | LiRA experiment folder>`: reads the
 * reference signals, runs the requested reference-model attacks and returns one score per audit sample
 * per attack (higher = member); `mia attack` (src/cli/attack.ts) turns them into the metrics table.
 * It sits in audit/ because it is orchestration over attacks/ (reading, choosing, writing the scores),
 * not command-line handling.
 *
 * Attack names: lira-online, lira-online-fixed-variance, lira-offline, lira-offline-fixed-variance,
 * lira-global (src/attacks/lira.ts), rmia (offline) and rmia-online (src/attacks/rmia.ts), attack-r and
 * attack-p (src/attacks/reference-baselines.ts).
 */

import { join } from 'node:path';
import { memoTable, type ReferenceAttackJob } from '../attacks/reference-attack.js';
import { type ReferenceData, readReference } from '../attacks/reference-input.js';
import { findReferenceAttack, outputAttackNames, referenceAttacks } from '../attacks/registry.js';
import { MiaError } from '../errors.js';
import { npyArray } from '../io/npy.js';
import { writeNpz } from '../io/npz.js';

/**
 * Every attack name runReferenceAttacks accepts, in the order they are listed in help texts: the
 * registry's reference attacks that need no model outputs beyond the signals (all but shadow).
 */
export const REFERENCE_ATTACKS: readonly string[] = referenceAttacks()
  .filter((a) => !a.needs.outputs)
  .map((a) => a.name);

/**
 * The attacks run when none are named: those of this list that the input supports (rmia needs
 * population signals, which LiRA folders and a reference.npz without pop_scores lack).
 */
export const DEFAULT_REFERENCE_ATTACKS: readonly string[] = [
  'lira-online',
  'lira-offline',
  'lira-global',
  'rmia',
];

export interface ReferenceAttackOptions {
  /** reference.npz, or a LiRA experiment folder. */
  referencePath: string;
  /**
   * Attack names (see {@link REFERENCE_ATTACKS}); each at most once. Omitted: the ones of
   * {@link DEFAULT_REFERENCE_ATTACKS} the input supports, with a note naming any left out and why.
   */
  attacks?: string[];
  /** Offline RMIA coefficient a ∈ [0, 1]; tuned on a paired reference model when omitted. */
  rmiaA?: number;
  /** RMIA γ > 0; default 1. */
  rmiaGamma?: number;
  /** Writes the scores here as .npz (one float64 [N] array per attack, keyed by its name), atomically. */
  scoresOut?: string;
  /** Accepted for the common attack interface; the attacks here are deterministic and do not use it. */
  seed: number;
  /** LiRA experiment folders only: the target model's index in folder-name order (default 0). */
  targetIndex?: number;
  /**
   * Check the truth right after reading, before any attack runs: 'required' — it must be present
   * (target_member, or a folder's target keep row) and hold both members and non-members; 'if-given' —
   * when present it must hold both. Default: no check (scores only).
   */
  truth?: 'required' | 'if-given';
}

export interface ReferenceAttackOutput {
  /** One Float64Array [N] per attack, in the order requested; higher = member. */
  scores: Map<string, Float64Array>;
  /** The truth [N] when known (target_member, or the target's keep row for a folder). */
  isMember?: Uint8Array;
  /** The offline RMIA a used (given or tuned), when rmia ran. */
  rmiaA?: number;
  /** One line per notable choice (tuned a, fallbacks), for the CLI to print. */
  notes: string[];
  /** What was read. */
  data: ReferenceData;
}

/**
 * Reads `referencePath` and runs `attacks` on it (see the module header). LiRA statistics are computed
 * once for all LiRA variants. For rmia without `rmiaA`, a is tuned with {@link tuneRmiaA} (the first
 * reference model plays the target); with fewer than 2 references a = 0.3 and a note says so.
 * Throws MiaError: E_UNKNOWN_NAME for an unknown attack, E_ARGUMENT for an empty list, a repeated name
 * or an RMIA a / gamma out of range, and every reading / attack error (missing population signals for rmia or attack-p, …).
 */
export async function runReferenceAttacks(opts: ReferenceAttackOptions): Promise<ReferenceAttackOutput> {
  const named = opts.attacks;
  if (named !== undefined && named.length === 0) {
    throw new MiaError('E_ARGUMENT', 'no attack given', {
      where: '--attacks',
      expected: REFERENCE_ATTACKS.join(', '),
    });
  }
  const seen = new Set<string>();
  for (const name of named ?? []) {
    if (!REFERENCE_ATTACKS.includes(name)) {
      const hint = outputAttackNames().includes(name)
        ? `; '${name}' attacks one model's outputs: use \`mia attack --input FILE\``
        : '';
      throw new MiaError('E_UNKNOWN_NAME', `unknown reference attack '${name}'${hint}`, {
        where: '--attacks',
        expected: `one of ${REFERENCE_ATTACKS.join(', ')}`,
        found: name,
      });
    }
    if (seen.has(name))
      throw new MiaError('E_ARGUMENT', `attack '${name}' is listed twice`, { where: '--attacks' });
    seen.add(name);
  }
  if (opts.rmiaA !== undefined && !(opts.rmiaA >= 0 && opts.rmiaA <= 1)) {
    throw new MiaError('E_ARGUMENT', 'the offline RMIA coefficient a must be in [0, 1]', {
      where: '--rmia-a',
      found: String(opts.rmiaA),
    });
  }
  if (opts.rmiaGamma !== undefined && !(Number.isFinite(opts.rmiaGamma) && opts.rmiaGamma > 0)) {
    throw new MiaError('E_ARGUMENT', 'the RMIA factor gamma must be a finite number > 0', {
      where: '--rmia-gamma',
      found: String(opts.rmiaGamma),
    });
  }
  const data =
    opts.targetIndex === undefined
      ? readReference(opts.referencePath)
      : readReference(opts.referencePath, { targetIndex: opts.targetIndex });
  if (opts.truth !== undefined) checkTruth(data, opts.truth);
  const defaultNotes: string[] = [];
  let entries = (named ?? DEFAULT_REFERENCE_ATTACKS).map((name) => findReferenceAttack(name)!);
  if (named === undefined && data.population.popSignal === undefined) {
    const left = entries.filter((a) => a.needs.population).map((a) => a.name);
    entries = entries.filter((a) => !a.needs.population);
    if (left.length > 0) {
      const what = data.modelNames !== undefined ? 'a LiRA folder has' : `${data.source} has`;
      defaultNotes.push(
        `default attacks: ${entries.map((a) => a.name).join(', ')}; not ${left.join(', ')}, which need${left.length === 1 ? 's' : ''} ` +
          `population signals (pop_scores, pop_target_scores) that ${what} none of`,
      );
    }
  }
  const needPop = entries.filter((a) => a.needs.population).map((a) => a.name);
  if (needPop.length > 0 && data.population.popSignal === undefined) {
    const folder = data.modelNames !== undefined;
    throw new MiaError(
      'E_MISSING_FIELD',
      `${needPop.join(', ')} need${needPop.length === 1 ? 's' : ''} population signals (pop_scores and ` +
        `pop_target_scores: the models on samples none of them trained on)${folder ? ', which LiRA folders do not have; use a reference.npz' : ''}`,
      { where: folder ? data.source : `${data.source}:pop_scores` },
    );
  }
  const { references, target, targetPop, population } = data;
  if (opts.rmiaA === undefined && entries.some((a) => a.needs.tuning) && references.rows.length >= 2) {
    checkTuningRow(data);
  }
  const job: ReferenceAttackJob = {
    population,
    target,
    targetPop,
    references: () => references,
    tuning: () => ({ view: references }),
    modelName: (row) => `reference model ${row}`,
    options: {
      seed: opts.seed,
      rmiaGamma: opts.rmiaGamma ?? 1,
      rmiaSignal: 'scaled-logit',
      shadowHiddenLayers: [],
      ...(opts.rmiaA !== undefined ? { rmiaA: opts.rmiaA } : {}),
    },
    memo: memoTable(),
    notes: [],
  };
  const scores = new Map<string, Float64Array>();
  let rmiaA: number | undefined;
  for (const attack of entries) {
    const outcome = attack.run(job);
    scores.set(attack.name, outcome.scores);
    if (outcome.rmiaA !== undefined) rmiaA = outcome.rmiaA;
  }
  const notes = [...defaultNotes, ...job.notes];
  if (opts.scoresOut !== undefined) {
    const record: Record<string, ReturnType<typeof npyArray>> = {};
    for (const [name, s] of scores) record[name] = npyArray(s, [s.length], 'float64');
    writeNpz(opts.scoresOut, record);
  }
  const out: ReferenceAttackOutput = { scores, notes, data };
  if (data.targetMember !== undefined) out.isMember = data.targetMember;
  if (rmiaA !== undefined) out.rmiaA = rmiaA;
  return out;
}

/** Where the truth of `data` comes from, for messages: target_member, or the target folder's keep.npy. */
function truthSource(data: ReferenceData): string {
  if (data.modelNames !== undefined && data.targetIndex !== undefined) {
    return join(data.source, data.modelNames[data.targetIndex]!, 'keep.npy');
  }
  return `${data.source}:target_member`;
}

/** See ReferenceAttackOptions.truth. */
function checkTruth(data: ReferenceData, mode: 'required' | 'if-given'): void {
  const truth = data.targetMember;
  if (truth === undefined) {
    if (mode === 'if-given') return;
    throw new MiaError(
      'E_MISSING_FIELD',
      'without target_member there are no metrics; add it, or pass --scores-out to keep the scores',
      { where: data.source },
    );
  }
  let nm = 0;
  for (let i = 0; i < truth.length; i++) nm += truth[i]!;
  if (nm === 0 || nm === truth.length) {
    throw new MiaError(
      'E_EMPTY',
      `the truth has no ${nm === 0 ? 'member (every entry is False)' : 'non-member (every entry is True)'}; ` +
        'metrics need both members and non-members',
      { where: truthSource(data), found: `${nm} members, ${truth.length - nm} non-members` },
    );
  }
}

/**
 * tuneRmiaA plays the first reference model as target with its keep row as the truth; a row with no IN
 * or no OUT sample cannot be scored. Says so, naming the file, the row and the way out (--rmia-a).
 */
function checkTuningRow(data: ReferenceData): void {
  const row = data.references.rows[0]!;
  const pop = data.population;
  const n = pop.samples;
  let nIn = 0;
  for (let i = 0; i < n; i++) nIn += pop.keep[row * n + i]!;
  if (nIn > 0 && nIn < n) return;
  const folder = data.modelNames !== undefined;
  const model = folder ? `'${data.modelNames![row]}'` : String(row);
  const keepRow = folder ? 'its keep.npy' : `keep row ${row}`;
  throw new MiaError(
    'E_EMPTY',
    `rmia: cannot tune a on reference model ${model} (${keepRow} has no ${nIn === 0 ? 'IN' : 'OUT'} sample: ` +
      `it trained on ${nIn === 0 ? 'none' : 'all'} of the ${n} samples); give --rmia-a A, or a first ` +
      'reference model that trained on part of the samples',
    {
      where: folder ? join(data.source, data.modelNames![row]!, 'keep.npy') : `${data.source}:keep`,
    },
  );
}
