/**
 * `mia plan --config`: the budget of plan-sizes.ts for a config's own attacks, its FPR targets checked
 * against its own non-members, and the wall time on this machine (plan-time.ts).
 */
import { MiaError } from '../errors.js';
import { createEngine } from '../models/engines/create-engine.js';
import type { LoadedConfig, ReferenceAudit } from './config.js';
import {
  type AuditPlan,
  planAudit,
  referenceModelsKey,
  unresolvedLine,
  unresolvedTargets,
} from './plan-sizes.js';
import {
  inputShapeOf,
  measureThroughput,
  plannedRunOf,
  type WallTime,
  wallTimeFromRun,
  wallTimeFromThroughput,
} from './plan-time.js';

/** What `mia plan` asks. */
export interface PlanRequest {
  /** The FPR target; with a config and none given, the config's lowest. */
  fpr?: number;
  halfWidth: number;
  expectedTpr?: number;
  /** The attacks; with a config and none given, the config's. */
  attacks?: string[];
  /** A previous run directory whose timing.json sizes the wall time (default: the config's log_dir). */
  fromRun?: string;
  /** Measure the engine when no timing.json is found (default true). */
  calibrate?: boolean;
}

/** `mia plan`'s answer (`--json` writes it). */
export interface PlanAnswer {
  nonMembers: number;
  members: number;
  /** The most reference models any of the attacks needs. */
  referenceModels: number;
  /** Per attack. */
  referenceModelsByAttack: Record<string, number>;
  /** `data.audit_size` and `audit.reference_models` of a reference-mode config with this budget. */
  auditSize: number;
  referenceModelsKey: number;
  /** The planned audit's wall time with the config's training (null without --config or when unknown). */
  wallSeconds: number | null;
  /** The config as written, for comparison (null when unknown). */
  configWallSeconds: number | null;
  fpr: number;
  halfWidth: number;
  expectedTpr: number;
  notes: string[];
}

/** The reference-mode config, or E_CONFIG for an experiments-mode one (no reference models to plan). */
function referenceConfig(loaded: LoadedConfig): ReferenceAudit {
  if (loaded.config.mode !== 'reference') {
    throw new MiaError(
      'E_CONFIG',
      'mia plan --config plans reference-mode audits (an experiments config names its models)',
      {
        where: loaded.file,
      },
    );
  }
  return loaded.config;
}

/** The FPR targets of a reference config its non-members cannot resolve, as E_CONFIG lines (one per target). */
export function configFprWarnings(cfg: ReferenceAudit): string[] {
  return unresolvedTargets(cfg.audit.fprTargets, Math.floor(cfg.data.auditSize / 2)).map(unresolvedLine);
}

/** Plans without a config (sizes and references only) or with one (its attacks, its targets, its wall time). */
export async function planRequest(req: PlanRequest, loaded?: LoadedConfig): Promise<PlanAnswer> {
  const cfg = loaded !== undefined ? referenceConfig(loaded) : undefined;
  if (cfg !== undefined && req.fpr === undefined) {
    const bad = configFprWarnings(cfg);
    if (bad.length > 0) {
      throw new MiaError('E_CONFIG', `${bad[0]}; raise data.audit_size or drop the target`, {
        where: loaded!.where('audit.fpr_targets'),
      });
    }
  }
  const fpr = req.fpr ?? (cfg !== undefined ? Math.min(...cfg.audit.fprTargets) : undefined);
  if (fpr === undefined) {
    throw new MiaError('E_USAGE', '--fpr is required without --config', { where: 'mia plan' });
  }
  const attacks = req.attacks ?? cfg?.audit.attacks ?? ['rmia'];
  const plans: AuditPlan[] = attacks.map((attack) =>
    planAudit({
      fpr,
      halfWidth: req.halfWidth,
      attack,
      ...(req.expectedTpr !== undefined ? { expectedTpr: req.expectedTpr } : {}),
    }),
  );
  const first = plans[0]!;
  const byAttack = Object.fromEntries(plans.map((p) => [p.attack, p.referenceModels]));
  const refs = Math.max(...plans.map((p) => p.referenceModels));
  const notes = [...first.notes.slice(0, 2), ...plans.map((p) => p.notes[2]!)];
  let wall: WallTime | undefined;
  let configWall: WallTime | undefined;
  if (cfg !== undefined) {
    if (req.fpr !== undefined)
      notes.push(...configFprWarnings(cfg).map((l) => `the config as written: ${l}`));
    const asWritten = plannedRunOf(cfg);
    const planned = {
      ...asWritten,
      auditSize: Math.max(first.auditSize, asWritten.auditSize),
      models: 1 + Math.max(referenceModelsKey(refs), cfg.audit.referenceModels),
    };
    const run = req.fromRun ?? cfg.run.logDir;
    wall = wallTimeFromRun(run, planned);
    configWall = wallTimeFromRun(run, asWritten);
    if (wall === undefined && req.calibrate !== false) {
      const input = inputShapeOf(cfg);
      if (input === undefined) {
        notes.push(
          `wall time: unknown for dataset ${cfg.data.dataset} without a previous run (give --from-run)`,
        );
      } else {
        const engine = await createEngine('auto', { backend: cfg.run.backend });
        const tp = await measureThroughput(engine, cfg, input);
        const arch = cfg.target.architecture.name;
        wall = wallTimeFromThroughput(planned, tp, arch);
        configWall = wallTimeFromThroughput(asWritten, tp, arch);
      }
    }
    const schedule = cfg.audit.referenceSchedule;
    if (schedule !== undefined) {
      notes.push(
        `audit.reference_models is a schedule: the wall time counts its max (${schedule.max}); the audit ` +
          `stops earlier once ${schedule.until.metric} of ${schedule.until.attack} settles`,
      );
    }
    if (wall !== undefined) {
      notes.push(
        `wall time for data.audit_size ${planned.auditSize}, ${planned.models} models × ${planned.epochs} epochs: ${wall.basis}`,
      );
    }
  }
  return {
    nonMembers: first.nonMembers,
    members: first.members,
    referenceModels: refs,
    referenceModelsByAttack: byAttack,
    auditSize: first.auditSize,
    referenceModelsKey: referenceModelsKey(refs),
    wallSeconds: wall?.seconds ?? null,
    configWallSeconds: configWall?.seconds ?? null,
    fpr,
    halfWidth: req.halfWidth,
    expectedTpr: first.expectedTpr,
    notes,
  };
}
