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

/** What loadAuditData returns. */
export interface LoadedAuditData {
  data: AuditData;
  /** Lines for the user: the loader's notices, and the fallback dataset's when it stood in. */
  notices: string[];
  source: string;
  /** The dataset used (data.fallback_dataset's when the configured one was not found). */
  name: string;
  /** The dataset the config asked for (data.dataset). */
  requested: string;
  /** True when the built-in synthetic dataset stood in for a missing one. */
  usedFallback: boolean;
  /** Set when data.fallback_dataset stood in for data.dataset: why, in words. */
  fallbackNotice?: string;
}

/**
 * Loads the dataset of the config (data section; seeded with run.seed) into the audit's N audit samples
 * and Z population samples; the first validation_size population samples validate each epoch. When the
 * dataset is not found (E_DATASET) and data.fallback_dataset is set, that dataset is loaded instead
 * (same sizes and options, without data.path) and a notice says so; the synthetic stand-in
 * (allow_synthetic_fallback) is tried only after the fallback dataset. The loader's size errors are
 * re-pointed at the config keys (data.audit_size, …) and their line.
 */
export async function loadAuditData(loaded: LoadedConfig): Promise<LoadedAuditData> {
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
  let name: string = d.dataset;
  let fallbackNotice: string | undefined;
  try {
    // with a fallback dataset, the synthetic stand-in only comes after it
    const first: DatasetOptions = { ...options };
    if (d.fallbackDataset !== undefined) delete first.allowSyntheticFallback;
    pair = await loadDataset(d.dataset, first);
  } catch (e) {
    if (!(isMiaError(e) && e.code === 'E_DATASET' && d.fallbackDataset !== undefined))
      throw dataError(e, loaded);
    name = d.fallbackDataset;
    const rest: DatasetOptions = { ...options };
    delete rest.path;
    try {
      pair = await loadDataset(name, rest);
    } catch (e2) {
      throw dataError(e2, loaded);
    }
    const why = e.message.replace(/^\S+ not found\.\s*/, '').replace(/^Looked/, 'looked');
    fallbackNotice = `${d.dataset} was not found (${why}); ${name} stands in for it (data.fallback_dataset), so the results describe ${name}`;
    pair.notices.unshift(fallbackNotice);
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
      dataset: { name, options: hashed },
      dataKey: hashSamples(audit, population),
    },
    notices: pair.notices,
    source: audit.source,
    name: audit.name,
    requested: d.dataset,
    usedFallback: pair.usedFallback,
    ...(fallbackNotice !== undefined ? { fallbackNotice } : {}),
  };
}
