import { MiaError } from '../../errors.js';
import type { BinaryClassifier, ClassifierKind } from './classifier.js';
import { Knn, type KnnOptions } from './knn.js';
import { LogisticRegression, type LogisticRegressionOptions } from './logistic-regression.js';
import { Mlp, type MlpOptions } from './mlp.js';
import { RandomForest, type RandomForestOptions } from './random-forest.js';

/** The options each classifier kind takes. */
export interface ClassifierOptionsByKind {
  lr: LogisticRegressionOptions;
  mlp: MlpOptions;
  rf: RandomForestOptions;
  knn: KnnOptions;
}

/** Every trained-attack classifier kind, in TF Privacy's AttackType order. */
export const CLASSIFIER_KINDS: readonly ClassifierKind[] = ['lr', 'mlp', 'rf', 'knn'];

/**
 * A new, unfitted classifier of the given kind: 'lr' LogisticRegression, 'mlp' Mlp, 'rf' RandomForest,
 * 'knn' Knn, each with its documented defaults unless `options` overrides them.
 * Throws MiaError E_UNKNOWN_NAME for any other kind.
 */
export function createClassifier<K extends ClassifierKind>(
  kind: K,
  options: ClassifierOptionsByKind[K] = {},
): BinaryClassifier {
  switch (kind) {
    case 'lr':
      return new LogisticRegression(options as LogisticRegressionOptions);
    case 'mlp':
      return new Mlp(options as MlpOptions);
    case 'rf':
      return new RandomForest(options as RandomForestOptions);
    case 'knn':
      return new Knn(options as KnnOptions);
    default:
      throw new MiaError('E_UNKNOWN_NAME', `unknown trained-attack classifier '${String(kind)}'`, {
        where: 'trained attack kind',
        expected: CLASSIFIER_KINDS.join(', '),
        found: String(kind),
      });
  }
}
