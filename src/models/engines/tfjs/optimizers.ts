/**
 * SGD and Adam for the TensorFlow.js engine, implementing exactly the update rules documented on
 * OptimizerSpec (optimizers.ts; PyTorch's formulations), with the learning rate passed per step so that
 * schedules need no optimiser rebuild. State (momentum buffers, Adam moments) lives in tf variables
 * created at the first step and freed by dispose().
 */
import * as tf from '@tensorflow/tfjs-core';
import type { NormalizedOptimizerSpec } from '../../optimizers.js';
import { adamUpdate } from './kernels/adam.js';

export interface TfjsOptimizer {
  /** Applies one update to `vars` given their gradients (same order), at learning rate `lr`. */
  apply(vars: readonly tf.Variable[], grads: readonly tf.Tensor[], lr: number): void;
  dispose(): void;
}

/** An optimiser for `spec`. Its state is created lazily for the variables it is first applied to. */
export function createTfjsOptimizer(spec: NormalizedOptimizerSpec): TfjsOptimizer {
  return spec.name === 'sgd' ? new Sgd(spec) : new Adam(spec);
}

class Sgd implements TfjsOptimizer {
  private buffers: tf.Variable[] | undefined;
  private started = false;
  constructor(private readonly spec: Extract<NormalizedOptimizerSpec, { name: 'sgd' }>) {}

  apply(vars: readonly tf.Variable[], grads: readonly tf.Tensor[], lr: number): void {
    const { momentum, nesterov, weightDecay } = this.spec;
    if (momentum > 0 && this.buffers === undefined) {
      this.buffers = vars.map((v) => tf.tidy(() => tf.variable(tf.zerosLike(v), false)));
    }
    const first = !this.started;
    this.started = true;
    tf.tidy(() => {
      vars.forEach((w, i) => {
        let g = grads[i]!;
        if (weightDecay > 0) g = tf.add(g, tf.mul(w, weightDecay));
        if (momentum > 0) {
          const b = this.buffers![i]!;
          const nb = first ? g : tf.add(tf.mul(b, momentum), g);
          b.assign(nb);
          g = nesterov ? tf.add(g, tf.mul(nb, momentum)) : nb;
        }
        w.assign(tf.sub(w, tf.mul(g, lr)));
      });
    });
  }

  dispose(): void {
    for (const b of this.buffers ?? []) b.dispose();
    this.buffers = undefined;
  }
}

class Adam implements TfjsOptimizer {
  private m: tf.Variable[] | undefined;
  private v: tf.Variable[] | undefined;
  private t = 0;
  constructor(private readonly spec: Extract<NormalizedOptimizerSpec, { name: 'adam' }>) {}

  apply(vars: readonly tf.Variable[], grads: readonly tf.Tensor[], lr: number): void {
    const { beta1, beta2, epsilon, weightDecay } = this.spec;
    if (this.m === undefined || this.v === undefined) {
      this.m = vars.map((w) => tf.tidy(() => tf.variable(tf.zerosLike(w), false)));
      this.v = vars.map((w) => tf.tidy(() => tf.variable(tf.zerosLike(w), false)));
    }
    this.t++;
    // One fused kernel per variable where the backend has it (kernels/adam.ts), the
    // same rule in tfjs ops otherwise.
    adamUpdate(vars, grads, this.m, this.v, { lr, beta1, beta2, epsilon, weightDecay, step: this.t });
  }

  dispose(): void {
    for (const b of this.m ?? []) b.dispose();
    for (const b of this.v ?? []) b.dispose();
    this.m = undefined;
    this.v = undefined;
  }
}
