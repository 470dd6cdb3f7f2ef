/**
 * Labelled samples, the one `{x, y, n}` shape every stage passes around (a dataset, a training batch,
 * the members of an attack during training), and the row gather that copies some of them out.
 */

/** Labelled samples: `x` holds n × prod(shape) values (row-major, NHWC for images), `y` n labels. */
export interface LabelledSamples {
  x: Float32Array;
  y: Int32Array;
  n: number;
}

/** Labelled samples with their per-sample shape and number of classes. */
export interface ShapedSamples extends LabelledSamples {
  /** Per-sample shape: [h, w, c] for images, [d] for tabular rows. */
  shape: number[];
  numClasses: number;
}

/**
 * Samples `rows` of `s` (in that order), copied into new arrays, or into the first rows.length rows of
 * `into` (a training batch's reused buffers). The rows are not checked (splits.ts take does that).
 */
export function gatherRows(
  s: LabelledSamples,
  rows: ArrayLike<number>,
  into?: { x: Float32Array; y: Int32Array },
): LabelledSamples {
  const m = rows.length;
  const size = s.n > 0 ? s.x.length / s.n : 0;
  const x = into?.x ?? new Float32Array(m * size);
  const y = into?.y ?? new Int32Array(m);
  for (let j = 0; j < m; j++) {
    const r = rows[j]!;
    x.set(s.x.subarray(r * size, (r + 1) * size), j * size);
    y[j] = s.y[r]!;
  }
  return { x, y, n: m };
}
