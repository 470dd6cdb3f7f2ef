import type { Rng } from '../../rng.js';

/**
 * A binary classifier trained on membership features: rows labelled 1 (members) and 0 (non-members).
 * The shape of TF Privacy's `TrainedAttacker` (membership_inference_attack/models.py): `fit` is its
 * `train_model`, `predictProba` its `predict` (sklearn `predict_proba(x)[:, 1]`), except that class 1
 * here is "member", so a higher probability means "more likely a member".
 */
export interface BinaryClassifier {
  /**
   * Trains on n rows of d features. x: n×d row-major Float64Array; y: Uint8Array of 0/1, length n.
   * Every random choice (initialisation, bootstrap, minibatch order) draws from `rng`, so the same
   * data and the same seed give the same model. Throws MiaError on bad shapes, non-finite features,
   * labels other than 0/1, or a training set that lacks one of the two classes.
   */
  fit(x: Float64Array, n: number, d: number, y: Uint8Array, rng: Rng): void;
  /**
   * The probability of class 1 for each of the m rows of x (m×d row-major, the d of `fit`), each in
   * [0, 1]. Throws MiaError when d differs from the d seen by `fit`; throws Error if called before fit.
   */
  predictProba(x: Float64Array, m: number, d: number): Float64Array;
}

/** The trained-attack classifier kinds, named as in TF Privacy's AttackType (LR, MLP, RF, KNN). */
export type ClassifierKind = 'lr' | 'mlp' | 'rf' | 'knn';
