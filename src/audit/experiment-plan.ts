/**
 * The plan of an experiments-mode run (experiments.ts): each experiment's data (all classes, or the
 * first k of the run's samples) and the models to train — one per configured model and data, in order
 * of first use, so a model compared by several experiments on the same data is trained once.
 */
import { firstKClasses } from '../data/splits.js';
import { type ErrorWhere, MiaError } from '../errors.js';
import { type ArchSpec, archParamsLabel } from '../models/architectures.js';
import type { ExperimentsAudit, LoadedConfig, TrainingConfig } from './config.js';
import { type AuditData, hashSamples } from './model-stage.js';

/** One trained model of the run: a configured model on one experiment's data. */
export interface Instance {
  /** Results' `model`: the name, plus " (k classes)" on a first-k experiment. */
  id: string;
  /** File-safe id for models/<slug>/ and privacy/<slug>.json: the name, plus "-k<k>". */
  slug: string;
  name: string;
  training: TrainingConfig;
  data: AuditData;
  /** Experiments that compare it, in config order. */
  experiments: string[];
}

/** "dense: depth 4, width 64" — every hyper-parameter but a relu activation. */
export function describeArchitecture(a: Required<ArchSpec>): string {
  if (a.name === 'from_onnx') return `from_onnx ${archParamsLabel(a)}`;
  const ps = Object.entries(a.params)
    .filter(([k, v]) => !(k === 'activation' && v === 'relu'))
    .map(([k, v]) => `${k} ${v}`);
  return ps.length === 0 ? a.name : `${a.name}: ${ps.join(', ')}`;
}

/** The data of an experiment: the run's samples, restricted to labels < k when k is given. */
function variantData(base: AuditData, k: number | undefined, where: () => ErrorWhere): AuditData {
  if (k === undefined) return base;
  const pop = base.population!;
  if (k > base.audit.numClasses) {
    throw new MiaError(
      'E_CONFIG',
      `first_k_classes is larger than the ${base.audit.numClasses} classes of ${base.audit.name}`,
      {
        where: where(),
        expected: `an integer in [2, ${base.audit.numClasses}]`,
        found: String(k),
      },
    );
  }
  const audit = firstKClasses(base.audit, k);
  const population = firstKClasses(pop, k);
  const v = Math.min(base.validation?.n ?? 0, population.n);
  const size = audit.x.length / Math.max(1, audit.n);
  return {
    audit,
    population,
    validation:
      v > 0 ? { x: population.x.subarray(0, v * size), y: population.y.subarray(0, v), n: v } : undefined,
    dataset: { name: base.dataset.name, options: { ...base.dataset.options, experimentFirstKClasses: k } },
    dataKey: hashSamples(audit, population),
  };
}

/** The instances of the run in order of first use (see {@link Instance}). */
export function planInstances(loaded: LoadedConfig<ExperimentsAudit>, base: AuditData): Instance[] {
  const spec = loaded.config.experiments;
  const variants = new Map<number | undefined, AuditData>();
  const byId = new Map<string, Instance>();
  spec.experiments.forEach((e, i) => {
    const k = e.firstKClasses;
    let data = variants.get(k);
    if (data === undefined) {
      data = variantData(base, k, () => loaded.where(`experiments[${i}].first_k_classes`));
      variants.set(k, data);
    }
    for (const name of e.models) {
      const id = k === undefined ? name : `${name} (${k} classes)`;
      let inst = byId.get(id);
      if (inst === undefined) {
        const training = spec.models.find((m) => m.name === name)!.training;
        const slug = k === undefined ? name : `${name}-k${k}`;
        inst = { id, slug, name, training, data, experiments: [] };
        byId.set(id, inst);
      }
      inst.experiments.push(e.name);
    }
  });
  return [...byId.values()];
}
