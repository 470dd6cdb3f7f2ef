/**
 * ONNX models trained elsewhere (PyTorch `torch.onnx.export`, tf2onnx), run for inference by
 * onnxruntime-node's CPU build (shipped inside the npm package; loaded lazily).
 *
 * Callers always hand NHWC rows (our dataset layout). The model's input layout is read from its declared
 * input shape: [N, H, W, C] → NHWC, [N, C, H, W] → NCHW (rows are transposed per batch), [N, D] → flat
 * (rows flattened in NHWC order, or in NCHW order with layout 'nchw'). When the declared shape cannot
 * decide (symbolic dimensions, or H = W = C), pass `layout`.
 */
import { MiaError } from '../../../errors.js';
import { shapeSize } from '../../layer-graph.js';
import type { OutputKind, PredictOptions, Predictor } from '../../predictor.js';

export type OnnxLayout = 'auto' | 'nhwc' | 'nchw';

export interface OnnxOptions {
  /** Per-sample shape of the data that will be fed: [h, w, c] (NHWC) or [d]. Required. */
  inputShape: readonly number[];
  /** Input layout of the model; 'auto' (default) reads it from the model's input shape. */
  layout?: OnnxLayout;
  /**
   * What the model's first output holds. 'auto' (default) decides on the first predict call: probabilities
   * when every value of the first batch is in [0, 1] and every row sums to 1 within 1e-3, else logits.
   */
  output?: 'auto' | OutputKind;
  /** onnxruntime intra-op threads (default: onnxruntime's choice). */
  threads?: number;
  /** Samples per run (default 256, or the model's fixed batch dimension). */
  batchSize?: number;
}

type Ort = typeof import('onnxruntime-node');

async function loadOrt(): Promise<Ort> {
  try {
    return await import('onnxruntime-node');
  } catch (e) {
    throw new MiaError('E_BACKEND', 'onnxruntime-node is not available', {
      where: 'onnx',
      expected: 'npm install onnxruntime-node',
      found: (e instanceof Error ? e.message : String(e)).split('\n')[0] ?? '',
    });
  }
}

/** The effective layout for a model input of declared shape `dims` fed rows of `shape`. */
export function detectLayout(
  dims: readonly (number | string)[],
  shape: readonly number[],
  forced: OnnxLayout,
  where: string,
): 'nhwc' | 'nchw' | 'flat' {
  const known = (d: number | string | undefined): number | undefined =>
    typeof d === 'number' && d > 0 ? d : undefined;
  if (dims.length === 2 || shape.length === 1) {
    const d = known(dims[1]);
    if (dims.length !== 2 || (d !== undefined && d !== shapeSize(shape))) {
      throw new MiaError('E_SHAPE_MISMATCH', 'the model input does not fit the data', {
        where,
        expected: `[N, ${shapeSize(shape)}] for rows of [${shape.join(', ')}]`,
        found: `[${dims.join(', ')}]`,
      });
    }
    return forced === 'nchw' ? 'nchw' : 'flat';
  }
  if (dims.length !== 4 || shape.length !== 3) {
    throw new MiaError('E_SHAPE_MISMATCH', 'the model input does not fit the data', {
      where,
      expected: `a rank-4 image input for rows of [${shape.join(', ')}]`,
      found: `[${dims.join(', ')}]`,
    });
  }
  const [h, w, c] = shape as [number, number, number];
  const [a, b, d] = [known(dims[1]), known(dims[2]), known(dims[3])];
  const fits = (x: number | undefined, want: number) => x === undefined || x === want;
  const nhwc = fits(a, h) && fits(b, w) && fits(d, c);
  const nchw = fits(a, c) && fits(b, h) && fits(d, w);
  if (forced !== 'auto') {
    if ((forced === 'nhwc' && !nhwc) || (forced === 'nchw' && !nchw)) {
      throw new MiaError('E_SHAPE_MISMATCH', `the model input does not fit ${forced.toUpperCase()} rows`, {
        where,
        expected: forced === 'nhwc' ? `[N, ${h}, ${w}, ${c}]` : `[N, ${c}, ${h}, ${w}]`,
        found: `[${dims.join(', ')}]`,
      });
    }
    return forced;
  }
  if (nhwc && !nchw) return 'nhwc';
  if (nchw && !nhwc) return 'nchw';
  if (!nhwc && !nchw) {
    throw new MiaError('E_SHAPE_MISMATCH', 'the model input fits neither NHWC nor NCHW rows of the data', {
      where,
      expected: `[N, ${h}, ${w}, ${c}] or [N, ${c}, ${h}, ${w}]`,
      found: `[${dims.join(', ')}]`,
    });
  }
  throw new MiaError('E_MODEL', 'cannot tell whether the model takes NHWC or NCHW input; pass the layout', {
    where,
    expected: "layout 'nhwc' or 'nchw' (mia infer --layout)",
    found: `input shape [${dims.join(', ')}]`,
  });
}

/** NHWC rows → NCHW rows (n images of h × w × c). */
export function nhwcToNchw(src: Float32Array, n: number, h: number, w: number, c: number): Float32Array {
  const out = new Float32Array(n * h * w * c);
  const plane = h * w;
  for (let i = 0; i < n; i++) {
    const base = i * plane * c;
    for (let p = 0; p < plane; p++) {
      for (let k = 0; k < c; k++) out[base + k * plane + p] = src[base + p * c + k]!;
    }
  }
  return out;
}

/** True when every value is in [0, 1] and every row of width c sums to 1 within 1e-3. */
export function looksLikeProbs(v: Float32Array, c: number): boolean {
  for (let i = 0; i < v.length; i += c) {
    let s = 0;
    for (let k = 0; k < c; k++) {
      const p = v[i + k]!;
      if (!(p >= 0 && p <= 1)) return false;
      s += p;
    }
    if (Math.abs(s - 1) > 1e-3) return false;
  }
  return true;
}

/**
 * Opens the ONNX model at `path` for inference. Throws E_BACKEND when onnxruntime-node cannot load,
 * E_MODEL when the file is not a loadable ONNX model or its input is not float32, E_SHAPE_MISMATCH /
 * E_MODEL from the layout detection above.
 */
export async function loadOnnxModel(path: string, options: OnnxOptions): Promise<Predictor> {
  const ort = await loadOrt();
  let session: import('onnxruntime-node').InferenceSession;
  try {
    session = await ort.InferenceSession.create(path, {
      graphOptimizationLevel: 'all',
      ...(options.threads !== undefined ? { intraOpNumThreads: options.threads } : {}),
    });
  } catch (e) {
    throw new MiaError(
      'E_MODEL',
      `cannot load the ONNX model: ${(e instanceof Error ? e.message : String(e)).split('\n')[0]}`,
      {
        where: path,
      },
    );
  }
  const meta = session.inputMetadata[0];
  const outMeta = session.outputMetadata[0];
  if (meta === undefined || outMeta === undefined) {
    throw new MiaError('E_MODEL', 'the ONNX model has no input or no output', { where: path });
  }
  const dims = meta.isTensor ? meta.shape : [];
  if (meta.isTensor && meta.type !== 'float32') {
    throw new MiaError('E_MODEL', 'the ONNX model input is not float32', { where: path, found: meta.type });
  }
  const shape = [...options.inputShape];
  if (dims.length === 0 && options.layout === undefined) {
    throw new MiaError('E_MODEL', 'the ONNX model does not declare its input shape; pass the layout', {
      where: path,
    });
  }
  const layout =
    dims.length === 0
      ? shape.length === 1
        ? 'flat'
        : (options.layout as 'nhwc' | 'nchw')
      : detectLayout(dims, shape, options.layout ?? 'auto', path);
  const fixedBatch = typeof dims[0] === 'number' && dims[0] > 0 ? dims[0] : undefined;
  const feedDims =
    layout === 'flat' || (layout === 'nchw' && dims.length === 2)
      ? [shapeSize(shape)]
      : layout === 'nchw'
        ? [shape[2]!, shape[0]!, shape[1]!]
        : shape;
  const outDims = outMeta.isTensor ? outMeta.shape : [];
  const lastOut = outDims[outDims.length - 1];
  let numClasses = typeof lastOut === 'number' && lastOut > 0 ? lastOut : 0;
  let kind: OutputKind | undefined = options.output === 'auto' ? undefined : options.output;
  const size = shapeSize(shape);
  const name = path.split('/').pop() ?? path;

  const predictor: Predictor = {
    get description() {
      return `${name} (onnxruntime-node cpu, ${layout.toUpperCase()} input)`;
    },
    inputShape: shape,
    get numClasses() {
      return numClasses;
    },
    get outputKind() {
      return kind ?? 'logits';
    },
    async predict(x: Float32Array, n: number, popts: PredictOptions = {}): Promise<Float32Array> {
      if (x.length < n * size) {
        throw new MiaError('E_SHAPE_MISMATCH', `x holds ${x.length} values, fewer than n × ${size}`, {
          where: path,
        });
      }
      const bs = fixedBatch ?? Math.max(1, popts.batchSize ?? options.batchSize ?? 256);
      let out: Float32Array | undefined;
      for (let s = 0; s < n; s += bs) {
        const m = Math.min(bs, n - s);
        let rows = x.subarray(s * size, (s + m) * size);
        if (fixedBatch !== undefined && m < fixedBatch) {
          const padded = new Float32Array(fixedBatch * size);
          padded.set(rows);
          rows = padded;
        }
        const b = fixedBatch ?? m;
        const feed =
          layout === 'nchw' && shape.length === 3
            ? nhwcToNchw(rows, b, shape[0]!, shape[1]!, shape[2]!)
            : rows;
        const tensor = new ort.Tensor('float32', feed, [b, ...feedDims]);
        let result: Record<string, import('onnxruntime-node').Tensor>;
        try {
          result = await session.run({ [meta.name]: tensor });
        } catch (e) {
          throw new MiaError(
            'E_MODEL',
            `ONNX inference failed: ${(e instanceof Error ? e.message : String(e)).split('\n')[0]}`,
            {
              where: path,
            },
          );
        }
        const y = result[outMeta.name]!;
        const data = y.data as Float32Array;
        if (y.type !== 'float32' || y.dims.length !== 2 || y.dims[0] !== b) {
          throw new MiaError('E_MODEL', 'the ONNX model output is not a float32 [batch, classes] matrix', {
            where: path,
            found: `${y.type} [${y.dims.join(', ')}]`,
          });
        }
        const c = y.dims[1]!;
        if (out === undefined) {
          numClasses = c;
          out = new Float32Array(n * c);
          if (kind === undefined) kind = looksLikeProbs(data.subarray(0, m * c), c) ? 'probs' : 'logits';
        }
        out.set(data.subarray(0, m * c), s * c);
      }
      return out ?? new Float32Array(0);
    },
    async dispose() {
      await session.release();
    },
  };
  return predictor;
}
