/**
 * Reverse-mode differentiation over ONNX nodes: each forward op (tape-ops.ts, tape-norm.ts) writes its
 * nodes through the Builder and records how to write its gradient; `backward` replays the records in
 * reverse and sums the gradients of values used more than once (residual additions). Values that depend
 * on no parameter (the input images, dropout masks) get no gradient nodes.
 *
 * Tensors are NCHW images or [N, d] rows; `shape` is the per-sample shape ([c, h, w] or [d]).
 */
import type { Builder } from './graph-builder.js';

/** A value of the forward pass: its ONNX name and per-sample shape. */
export interface Value {
  name: string;
  shape: number[];
}

export class Tape {
  private readonly steps: (() => void)[] = [];
  private readonly grads = new Map<string, string>();
  /** Values whose gradient is wanted (they depend on a parameter). */
  private readonly live = new Set<string>();

  constructor(readonly b: Builder) {}

  /** Marks `name` (a parameter input) as needing a gradient. */
  param(name: string): string {
    this.live.add(name);
    return name;
  }

  /** True when `name` depends on a parameter. */
  needs(name: string): boolean {
    return this.live.has(name);
  }

  /**
   * Records an op with output `out` computed from `inputs`: `out` needs a gradient when any input does,
   * and `back(g)` (g: the gradient of `out`) runs during the backward pass when `out` got one.
   */
  record(out: string, inputs: readonly string[], back: (g: string) => void): void {
    if (!inputs.some((i) => this.live.has(i))) return;
    this.live.add(out);
    this.steps.push(() => {
      const g = this.grads.get(out);
      if (g !== undefined) back(g);
    });
  }

  /** Adds `g` to the gradient of `name` (no-op when `name` needs none). */
  addGrad(name: string, g: string): void {
    if (!this.live.has(name)) return;
    const prev = this.grads.get(name);
    this.grads.set(name, prev === undefined ? g : this.b.one('Add', [prev, g]));
  }

  /** Runs the backward pass from d(loss)/d(out) = `g`; returns the gradient of every parameter reached. */
  backward(out: string, g: string): Map<string, string> {
    this.grads.set(out, g);
    for (let i = this.steps.length - 1; i >= 0; i--) this.steps[i]!();
    return this.grads;
  }
}
