/**
 * Seeded weight initialisation, computed in JavaScript from the layer graph's parameter list so that the
 * same seed gives bit-identical initial weights on every engine and backend.
 */
import { Rng } from '../rng.js';
import { type ParamInfo, shapeSize } from './layer-graph.js';

/** A named weight array: `data` holds prod(shape) float32 values, row-major. */
export interface NamedWeight {
  name: string;
  shape: number[];
  data: Float32Array;
}

/**
 * Initial values of every parameter, in `params` order, drawn from one Rng seeded with `seed`:
 * - `glorot_uniform`: U(−l, l), l = √(6 / (fanIn + fanOut)) (Keras GlorotUniform; fans as Keras computes
 *   them: receptive field × channels for convolutions);
 * - `he_normal_fan_out`: N(0, 2 / fanOut) (PyTorch `kaiming_normal_(mode='fan_out', nonlinearity='relu')`,
 *   as torchvision's ResNet uses), not truncated;
 * - `zeros`, `ones`: constants (biases, batch-norm β / γ, moving mean / variance).
 * Parameters are drawn in order; constants consume no random numbers.
 */
export function initialWeights(params: readonly ParamInfo[], seed: number): NamedWeight[] {
  const rng = new Rng(seed);
  return params.map((p) => {
    const data = new Float32Array(shapeSize(p.shape));
    switch (p.init) {
      case 'zeros':
        break;
      case 'ones':
        data.fill(1);
        break;
      case 'glorot_uniform': {
        const limit = Math.sqrt(6 / (p.fanIn + p.fanOut));
        for (let i = 0; i < data.length; i++) data[i] = (rng.next() * 2 - 1) * limit;
        break;
      }
      case 'he_normal_fan_out': {
        const std = Math.sqrt(2 / p.fanOut);
        for (let i = 0; i < data.length; i++) data[i] = rng.normal() * std;
        break;
      }
    }
    return { name: p.name, shape: [...p.shape], data };
  });
}
