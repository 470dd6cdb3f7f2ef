/**
 * A model's outputs on members and non-members as TF Privacy's .npz (`mia infer`'s outputs.npz, read
 * back by src/signals/attack-input-files.ts): logits_train / logits_test (when the model gives logits),
 * probs_*, loss_* and labels_*, members under the suffix `_train` and non-members under `_test`.
 */
import { npyArray } from '../io/npy.js';
import { writeNpz } from '../io/npz.js';
import type { ModelOutputs } from './model-outputs.js';

function outputsToArrays(o: ModelOutputs, suffix: string) {
  const c = o.numClasses;
  const arrays: Record<string, ReturnType<typeof npyArray>> = {};
  if (o.logits !== undefined) arrays[`logits${suffix}`] = npyArray(Float32Array.from(o.logits), [o.n, c]);
  arrays[`probs${suffix}`] = npyArray(Float32Array.from(o.probs), [o.n, c]);
  arrays[`loss${suffix}`] = npyArray(Float32Array.from(o.loss), [o.n]);
  arrays[`labels${suffix}`] = npyArray(o.labels, [o.n]);
  return arrays;
}

/**
 * Writes `members` and `nonMembers` to `path` with TF Privacy's keys (see the module header): logits and
 * probs float32 [n, classes], loss float32 [n], labels as the outputs hold them, [n].
 */
export function writeOutputsNpz(path: string, members: ModelOutputs, nonMembers: ModelOutputs): void {
  writeNpz(path, { ...outputsToArrays(members, '_train'), ...outputsToArrays(nonMembers, '_test') });
}

/** Top-1 accuracy in [0, 1]: the share of samples whose highest probability (first on ties) is their label. */
export function outputsAccuracy(o: ModelOutputs): number {
  let ok = 0;
  for (let i = 0; i < o.n; i++) {
    let arg = 0;
    for (let k = 1; k < o.numClasses; k++)
      if (o.probs[i * o.numClasses + k]! > o.probs[i * o.numClasses + arg]!) arg = k;
    if (arg === o.labels[i]) ok++;
  }
  return ok / o.n;
}
