/**
 * What a reference-model attack is (LiRA, RMIA, Attack-R/P, the shadow-model attack): one entry per
 * attack name that says what the attack needs and how it scores. The registry (registry.ts) lists the
 * entries; `mia audit` (audit/attack-stage.ts), `mia attack --reference` (audit/reference-attacks.ts)
 * and the config checks (audit/config.ts) loop over it, so adding an attack is one file with its entry
 * plus one line in the registry. TF Privacy keeps such metadata with its AttackType; so do we.
 */
import type { ModelOutputs } from '../signals/model-outputs.js';
import type { FloatArray, Population, ReferenceView } from './population.js';
import type { RmiaSignal } from './rmia.js';

/** What an attack needs beyond the target's signals. */
export interface ReferenceAttackNeeds {
  /**
   * Reference models: 'none'; 'some' (at least one); 'in-and-out' (every sample IN for some references
   * and OUT for others: at least 3 reference models in the audit's paired design).
   */
  references: 'none' | 'some' | 'in-and-out';
  /** The models' signals on population samples that no model trained on (pop_scores). */
  population: boolean;
  /**
   * The reference models' full outputs on the audit samples (not only one signal per sample): the audit
   * has them, reference.npz and LiRA folders do not.
   */
  outputs: boolean;
  /** Tunes a coefficient (RMIA's a) on one reference model playing the target, unless it is given. */
  tuning: boolean;
}

/** The options every attack may read (each uses the ones it documents). */
export interface ReferenceAttackOptions {
  seed: number;
  /** RMIA's offline coefficient a ∈ [0, 1]; tuned when undefined. */
  rmiaA?: number;
  /** RMIA's γ > 0. */
  rmiaGamma: number;
  /** How RMIA turns the signal into a probability-like value. */
  rmiaSignal: RmiaSignal;
  /** The shadow meta-classifier's hidden layer widths. */
  shadowHiddenLayers: number[];
  /**
   * With fewer reference models than this, the per-example LiRA variants add a note recommending the
   * fixed-variance ones; undefined = no such note.
   */
  liraPerExampleMin?: number;
}

/** One attack's inputs: the population and the target, with the runner's choices behind accessors. */
export interface ReferenceAttackJob {
  /** Every model's keep row and signals (the target's rows included when the target is one of them). */
  population: Population;
  /** The target's signal on the audit samples, [N, A]. */
  target: FloatArray;
  /** The target's signal on the population samples, [Z, Ap], when there is one. */
  targetPop: FloatArray | undefined;
  /**
   * The reference models the attack scores with. Called only by attacks that need references; the runner
   * may choose them on the first call and note its choice (hence a function, not a value).
   */
  references(): ReferenceView;
  /** The references a coefficient is tuned on, and the row that plays the target (default: the first). */
  tuning(): { view: ReferenceView; pairedRow?: number };
  /** A model row as notes name it ("reference model 2", "ref-01"). */
  modelName(row: number): string;
  /** A model's outputs on the audit samples; present only where needs.outputs can be met (the audit). */
  outputs?: (row: number) => ModelOutputs;
  /** The target's outputs on the audit samples, with `outputs`. */
  targetOutputs?: ModelOutputs;
  options: ReferenceAttackOptions;
  /** Computes `make()` once per job set (e.g. the LiRA statistics shared by every LiRA variant). */
  memo<T>(key: string, make: () => T): T;
  /** Lines for the run's notes (a tuned coefficient, a fallback), in the order they arise. */
  notes: string[];
}

/** One attack's result. */
export interface ReferenceAttackOutcome {
  /** Float64Array [N]; higher = more likely a member. */
  scores: Float64Array;
  /** The signal or feature set the scores come from, when not the runner's signal. */
  signal?: string;
  /** How the attack was set up, in words (stored with its results). */
  note?: string;
  /** RMIA's offline a, given or tuned. */
  rmiaA?: number;
}

export interface ReferenceAttack {
  name: string;
  /** One line for help texts and docs. */
  description: string;
  needs: ReferenceAttackNeeds;
  run(job: ReferenceAttackJob): ReferenceAttackOutcome;
}

/** The offline RMIA coefficient used when it can be neither given nor tuned (Privacy Meter's default). */
export const RMIA_DEFAULT_A = 0.3;

/** A fresh {@link ReferenceAttackJob.memo}: computes each key once. */
export function memoTable(): ReferenceAttackJob['memo'] {
  const values = new Map<string, unknown>();
  return <T>(key: string, make: () => T): T => {
    if (!values.has(key)) values.set(key, make());
    return values.get(key) as T;
  };
}
