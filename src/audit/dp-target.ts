/**
 * The DP-trained targets of a run: the `dp` field that DP-SGD training writes into a model's model.json
 * (run-format/dp-training.ts ModelDpJson), read back for results.json's `dpTraining` with the utility
 * comparison (the target's accuracy against the run's non-DP models).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { MiaError } from '../errors.js';
import { type DpTrainingJson, ModelDpJson } from './run-format/index.js';

/**
 * The `dp` field of `modelDir`/model.json, validated; undefined when the model was trained without DP
 * (no such field) or the file is absent. A malformed field is E_MODEL naming the file and the field.
 */
export function readModelDp(modelDir: string): ModelDpJson | undefined {
  const path = join(modelDir, 'model.json');
  if (!existsSync(path)) return undefined;
  const raw = (JSON.parse(readFileSync(path, 'utf8')) as { dp?: unknown }).dp;
  if (raw === undefined || raw === null) return undefined;
  const parsed = ModelDpJson.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new MiaError('E_MODEL', `model.json's dp field is malformed: ${issue?.message ?? 'invalid'}`, {
      where: `${path}:dp${issue !== undefined && issue.path.length > 0 ? `.${issue.path.join('.')}` : ''}`,
    });
  }
  return raw as ModelDpJson;
}

/** A model of the run as the DP summary sees it. */
export interface DpCandidate {
  id: string;
  /** The model's cache directory (models/<id>/<hash>/). */
  modelDir: string;
  /** Its last validation accuracy, when measured. */
  accuracy: number | undefined;
  /** Whether it acts as a target (its DP claim is audited). */
  target: boolean;
}

/**
 * results.json's `dpTraining`: each target whose model.json carries `dp`, with its accuracy and, as the
 * baseline of the utility cost, the mean accuracy of the run's models trained without DP (`baseline`
 * names them). Empty when no target is DP-trained.
 */
export function dpTrainingOf(models: readonly DpCandidate[], baselineName: string): DpTrainingJson[] {
  const dp = models.map((m) => ({ m, dp: readModelDp(m.modelDir) }));
  const plain = dp.filter((x) => x.dp === undefined && x.m.accuracy !== undefined).map((x) => x.m.accuracy!);
  const baseline = plain.length > 0 ? plain.reduce((a, b) => a + b, 0) / plain.length : undefined;
  const out: DpTrainingJson[] = [];
  for (const { m, dp: d } of dp) {
    if (d === undefined || !m.target) continue;
    out.push({
      model: m.id,
      ...d,
      ...(m.accuracy !== undefined ? { accuracy: m.accuracy } : {}),
      ...(baseline !== undefined ? { baselineAccuracy: baseline, baseline: baselineName } : {}),
    });
  }
  return out;
}
