/**
 * A layer list as JSON (how `from_onnx` architectures keep the layers read from an ONNX file in their
 * saved, hashed spec): parsed and checked to be an array of objects of known layer types.
 */
import { MiaError } from '../errors.js';
import type { Layer } from './layer-graph.js';

const LAYER_TYPES: readonly Layer['type'][] = [
  'conv2d',
  'maxpool',
  'batchnorm',
  'activation',
  'flatten',
  'global_avg_pool',
  'dense',
  'basic_block',
  'wide_block',
  'dropout',
  'groupnorm',
  'residual',
];

/**
 * The layers of `raw` (a JSON string or the parsed array). Throws E_CONFIG (naming `where`) when it is not
 * an array of objects whose `type` is a known layer type (residual branches checked too).
 */
export function parseLayers(raw: unknown, where: string): Layer[] {
  let v: unknown = raw;
  if (typeof raw === 'string') {
    try {
      v = JSON.parse(raw);
    } catch {
      throw new MiaError('E_CONFIG', 'layers must be a JSON array of layers', {
        where,
        found: raw.slice(0, 60),
      });
    }
  }
  const check = (xs: unknown): void => {
    if (!Array.isArray(xs))
      throw new MiaError('E_CONFIG', 'layers must be a JSON array of layers', { where });
    for (const x of xs) {
      const t = (x as { type?: unknown } | null)?.type;
      if (!LAYER_TYPES.includes(t as Layer['type'])) {
        throw new MiaError('E_CONFIG', `unknown layer type ${JSON.stringify(t)}`, {
          where,
          expected: LAYER_TYPES.join(', '),
        });
      }
      if (t === 'residual') {
        check((x as { main?: unknown }).main);
        check((x as { shortcut?: unknown }).shortcut);
      }
    }
  };
  check(v);
  return v as Layer[];
}
