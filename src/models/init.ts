/**
 * Seeded weight initialisation, computed in JavaScript from the layer graph's parameter list so that the
 * same seed gives bit-identical initial weights on every engine and backend.
 */
import { MiaError } from '../errors.js';
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

/**
 * Checks that `weights` are exactly the parameters of `params` (same names, shapes and lengths, nothing
 * missing or extra) and returns them by name. Throws MiaError E_MODEL naming the weight at fault.
 */
export function checkWeights(
  params: readonly Pick<ParamInfo, 'name' | 'shape'>[],
  weights: readonly NamedWeight[],
  archName: string,
): Map<string, NamedWeight> {
  const byName = new Map(weights.map((w) => [w.name, w]));
  for (const p of params) {
    const w = byName.get(p.name);
    const where = `weights ${p.name}`;
    if (w === undefined) {
      throw new MiaError('E_MODEL', `missing weight '${p.name}' for ${archName}`, { where });
    }
    if (
      w.shape.length !== p.shape.length ||
      w.shape.some((d, i) => d !== p.shape[i]) ||
      w.data.length !== shapeSize(p.shape)
    ) {
      throw new MiaError('E_MODEL', 'weight shape does not match the architecture', {
        where,
        expected: `[${p.shape.join(', ')}]`,
        found: `[${w.shape.join(', ')}]`,
      });
    }
  }
  if (byName.size !== params.length) {
    const known = new Set(params.map((p) => p.name));
    const extra = weights.find((w) => !known.has(w.name));
    throw new MiaError('E_MODEL', `unexpected weight '${extra?.name}' for ${archName}`, {
      where: `weights ${extra?.name}`,
    });
  }
  return byName;
}
