/**
 * The attacks of the reference audit over its output exposures (audit.exposure) and experiments: the
 * models were queried once (model-stage.ts); each exposure is a transformation of those outputs
 * (signals/exposure.ts), on which every attack that can run on it runs (attack-stage.ts
 * attackFitsExposure; the others are skipped with a note). The first exposure listed is the run's
 * primary one: its scores go to scores.npz (scores/experiment-<e>.npz) and records.csv.
 */
import { parseExposure } from '../signals/exposure.js';
import {
  type AttackStageInput,
  type AuditResult,
  buildAttackInput,
  type ExperimentOutcome,
  runExperiment,
} from './attack-stage.js';
import type { ReferenceAudit } from './config.js';
import type { ClaimCandidate } from './dp-claim.js';
import type { AuditData, ModelSignals } from './model-stage.js';

/** What the sweep reports as it goes. */
export interface SweepHooks {
  /** One line of progress or a note. */
  log(line: string): void;
  /** Seconds of one attack (timing.json). */
  time(stage: string, seconds: number): void;
  /** Called with each experiment's outcome on the primary exposure (scores files). */
  primary(outcome: ExperimentOutcome, e: number): void;
}

/** The exposures of a config: audit.exposure, or only probs when absent. */
export function auditExposures(cfg: ReferenceAudit): string[] {
  return cfg.audit.exposure ?? ['probs'];
}

/**
 * Runs every experiment on every exposure (see the file header). Results carry `exposure` when
 * audit.exposure is given, `experiment` and `model` when the run has several experiments; notes of
 * experiment e end with "[experiment e]" and of a non-primary exposure with "[exposure x]". The ε
 * claim candidates are those of every exposure (the claim corrects for all of them).
 */
export function runExposureSweep(
  models: readonly ModelSignals[],
  keep: Uint8Array,
  data: AuditData,
  cfg: ReferenceAudit,
  queries: number,
  hooks: SweepHooks,
): { results: AuditResult[]; notes: string[]; candidates: ClaimCandidate[] } {
  const exposures = auditExposures(cfg);
  const tagExposure = cfg.audit.exposure !== undefined;
  const k = cfg.run.numExperiments;
  const tag = k > 1;
  const results: AuditResult[] = [];
  const notes: string[] = [];
  const candidates: ClaimCandidate[] = [];
  exposures.forEach((name, xi) => {
    const exposure = parseExposure(name, 'audit.exposure');
    const input: AttackStageInput = buildAttackInput(models, keep, data, cfg.audit.signal, queries, exposure);
    for (let e = 0; e < k; e++) {
      const te = performance.now();
      const out = runExperiment(input, cfg, e, e, tag, tagExposure);
      const parts = [
        ...(tag ? [`experiment ${e}, target ${out.targetId}`] : []),
        ...(tagExposure ? [`exposure ${name}`] : []),
      ];
      const suffix = parts.length > 0 ? ` (${parts.join(', ')})` : '';
      for (const s of out.seconds) hooks.time(`attack ${s.attack}${suffix}`, s.seconds);
      hooks.log(
        `attacks${suffix}: ${out.seconds.map((s) => `${s.attack} ${s.seconds.toFixed(2)} s`).join(', ')}` +
          ` (${((performance.now() - te) / 1000).toFixed(1)} s with metrics)`,
      );
      for (const line of out.notes) {
        const own = xi > 0 && !line.includes(`on exposure ${name}`);
        const l = `${line}${tag ? ` [experiment ${e}]` : ''}${own ? ` [exposure ${name}]` : ''}`;
        // the references' note is the same on every exposure: say it once
        if (xi > 0 && line.startsWith('references: ')) continue;
        notes.push(l);
        hooks.log(`  ${l}`);
      }
      results.push(...out.results);
      for (const s of out.scores) {
        candidates.push({
          scores: xi === 0 ? s : { ...s, attack: `${s.attack} (exposure ${name})` },
          isMember: out.isMember,
          ...(tag ? { experiment: String(e), model: out.targetId } : {}),
        });
      }
      if (xi === 0) hooks.primary(out, e);
    }
  });
  return { results, notes, candidates };
}
