/**
 * What inference needs from a model, whatever made it: our own trained models (engine.ts), ONNX files
 * (engines/ort/onnx-model.ts) and TensorFlow.js / Keras layers models (engines/tfjs/layers-model.ts).
 */

/** Whether a predictor's rows are raw logits or class probabilities (rows summing to 1). */
export type OutputKind = 'logits' | 'probs';

export interface PredictOptions {
  /** Samples per forward pass. Default: the predictor's own (256 for our engine). */
  batchSize?: number;
}

export interface Predictor {
  /** One line: what the model is and what runs it ("small_cnn (tfjs wasm)", "model.onnx (onnxruntime-node cpu)"). */
  readonly description: string;
  /** Per-sample input shape the predictor expects from callers: [h, w, c] (NHWC) or [d]. */
  readonly inputShape: readonly number[];
  /** Number of output columns; for ONNX models without static output shape it is known after the first call. */
  readonly numClasses: number;
  readonly outputKind: OutputKind;
  /**
   * Runs the model on `n` samples: `x` holds n × prod(inputShape) values, row-major NHWC. Resolves to
   * n × numClasses float32 values, row-major (logits or probabilities as `outputKind` says). Throws
   * E_SHAPE_MISMATCH when x.length ≠ n · prod(inputShape).
   */
  predict(x: Float32Array, n: number, options?: PredictOptions): Promise<Float32Array>;
  /** Frees native / tensor memory. The predictor cannot be used afterwards. */
  dispose(): void | Promise<void>;
}
