import { MiaError } from '../errors.js';

/**
 * Outputs of one model on n samples — the vocabulary every later stage speaks (TF Privacy's
 * AttackInputData holds two of these: members and non-members).
 *
 * All matrices are row-major n × numClasses. `probs` and `loss` are always present once constructed:
 * probabilities come from logits by a numerically stable softmax, and the loss is the cross-entropy
 * −log p[label] (computed from log-softmax of the logits when logits are given, so it stays exact
 * where p underflows).
 */
export interface ModelOutputs {
  readonly n: number;
  readonly numClasses: number;
  /** Raw logits, n × numClasses, when the producer had them. */
  readonly logits: Float64Array | undefined;
  /** Class probabilities, n × numClasses, rows summing to 1. */
  readonly probs: Float64Array;
  /** Per-sample cross-entropy loss (natural log), length n. */
  readonly loss: Float64Array;
  /** True labels in [0, numClasses), length n. */
  readonly labels: Int32Array;
  /**
   * The predicted labels as the producer gave them (`preds_train` / `preds_test`), length n. Absent: the
   * predicted label is the argmax of `probs` (lowest index on ties; see predictedLabels).
   */
  readonly predicted?: Int32Array;
  /**
   * True when the producer gave only predicted labels (no logits, no probs): `probs` is then the one-hot
   * row of each predicted label and `loss` its clipped cross-entropy, placeholders that only the
   * label-only attacks (which read the predicted label) may use.
   */
  readonly labelOnly?: boolean;
}

/** What a producer may hand over: logits or probs (at least one), labels, optionally loss. */
export interface ModelOutputsFields {
  logits?: Float32Array | Float64Array | undefined;
  probs?: Float32Array | Float64Array | undefined;
  loss?: Float32Array | Float64Array | undefined;
  labels: Int32Array;
  /** Predicted labels in [0, numClasses), length n; alone (no logits, no probs) they make a label-only output. */
  preds?: Int32Array | undefined;
  /** Number of classes; derived from the width of logits/probs when omitted. */
  numClasses?: number | undefined;
  /** Number of samples; derived from labels when omitted. */
  n?: number | undefined;
}

export interface ModelOutputsOptions {
  /**
   * How far a row of probs may be from summing to 1 (absolute), and, when logits are given too, how far
   * each entry of probs may be from softmax(logits). Default 1e-3.
   */
  probsTolerance?: number;
  /** Field-name prefix/suffix used in errors, e.g. "_train" → "logits_train". Default "". */
  suffix?: string;
}

/**
 * A given loss below −LOSS_ROUNDING is an error (cross-entropy is ≥ 0); values in [−1e-6, 0) are float
 * rounding of a zero loss (e.g. −log(1.0000001) in float32) and are kept as given.
 */
export const LOSS_ROUNDING = 1e-6;

/**
 * Validates the fields and builds ModelOutputs. Throws MiaError naming `where` and the field:
 * E_SHAPE_MISMATCH (lengths disagree), E_LABEL_RANGE, E_NOT_FINITE (NaN/±Inf in logits, probs or
 * loss), E_PROBS_SUM (a row of probs off by more than the tolerance, or negative entries; or, when
 * both logits and probs are given, probs not equal to softmax(logits) within the tolerance — TF
 * Privacy refuses both outright), E_VALUE (a loss below −{@link LOSS_ROUNDING}), E_MISSING_FIELD
 * (neither logits nor probs nor preds), E_EMPTY (n = 0). `preds` alone make a label-only output (see
 * {@link ModelOutputs.labelOnly}; classes = `numClasses`, else 1 + the largest label or prediction);
 * `preds` beside logits or probs are kept as the predicted labels, unchecked against their argmax.
 */
export function makeModelOutputs(
  fields: ModelOutputsFields,
  where: string,
  options: ModelOutputsOptions = {},
): ModelOutputs {
  const sfx = options.suffix ?? '';
  const tol = options.probsTolerance ?? 1e-3;
  const { logits, probs, loss, labels } = fields;
  const n = fields.n ?? labels.length;
  const at = (field: string) => `${where}:${field}${sfx}`;
  if (labels.length !== n) {
    throw new MiaError('E_SHAPE_MISMATCH', `labels${sfx} has ${labels.length} entries, expected ${n}`, {
      where: at('labels'),
    });
  }
  if (n === 0) throw new MiaError('E_EMPTY', `no samples (labels${sfx} is empty)`, { where: at('labels') });
  if (logits === undefined && probs === undefined && fields.preds !== undefined) {
    return labelOnlyOutputs(fields.preds, labels, fields.numClasses, at);
  }
  if (logits === undefined && probs === undefined) {
    throw new MiaError('E_MISSING_FIELD', `neither logits${sfx} nor probs${sfx} is given; one is required`, {
      where,
    });
  }
  const width = (arr: Float32Array | Float64Array, name: string): number => {
    if (arr.length % n !== 0 || arr.length === 0) {
      throw new MiaError(
        'E_SHAPE_MISMATCH',
        `${name}${sfx} has ${arr.length} values, not a multiple of the ${n} labels${sfx}`,
        { where: at(name), expected: `[${n}, classes]` },
      );
    }
    return arr.length / n;
  };
  let c = fields.numClasses;
  for (const [arr, name] of [
    [logits, 'logits'],
    [probs, 'probs'],
  ] as const) {
    if (arr === undefined) continue;
    const w = width(arr, name);
    if (c === undefined) c = w;
    else if (w !== c) {
      throw new MiaError('E_SHAPE_MISMATCH', `${name}${sfx} has ${w} columns, expected ${c}`, {
        where: at(name),
        expected: `[${n}, ${c}]`,
        found: `[${n}, ${w}]`,
      });
    }
  }
  if (c === undefined || c < 2) {
    throw new MiaError('E_SHAPE_MISMATCH', `need at least 2 classes, found ${c}`, {
      where: at(logits ? 'logits' : 'probs'),
    });
  }
  for (let i = 0; i < n; i++) {
    const y = labels[i]!;
    if (!(y >= 0 && y < c)) {
      throw new MiaError('E_LABEL_RANGE', `labels${sfx}[${i}] = ${y} is outside [0, ${c})`, {
        where: at('labels'),
      });
    }
  }
  if (loss !== undefined) {
    if (loss.length !== n) {
      throw new MiaError('E_SHAPE_MISMATCH', `loss${sfx} has ${loss.length} entries, expected ${n}`, {
        where: at('loss'),
      });
    }
    checkFinite(loss, at('loss'), 1);
    for (let i = 0; i < n; i++) {
      if (loss[i]! < -LOSS_ROUNDING) {
        throw new MiaError(
          'E_VALUE',
          `loss${sfx}[${i}] = ${loss[i]} is negative; a cross-entropy loss is ≥ 0`,
          {
            where: at('loss'),
            expected: `losses ≥ 0 (down to −${LOSS_ROUNDING.toExponential()} is taken as rounding)`,
          },
        );
      }
    }
  }
  let p: Float64Array;
  let logitsOut: Float64Array | undefined;
  let lossOut: Float64Array;
  if (logits !== undefined) {
    checkFinite(logits, at('logits'), c);
    logitsOut = Float64Array.from(logits);
    p = new Float64Array(n * c);
    const ce = softmaxRows(logitsOut, n, c, p, labels);
    lossOut = loss !== undefined ? Float64Array.from(loss) : ce;
    if (probs !== undefined) {
      checkProbs(probs, n, c, tol, at('probs'));
      checkProbsMatchLogits(probs, p, n, c, tol, where, sfx);
    }
  } else {
    checkProbs(probs!, n, c, tol, at('probs'));
    p = Float64Array.from(probs!);
    lossOut = loss !== undefined ? Float64Array.from(loss) : crossEntropyFromProbs(p, n, c, labels);
  }
  const out: ModelOutputs = { n, numClasses: c, logits: logitsOut, probs: p, loss: lossOut, labels };
  if (fields.preds === undefined) return out;
  checkPreds(fields.preds, n, c, at);
  return { ...out, predicted: fields.preds };
}

function checkPreds(preds: Int32Array, n: number, c: number, at: (field: string) => string): void {
  if (preds.length !== n) {
    throw new MiaError('E_SHAPE_MISMATCH', `preds has ${preds.length} entries, expected ${n}`, {
      where: at('preds'),
    });
  }
  for (let i = 0; i < n; i++) {
    const v = preds[i]!;
    if (!(v >= 0 && v < c)) {
      throw new MiaError('E_LABEL_RANGE', `preds[${i}] = ${v} is outside [0, ${c})`, { where: at('preds') });
    }
  }
}

/** Outputs from predicted labels alone: one-hot probs, clipped loss, labelOnly (see makeModelOutputs). */
function labelOnlyOutputs(
  preds: Int32Array,
  labels: Int32Array,
  numClasses: number | undefined,
  at: (field: string) => string,
): ModelOutputs {
  const n = labels.length;
  let c = numClasses ?? 2;
  if (numClasses === undefined) {
    for (let i = 0; i < n; i++) c = Math.max(c, labels[i]! + 1, (preds[i] ?? 0) + 1);
  }
  checkPreds(preds, n, c, at);
  for (let i = 0; i < n; i++) {
    const y = labels[i]!;
    if (!(y >= 0 && y < c)) {
      throw new MiaError('E_LABEL_RANGE', `labels[${i}] = ${y} is outside [0, ${c})`, {
        where: at('labels'),
      });
    }
  }
  const probs = new Float64Array(n * c);
  for (let i = 0; i < n; i++) probs[i * c + preds[i]!] = 1;
  const loss = crossEntropyFromProbs(probs, n, c, labels);
  return { n, numClasses: c, logits: undefined, probs, loss, labels, predicted: preds, labelOnly: true };
}

/**
 * Row-wise stable softmax of an n × c matrix into `out`; returns the cross-entropy −log p[label] per
 * row computed as logsumexp(z) − z[label] (exact even where p[label] underflows to 0).
 */
export function softmaxRows(
  z: Float64Array,
  n: number,
  c: number,
  out: Float64Array,
  labels?: Int32Array,
): Float64Array {
  const ce = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const o = i * c;
    let am = 0;
    for (let k = 1; k < c; k++) if (z[o + k]! > z[o + am]!) am = k;
    const m = z[o + am]!;
    // rest = Σ_{k≠argmax} e^{z_k − m}, so that ln Σ e^{z_k − m} = log1p(rest) keeps tiny losses exact.
    let rest = 0;
    for (let k = 0; k < c; k++) {
      const e = k === am ? 1 : Math.exp(z[o + k]! - m);
      out[o + k] = e;
      if (k !== am) rest += e;
    }
    const inv = 1 / (1 + rest);
    for (let k = 0; k < c; k++) out[o + k]! *= inv;
    if (labels !== undefined) ce[i] = m - z[o + labels[i]!]! + Math.log1p(rest);
  }
  return ce;
}

/** Cross-entropy −log p[label] per row; p[label] = 0 gives +Infinity → clipped to −log(1e-300). */
export function crossEntropyFromProbs(
  p: Float64Array,
  n: number,
  c: number,
  labels: Int32Array,
): Float64Array {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = -Math.log(Math.max(p[i * c + labels[i]!]!, 1e-300));
  return out;
}

function checkFinite(a: Float32Array | Float64Array, where: string, width: number): void {
  for (let i = 0; i < a.length; i++) {
    if (!Number.isFinite(a[i]!)) {
      const at = width > 1 ? `[${Math.floor(i / width)}, ${i % width}]` : `[${i}]`;
      throw new MiaError('E_NOT_FINITE', `value at ${at} is ${a[i]}; all values must be finite`, { where });
    }
  }
}

/**
 * When both are given, probs must be softmax(logits) (`softmax` is that, computed from the logits): the
 * attacks read probabilities from the logits, so probs that disagree would be silently ignored.
 */
function checkProbsMatchLogits(
  probs: Float32Array | Float64Array,
  softmax: Float64Array,
  n: number,
  c: number,
  tol: number,
  where: string,
  sfx: string,
): void {
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < c; k++) {
      const given = probs[i * c + k]!;
      const fromLogits = softmax[i * c + k]!;
      if (Math.abs(given - fromLogits) > tol) {
        throw new MiaError(
          'E_PROBS_SUM',
          `probs${sfx} is not softmax(logits${sfx}) (first at row ${i}: probs${sfx}[${i}, ${k}] = ` +
            `${given.toPrecision(6)}, softmax(logits${sfx})[${i}, ${k}] = ${fromLogits.toPrecision(6)}); ` +
            `give one of logits${sfx} and probs${sfx}, not both`,
          {
            where: `${where}:logits${sfx}+probs${sfx}`,
            expected: `probs${sfx} = softmax(logits${sfx}) within ${tol}`,
          },
        );
      }
    }
  }
}

function checkProbs(p: Float32Array | Float64Array, n: number, c: number, tol: number, where: string): void {
  checkFinite(p, where, c);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let k = 0; k < c; k++) {
      const v = p[i * c + k]!;
      if (v < 0 || v > 1 + tol) {
        throw new MiaError('E_PROBS_SUM', `row ${i} has probability ${v} outside [0, 1]`, { where });
      }
      s += v;
    }
    if (Math.abs(s - 1) > tol) {
      throw new MiaError('E_PROBS_SUM', `row ${i} sums to ${s.toPrecision(6)}, expected 1 ± ${tol}`, {
        where,
        expected: 'rows of probabilities (pass logits instead if these are scores)',
      });
    }
  }
}
