// Small builders shared by the audit tests: hand-made results and privacy points, the MiaError a call
// throws, and the check of a run directory's JSON files against their schemas.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AuditResult } from '../../src/audit/attack-stage.js';
import type { PrivacyPoint } from '../../src/audit/privacy-collection.js';
import type { TprAtFprEntry } from '../../src/audit/run-attacks.js';
import { RUN_FILES } from '../../src/audit/run-format/index.js';
import { isMiaError, type MiaError } from '../../src/errors.js';

/** The MiaError that `fn` throws (fails the test when it throws something else or nothing). */
export function errorOf(fn: () => unknown): MiaError {
  try {
    fn();
  } catch (e) {
    assert.ok(isMiaError(e), `expected a MiaError, got ${String(e)}`);
    return e;
  }
  assert.fail('expected an error');
}

/**
 * A result with AUC `auc` (advantage auc − 0.5) and TPR `tpr` at 1% FPR (interval [0, 1]) on the
 * entire dataset of 10 members and 10 non-members; `more` replaces or adds fields (slice, sizes,
 * experiment, model, …).
 */
export function fakeResult(
  attack: string,
  auc: number,
  tpr: number,
  more: Partial<AuditResult> = {},
): AuditResult {
  return {
    attack,
    signal: 'loss',
    slice: { feature: 'entire_dataset' },
    nMembers: 10,
    nNonMembers: 10,
    auc,
    advantage: auc - 0.5,
    aucInterval: { low: Math.max(0, auc - 0.2), high: Math.min(1, auc + 0.2), se: 0.1, method: 'DeLong' },
    ppvMaxOverThresholds: 0.5,
    tprAtFpr: { '0.01': tprEntry(tpr, 0, 1, false) },
    epsilonLowerBound: 0,
    epsilon: { estimate: 0, low: 0, high: 0, thresholdsTried: 1 },
    ...more,
  };
}

/** A point of privacy-by-epoch.json with only its AUC set (advantage, TPR 0; no accuracies). */
export function fakePoint(
  model: string,
  epoch: number,
  attack: string,
  auc: number,
  more: Partial<PrivacyPoint> = {},
): PrivacyPoint {
  return {
    model,
    epoch,
    attack,
    auc,
    advantage: 0,
    tprAt1Fpr: 0,
    valAccuracy: null,
    trainAccuracy: null,
    ...more,
  };
}

/**
 * The paths (`a.b[2].c`) of the keys of JSON value `raw` that `parsed` (its zod parse, which drops keys
 * its schema does not know) lacks: [] when the schema covers every key of the file.
 */
export function unknownKeys(raw: unknown, parsed: unknown, path = ''): string[] {
  if (Array.isArray(raw)) {
    if (!Array.isArray(parsed)) return [path];
    return raw.flatMap((v, i) => unknownKeys(v, parsed[i], `${path}[${i}]`));
  }
  if (raw === null || typeof raw !== 'object') return [];
  if (parsed === null || typeof parsed !== 'object') return [path];
  const p = parsed as Record<string, unknown>;
  return Object.entries(raw).flatMap(([k, v]) => {
    const at = path === '' ? k : `${path}.${k}`;
    return k in p ? unknownKeys(v, p[k], at) : [at];
  });
}

/**
 * Checks every JSON file of run directory `dir` that RUN_FILES gives a schema (privacy/<id>.json for
 * each model file there): it parses, and its schema knows every key in it.
 */
export function assertRunFormat(dir: string): void {
  for (const f of RUN_FILES) {
    if (f.schema === undefined) continue;
    const files = f.path.includes('<')
      ? matching(dir, f.path)
      : existsSync(join(dir, f.path))
        ? [f.path]
        : [];
    for (const rel of files) {
      const raw: unknown = JSON.parse(readFileSync(join(dir, rel), 'utf8'));
      const r = f.schema.safeParse(raw);
      assert.ok(r.success, `${rel}: ${r.error?.message}`);
      assert.deepEqual(unknownKeys(raw, r.data), [], `${rel}: keys its schema does not know`);
    }
  }
}

/** The files of `dir` matching a RUN_FILES path with one `<…>` part in its file name. */
function matching(dir: string, pattern: string): string[] {
  const slash = pattern.lastIndexOf('/');
  const sub = pattern.slice(0, slash);
  if (!existsSync(join(dir, sub))) return [];
  const re = new RegExp(
    `^${pattern
      .slice(slash + 1)
      .replace(/\./g, '\\.')
      .replace(/<[^>]+>/g, '.+')}$`,
  );
  return readdirSync(join(dir, sub))
    .filter((n) => re.test(n))
    .map((n) => `${sub}/${n}`);
}

/** A TPR-at-FPR entry with the given TPR and interval, at 1% realised FPR on 10 of each class. */
export function tprEntry(tpr: number, low: number, high: number, lowSupport: boolean): TprAtFprEntry {
  return {
    tpr,
    low,
    high,
    fpr: 0.01,
    threshold: 1,
    falsePositives: 0,
    truePositives: Math.round(tpr * 10),
    precision: Number.NaN,
    precisionLow: Number.NaN,
    precisionHigh: Number.NaN,
    lowSupport,
  };
}

/**
 * A small reference-mode audit (synthetic [10] data, 200 audit samples, an MLP of 4 epochs, rmia and
 * loss on the entire dataset and per class) with `audit.reference_models: <referenceModels>` (YAML: a
 * number or a `{min, max, until}` schedule), writing to `dir`; `report` enables the report.
 */
export function untilAuditConfig(dir: string, referenceModels: string, report = false): string {
  return `run:
  seed: 3
  log_dir: ${dir}
data:
  dataset: synthetic
  audit_size: 200
  population_size: 80
  validation_size: 20
  synthetic: {shape: [10], classes: 3, noise: 2}
target:
  architecture: {name: mlp, params: {hidden: "24"}}
  epochs: 4
  batch_size: 20
audit:
  attacks: [rmia, loss]
  slices: [entire, class]
  reference_models: ${referenceModels}
  fpr_targets: [0.001, 0.01, 0.05, 0.1]
report:
  enabled: ${report}
`;
}
