/**
 * The data of an audit: the configured dataset loaded into N audit samples (from the training split;
 * the models train on halves of them) and Z population samples (from the test split; no model trains
 * on them), with the dataset record that is hashed into every model's cache key.
 */
import { resolve } from 'node:path';
import { type DatasetOptions, loadDataset } from '../data/registry.js';
import { isMiaError, MiaError } from '../errors.js';
import type { LoadedConfig } from './config.js';
import { type AuditData, hashSamples } from './model-stage.js';

/** Re-points the loader's size errors at the config keys that set them. */
function dataError(e: unknown, loaded: LoadedConfig): unknown {
  if (!isMiaError(e)) return e;
  const map: Record<string, string> = {
    'dataset.trainSize': 'data.audit_size',
    'dataset.testSize': 'data.population_size',
    'dataset.firstKClasses': 'data.first_k_classes',
    'dataset.path': 'data.path',
  };
  const key = e.where !== undefined ? map[e.where] : undefined;
  if (key === undefined) return e;
  const msg = e.message.replace('trainSize', key).replace('testSize', key).replace('firstKClasses', key);
  return new MiaError(e.code, msg.startsWith(key) ? msg : `${key}: ${msg}`, {
    where: loaded.where(key),
    ...(e.expected !== undefined ? { expected: e.expected } : {}),
    ...(e.found !== undefined ? { found: e.found } : {}),
  });
}

/**
 * Loads the dataset of the config (data section; seeded with run.seed) into the audit's N audit samples
 * and Z population samples; the first validation_size population samples validate each epoch. The
 * loader's size errors are re-pointed at the config keys (data.audit_size, …) and their line.
 */
export async function loadAuditData(
  loaded: LoadedConfig,
): Promise<{ data: AuditData; notices: string[]; source: string; name: string; usedFallback: boolean }> {
  const cfg = loaded.config;
  const d = cfg.data;
  const z = d.populationSize;
  const hashed: Record<string, unknown> = {
    seed: cfg.run.seed,
    trainSize: d.auditSize,
    testSize: Math.max(1, z),
  };
  if (d.firstKClasses !== undefined) hashed.firstKClasses = d.firstKClasses;
  if (d.normalize !== undefined) hashed.normalize = d.normalize;
  if (d.synthetic !== undefined) {
    const s: Record<string, unknown> = {};
    if (d.synthetic.shape !== undefined) s.shape = d.synthetic.shape;
    if (d.synthetic.classes !== undefined) s.numClasses = d.synthetic.classes;
    if (d.synthetic.noise !== undefined) s.noise = d.synthetic.noise;
    hashed.synthetic = s;
  }
  const options: DatasetOptions = { ...(hashed as DatasetOptions), download: d.download };
  if (d.allowSyntheticFallback) options.allowSyntheticFallback = true;
  if (d.path !== undefined) options.path = resolve(d.path);
  let pair: Awaited<ReturnType<typeof loadDataset>>;
  try {
    pair = await loadDataset(d.dataset, options);
  } catch (e) {
    throw dataError(e, loaded);
  }
  const audit = pair.train;
  const population = z > 0 ? pair.test : undefined;
  const v = Math.min(d.validationSize, population?.n ?? 0);
  const size = audit.x.length / Math.max(1, audit.n);
  const validation =
    population !== undefined && v > 0
      ? { x: population.x.subarray(0, v * size), y: population.y.subarray(0, v), n: v }
      : undefined;
  if (pair.usedFallback) hashed.fallback = 'synthetic';
  return {
    data: {
      audit,
      population,
      validation,
      dataset: { name: d.dataset, options: hashed },
      dataKey: hashSamples(audit, population),
    },
    notices: pair.notices,
    source: audit.source,
    name: audit.name,
    usedFallback: pair.usedFallback,
  };
}
