/**
 * The models of a reference-mode audit (reference-audit.ts) as a plan: row 0 of the keep matrix is the
 * target, rows 1..M the references, each with its id (`target`, `ref-01`, …), training config, seed and
 * training rows, plus the attacks during training of the models that act as targets. The single-process
 * pipeline and the scaled mode's per-model jobs (model-job.ts) plan from the same function, so a model
 * trained by a job is the model the pipeline would train.
 */
import { Rng } from '../rng.js';
import type { ReferenceAudit } from './config.js';
import { trainingRows } from './keep.js';
import type { AuditData, ModelPlan } from './model-stage.js';
import { subsampleRows } from './privacy-callback.js';
import type { RunPaths } from './run-paths.js';
import { privacyPath } from './run-paths.js';
import { deriveSeed } from './seeds.js';

/** The id of model row `r` (0 = "target", r ≥ 1 = "ref-01", …) for audit `cfg`. */
export function modelIdOf(cfg: ReferenceAudit, r: number): string {
  // a schedule's ids must not change when a later run raises its max (ref-01 … ref-99, ref-100, …)
  const width =
    cfg.audit.referenceSchedule !== undefined ? 2 : Math.max(2, String(cfg.audit.referenceModels).length);
  return r === 0 ? 'target' : `ref-${String(r).padStart(width, '0')}`;
}

/** The models of the run: row 0 the target, rows 1..M the references. */
export function planModels(cfg: ReferenceAudit, keep: Uint8Array, n: number): ModelPlan[] {
  const m = 1 + cfg.audit.referenceModels;
  const plans: ModelPlan[] = [];
  for (let r = 0; r < m; r++) {
    const training = r === 0 ? cfg.target : cfg.reference;
    plans.push({
      index: r,
      id: modelIdOf(cfg, r),
      label:
        r === 0 ? `target (${training.architecture.name})` : `reference ${r} (${training.architecture.name})`,
      role: r === 0 ? 'target' : 'reference',
      training,
      seed: deriveSeed(cfg.run.seed, `model:${r}`),
      rows: trainingRows(keep, n, r),
    });
  }
  return plans;
}

/**
 * Attacks during training (audit.privacy_every_epochs) on the models that act as targets (rows
 * 0 … num_experiments−1): members = the audit samples a model trains on, non-members = the other audit
 * samples (as in the final attacks), each a seeded subset of at most audit.privacy_samples.
 */
export function addPrivacyTracking(
  plans: ModelPlan[],
  cfg: ReferenceAudit,
  data: AuditData,
  paths: RunPaths,
): void {
  const p = cfg.audit.privacy;
  if (p.everyEpochs < 1) return;
  const k = cfg.run.numExperiments;
  const n = data.audit.n;
  for (const plan of plans.slice(0, k)) {
    const inRows = new Uint8Array(n);
    for (const r of plan.rows) inRows[r] = 1;
    const outRows = new Int32Array(n - plan.rows.length);
    for (let i = 0, j = 0; i < n; i++) if (inRows[i] === 0) outRows[j++] = i;
    const rng = new Rng(deriveSeed(cfg.run.seed, `privacy:${plan.index}`));
    plan.privacy = {
      path: privacyPath(paths, plan.id),
      callback: {
        model: plan.id,
        ...(k > 1 ? { experiment: String(plan.index) } : {}),
        members: subsampleRows(data.audit, p.samples, rng.fork(), plan.rows),
        nonMembers: subsampleRows(data.audit, p.samples, rng.fork(), outRows),
        attacks: p.attacks,
        everyEpochs: p.everyEpochs,
        maxSamples: p.samples,
        seed: deriveSeed(cfg.run.seed, `privacy-attacks:${plan.index}`),
      },
    };
  }
}
