import { MiaError } from '../errors.js';
import type { PooledOutputs } from '../signals/attack-input.js';
import { correctlyClassified } from '../signals/signals.js';

/**
 * A slice of the audited samples (TF Privacy's SingleSliceSpec). The JSON form is exactly
 * `{"feature": "entire_dataset"}`, `{"feature": "class", "value": 3}`,
 * `{"feature": "correctly_classified", "value": true}`, `{"feature": "loss_decile", "value": 1}`
 * (decile 1 = the 10% lowest losses) or `{"feature": "custom", "value": "<name>"}`.
 */
export type SliceSpec =
  | { feature: 'entire_dataset' }
  | { feature: 'class'; value: number }
  | { feature: 'correctly_classified'; value: boolean }
  | { feature: 'loss_decile'; value: number }
  | { feature: 'custom'; value: string };

export interface Slice {
  spec: SliceSpec;
  /** 1 for the pooled samples in the slice. */
  mask: Uint8Array;
}

/** Families of slices as named on the command line. */
export type SliceFamily = 'entire' | 'class' | 'correctness' | 'loss-decile';
export const SLICE_FAMILIES: readonly SliceFamily[] = ['entire', 'class', 'correctness', 'loss-decile'];

/** A custom slice given through the library API. */
export interface CustomSlice {
  name: string;
  /** Length = pooled n (members first). */
  mask: Uint8Array;
}

/** Human-readable slice name: "entire dataset", "class 3", "correctly classified", "loss decile 1". */
export function sliceLabel(spec: SliceSpec): string {
  switch (spec.feature) {
    case 'entire_dataset':
      return 'entire dataset';
    case 'class':
      return `class ${spec.value}`;
    case 'correctly_classified':
      return spec.value ? 'correctly classified' : 'misclassified';
    case 'loss_decile':
      return `loss decile ${spec.value}`;
    case 'custom':
      return spec.value;
  }
}

/** Parses a slice family name, or throws E_UNKNOWN_NAME listing the known ones. */
export function parseSliceFamily(name: string): SliceFamily {
  const alias: Record<string, SliceFamily> = {
    entire: 'entire',
    entire_dataset: 'entire',
    class: 'class',
    correctness: 'correctness',
    correctly_classified: 'correctness',
    'loss-decile': 'loss-decile',
    loss_decile: 'loss-decile',
  };
  const f = alias[name];
  if (f === undefined) {
    throw new MiaError('E_UNKNOWN_NAME', `unknown slice '${name}'`, {
      where: '--slices',
      expected: SLICE_FAMILIES.join(', '),
    });
  }
  return f;
}

/**
 * Builds the slices of the requested families over pooled outputs, in a stable order: entire dataset,
 * each class present (ascending), correctly classified then misclassified, loss deciles 1..10, then the
 * custom slices. Loss deciles cut the pooled losses at the values of rank ⌊d·n/10⌋ (d = 1..9) of the
 * sorted losses; equal losses always fall in the same decile, so deciles may be uneven with ties.
 * Slices that contain no sample at all are omitted.
 */
export function buildSlices(
  pooled: PooledOutputs,
  families: readonly SliceFamily[],
  custom: readonly CustomSlice[] = [],
): Slice[] {
  const n = pooled.n;
  const out: Slice[] = [];
  const want = new Set(families);
  if (want.has('entire')) out.push({ spec: { feature: 'entire_dataset' }, mask: new Uint8Array(n).fill(1) });
  if (want.has('class')) {
    const present = new Uint8Array(pooled.numClasses);
    for (let i = 0; i < n; i++) present[pooled.labels[i]!] = 1;
    for (let k = 0; k < pooled.numClasses; k++) {
      if (!present[k]) continue;
      const mask = new Uint8Array(n);
      for (let i = 0; i < n; i++) mask[i] = pooled.labels[i] === k ? 1 : 0;
      out.push({ spec: { feature: 'class', value: k }, mask });
    }
  }
  if (want.has('correctness')) {
    const correct = correctlyClassified(pooled);
    const wrong = new Uint8Array(n);
    for (let i = 0; i < n; i++) wrong[i] = 1 - correct[i]!;
    if (correct.includes(1))
      out.push({ spec: { feature: 'correctly_classified', value: true }, mask: correct });
    if (wrong.includes(1)) out.push({ spec: { feature: 'correctly_classified', value: false }, mask: wrong });
  }
  if (want.has('loss-decile')) {
    const decile = lossDeciles(pooled.loss);
    for (let d = 1; d <= 10; d++) {
      const mask = new Uint8Array(n);
      let any = false;
      for (let i = 0; i < n; i++) {
        if (decile[i] === d) {
          mask[i] = 1;
          any = true;
        }
      }
      if (any) out.push({ spec: { feature: 'loss_decile', value: d }, mask });
    }
  }
  for (const c of custom) {
    if (c.mask.length !== n) {
      throw new MiaError(
        'E_SHAPE_MISMATCH',
        `custom slice '${c.name}' has ${c.mask.length} entries, expected ${n}`,
        {
          where: `slice ${c.name}`,
        },
      );
    }
    out.push({ spec: { feature: 'custom', value: c.name }, mask: c.mask });
  }
  return out;
}

/** Decile (1..10) of each loss among all losses; see buildSlices for the tie rule. */
export function lossDeciles(loss: Float64Array): Uint8Array {
  const n = loss.length;
  const sorted = Float64Array.from(loss).sort();
  const cuts = new Float64Array(9);
  for (let d = 1; d <= 9; d++) cuts[d - 1] = sorted[Math.min(n - 1, Math.floor((d * n) / 10))]!;
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const v = loss[i]!;
    let d = 1;
    while (d <= 9 && v >= cuts[d - 1]!) d++;
    out[i] = d;
  }
  return out;
}
