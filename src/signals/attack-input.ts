import { MiaError } from '../errors.js';
import { type ModelOutputs, type ModelOutputsOptions, makeModelOutputs } from './model-outputs.js';

/**
 * TF Privacy's AttackInputData: a model's outputs on members (its training samples, `*_train`) and
 * on non-members (`*_test`). Field names on disk are exactly TF Privacy's.
 */
export interface AttackInput {
  readonly members: ModelOutputs;
  readonly nonMembers: ModelOutputs;
  /** One line per choice made in reading, for the CLI to print (which of logits and probs is used). */
  readonly notes?: readonly string[];
}

/** The .npz / JSON / CSV keys, as TF Privacy names them. */
export const ATTACK_INPUT_KEYS = [
  'logits_train',
  'logits_test',
  'probs_train',
  'probs_test',
  'loss_train',
  'loss_test',
  'labels_train',
  'labels_test',
  'preds_train',
  'preds_test',
] as const;
export type AttackInputKey = (typeof ATTACK_INPUT_KEYS)[number];

/** One named array as read from a file: values plus shape. */
export interface RawArray {
  data: Float64Array | Float32Array | Int32Array;
  shape: number[];
}

/**
 * Builds an AttackInput from named arrays (TF Privacy keys). `where` names the source file in errors.
 * Unknown keys are an error, E_UNKNOWN_NAME (a typo such as `logit_train` must not be silently ignored).
 * Checks: labels_train/labels_test present and 1-d; logits/probs 2-d with the same class count on both
 * sides; loss 1-d; each side's shapes agree; labels in range; values finite; probs rows sum to 1.
 * The class count is the width of logits/probs.
 */
export function attackInputFromArrays(
  arrays: ReadonlyMap<string, RawArray>,
  where: string,
  options: Pick<ModelOutputsOptions, 'probsTolerance'> = {},
): AttackInput {
  for (const key of arrays.keys()) {
    if (!(ATTACK_INPUT_KEYS as readonly string[]).includes(key)) {
      throw new MiaError('E_UNKNOWN_NAME', `unknown array '${key}'`, {
        where,
        expected: `TF Privacy keys: ${ATTACK_INPUT_KEYS.join(', ')}`,
      });
    }
  }
  const side = (sfx: '_train' | '_test'): ModelOutputs => {
    const get = (name: string, dims: 1 | 2): RawArray | undefined => {
      const a = arrays.get(`${name}${sfx}`);
      if (a === undefined) return undefined;
      if (a.shape.length !== dims) {
        throw new MiaError('E_SHAPE_MISMATCH', `${name}${sfx} must be ${dims}-d`, {
          where: `${where}:${name}${sfx}`,
          expected: dims === 1 ? '[n]' : '[n, classes]',
          found: `[${a.shape.join(', ')}]`,
        });
      }
      return a;
    };
    const labels = get('labels', 1);
    if (labels === undefined) {
      throw new MiaError('E_MISSING_FIELD', `labels${sfx} is required`, { where });
    }
    const logits = get('logits', 2);
    const probs = get('probs', 2);
    const loss = get('loss', 1);
    const preds = get('preds', 1);
    const n = labels.shape[0]!;
    for (const [a, name] of [
      [logits, 'logits'],
      [probs, 'probs'],
      [loss, 'loss'],
      [preds, 'preds'],
    ] as const) {
      if (a !== undefined && a.shape[0] !== n) {
        throw new MiaError(
          'E_SHAPE_MISMATCH',
          `${name}${sfx} and labels${sfx} have different lengths (${a.shape[0]} vs ${n})`,
          { where: `${where}:${name}${sfx}` },
        );
      }
    }
    return makeModelOutputs(
      {
        labels: toLabels(labels.data, `${where}:labels${sfx}`),
        logits: logits === undefined ? undefined : toFloat(logits.data),
        probs: probs === undefined ? undefined : toFloat(probs.data),
        loss: loss === undefined ? undefined : toFloat(loss.data),
        preds: preds === undefined ? undefined : toLabels(preds.data, `${where}:preds${sfx}`),
        numClasses: (logits ?? probs)?.shape[1] ?? labelOnlyClasses,
      },
      where,
      { ...options, suffix: sfx },
    );
  };
  // Train and test must describe the same classifier: same kind of outputs on both sides.
  // label-only inputs: both sides need the same class count, the larger of the two sides'
  let labelOnlyClasses: number | undefined;
  if (!arrays.has('logits_train') && !arrays.has('probs_train') && arrays.has('preds_train')) {
    labelOnlyClasses = 2;
    for (const key of ['labels_train', 'labels_test', 'preds_train', 'preds_test']) {
      const a = arrays.get(key);
      if (a !== undefined) for (const v of a.data) labelOnlyClasses = Math.max(labelOnlyClasses, v + 1);
    }
  }
  for (const name of ['logits', 'probs', 'loss', 'preds'] as const) {
    if (arrays.has(`${name}_train`) !== arrays.has(`${name}_test`)) {
      const missing = arrays.has(`${name}_train`) ? `${name}_test` : `${name}_train`;
      throw new MiaError(
        'E_MISSING_FIELD',
        `${name}_train and ${name}_test must both be given; ${missing} is missing`,
        {
          where,
        },
      );
    }
  }
  // logits/probs of different widths on the two sides: name the arrays before a label check on the
  // narrower side reports a symptom ("labels_test[8] = 9 is outside [0, 9)")
  for (const name of ['logits', 'probs'] as const) {
    const tr = arrays.get(`${name}_train`);
    const te = arrays.get(`${name}_test`);
    if (tr === undefined || te === undefined || tr.shape.length !== 2 || te.shape.length !== 2) continue;
    if (tr.shape[1] !== te.shape[1]) {
      throw new MiaError(
        'E_SHAPE_MISMATCH',
        `${name}_train has ${tr.shape[1]} columns (classes) but ${name}_test has ${te.shape[1]}; both must have one per class`,
        {
          where: `${where}:${name}_test`,
          expected: `[n, ${tr.shape[1]}]`,
          found: `[${te.shape.join(', ')}]`,
        },
      );
    }
  }
  const members = side('_train');
  const nonMembers = side('_test');
  if (members.numClasses !== nonMembers.numClasses) {
    throw new MiaError(
      'E_SHAPE_MISMATCH',
      `train outputs have ${members.numClasses} classes but test outputs have ${nonMembers.numClasses}`,
      { where },
    );
  }
  if (arrays.has('logits_train') && arrays.has('probs_train')) {
    const tol = options.probsTolerance ?? 1e-3;
    return {
      members,
      nonMembers,
      notes: [
        `${where} has both logits and probs; they agree (probs = softmax(logits) within ${tol}), and the logits are used`,
      ],
    };
  }
  return { members, nonMembers };
}

function toFloat(a: RawArray['data']): Float64Array | Float32Array {
  return a instanceof Int32Array ? Float64Array.from(a) : a;
}

function toLabels(a: RawArray['data'], where: string): Int32Array {
  if (a instanceof Int32Array) return a;
  const out = new Int32Array(a.length);
  for (let i = 0; i < a.length; i++) {
    const v = a[i]!;
    if (!Number.isInteger(v)) {
      throw new MiaError('E_LABEL_RANGE', `labels must be integers; entry ${i} is ${v}`, { where });
    }
    out[i] = v;
  }
  return out;
}

/**
 * Members and non-members pooled into one ModelOutputs (members first), with the truth mask.
 * Every attack scores this pooled view; slices are masks over it.
 */
export interface PooledOutputs extends ModelOutputs {
  /** 1 for members (the `_train` rows), 0 for non-members. */
  readonly isMember: Uint8Array;
  readonly nMembers: number;
  readonly nNonMembers: number;
}

export function poolAttackInput(input: AttackInput): PooledOutputs {
  const { members: m, nonMembers: t } = input;
  const c = m.numClasses;
  const n = m.n + t.n;
  const cat = (a: Float64Array, b: Float64Array) => {
    const out = new Float64Array(a.length + b.length);
    out.set(a);
    out.set(b, a.length);
    return out;
  };
  const labels = new Int32Array(n);
  labels.set(m.labels);
  labels.set(t.labels, m.n);
  const isMember = new Uint8Array(n);
  isMember.fill(1, 0, m.n);
  return {
    n,
    numClasses: c,
    logits: m.logits !== undefined && t.logits !== undefined ? cat(m.logits, t.logits) : undefined,
    probs: cat(m.probs, t.probs),
    loss: cat(m.loss, t.loss),
    labels,
    isMember,
    nMembers: m.n,
    nNonMembers: t.n,
    ...(m.predicted !== undefined && t.predicted !== undefined
      ? { predicted: catInt(m.predicted, t.predicted) }
      : {}),
    ...(m.labelOnly === true || t.labelOnly === true ? { labelOnly: true } : {}),
  };
}

function catInt(a: Int32Array, b: Int32Array): Int32Array {
  const out = new Int32Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}
