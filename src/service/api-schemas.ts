/**
 * The HTTP API's request and response bodies (`/api/v1`, docs/service.md) as zod schemas: the server
 * (src/server/) validates with them and the client (src/client/mia-client.ts) types and checks what it
 * receives with the same ones. The OpenAPI document (`/api/v1/openapi.json`) is generated from them.
 */
import { z } from 'zod';
import { ResultJson } from '../audit/run-format/results.js';
import { AUDIT_STATUSES } from './store.js';
import { TOKEN_SCOPES } from './tokens.js';

/** An error as data: every 4xx / 5xx body. `where` is the file:line:column or field it concerns. */
export const ApiError = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    where: z
      .object({
        line: z.number().int().optional(),
        column: z.number().int().optional(),
        path: z.string().optional(),
        file: z.string().optional(),
      })
      .optional(),
    expected: z.string().optional(),
    found: z.string().optional(),
  }),
});
export type ApiError = z.infer<typeof ApiError>;

/**
 * POST /api/v1/audits as JSON. The config is YAML (or JSON, which is YAML) text; `file` is the name
 * config errors are reported at (default `config.yaml`), as `mia audit FILE` would report them.
 */
export const SubmitAuditBody = z.strictObject({
  config: z.string().min(1).max(1_000_000),
  name: z.string().min(1).max(200).optional(),
  experiment: z.string().min(1).max(200).optional(),
  file: z
    .string()
    .min(1)
    .max(200)
    .regex(/^[^/\\]+$/, 'a file name without folders')
    .optional(),
});
export type SubmitAuditBody = z.infer<typeof SubmitAuditBody>;

export const SubmitAuditResponse = z.object({ id: z.string() });

export const AuditStatus = z.enum(AUDIT_STATUSES);

/** An audit: GET /api/v1/audits/:id, and each item of the list. */
export const AuditView = z.object({
  id: z.string(),
  name: z.string(),
  experiment: z.string().nullable(),
  status: AuditStatus,
  stage: z.string().nullable(),
  progress: z.object({ done: z.number().int(), total: z.number().int() }),
  createdAt: z.string(),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
  error: z.string().nullable(),
});
export type AuditView = z.infer<typeof AuditView>;

/** GET /api/v1/audits query: filters and paging. */
export const ListAuditsQuery = z.strictObject({
  status: AuditStatus.optional(),
  experiment: z.string().min(1).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  offset: z.coerce.number().int().min(0).default(0),
});

export const AuditList = z.object({
  audits: z.array(AuditView),
  limit: z.number().int(),
  offset: z.number().int(),
});
export type AuditList = z.infer<typeof AuditList>;

/** One server-sent event's data (GET /api/v1/audits/:id/events); the SSE `id` is `seq`. */
export const AuditEventView = z.object({
  seq: z.number().int(),
  at: z.string(),
  kind: z.enum(['stage', 'progress', 'log', 'status']),
  data: z.unknown(),
});
export type AuditEventView = z.infer<typeof AuditEventView>;

/** GET /api/v1/audits/:id/files: every file of the run directory, relative, with its size. */
export const FileList = z.object({
  files: z.array(z.object({ path: z.string(), bytes: z.number().int() })),
});
export type FileList = z.infer<typeof FileList>;

/** GET /api/v1/health (no token). */
export const Health = z.object({
  version: z.string(),
  store: z.string(),
  queue: z.object({ kind: z.string(), queued: z.number().int(), leased: z.number().int() }),
  workers: z.array(z.string()),
});
export type Health = z.infer<typeof Health>;

/** TPR at one FPR target with its Clopper–Pearson 95% interval (results.json tprAtFpr). */
export const TprView = z.object({
  fpr: z.string().describe('the FPR target as the config wrote it ("0.01")'),
  tpr: z.number(),
  low: z.number(),
  high: z.number(),
});
export type TprView = z.infer<typeof TprView>;

/**
 * A finished run's headline: its strongest attack on the entire dataset (the highest AUC over the run's
 * attacks and targets), with the AUC's 95% interval and DeLong SE, and TPR at 1% FPR when computed.
 */
export const RunHeadline = z.object({
  attack: z.string(),
  model: z.string().nullable(),
  auc: z.number(),
  aucInterval: z.object({ low: z.number(), high: z.number(), se: z.number() }).nullable(),
  tprAt1: TprView.nullable(),
});
export type RunHeadline = z.infer<typeof RunHeadline>;

/** An audit with its headline (null before results.json exists): the runs table's rows. */
export const AuditRow = AuditView.extend({ headline: RunHeadline.nullable() });
export type AuditRow = z.infer<typeof AuditRow>;

/** GET /api/v1/events: one `audit` event (an audit new or changed) or `removed` (deleted). */
export const RunsEvent = z.union([
  z.object({ kind: z.literal('audit'), audit: AuditRow }),
  z.object({ kind: z.literal('removed'), id: z.string() }),
]);
export type RunsEvent = z.infer<typeof RunsEvent>;

/** One run of an experiment compared: its strongest attack's metrics (null: no results.json yet). */
export const ComparedRun = z.object({
  id: z.string(),
  name: z.string(),
  status: AuditStatus,
  finishedAt: z.string().nullable(),
  metrics: z
    .object({
      attack: z.string(),
      model: z.string().nullable(),
      auc: z.number(),
      aucInterval: z.object({ low: z.number(), high: z.number(), se: z.number() }).nullable(),
      advantage: z.number(),
      tprAtFpr: z.array(TprView),
      epsilonLowerBound: z.number().nullable().describe('null: unbounded (+∞) or not computed'),
    })
    .nullable(),
});
export type ComparedRun = z.infer<typeof ComparedRun>;

/**
 * GET /api/v1/experiments/:name/compare: the runs side by side, the pairs whose difference exceeds the
 * noise (the case-study rule of audit/compare-experiments.ts), and the ROC overlay as SVG.
 */
export const ExperimentComparison = z.object({
  experiment: z.string(),
  runs: z.array(ComparedRun),
  verdicts: z.array(
    z.object({
      more: z.string().describe('the id of the run that leaks more'),
      less: z.string(),
      sentence: z.string(),
    }),
  ),
  /** Pairs whose difference is within the noise. */
  equal: z.array(z.object({ a: z.string(), b: z.string(), sentence: z.string() })),
  rocSvg: z.string().nullable().describe('linear and log-log ROC overlay (report/charts/roc.ts), or null'),
});
export type ExperimentComparison = z.infer<typeof ExperimentComparison>;

/** POST /api/v1/configs/validate: the config's errors, as a 400 from submission would give them. */
export const ValidateResponse = z.object({
  valid: z.boolean(),
  errors: z.array(ApiError.shape.error),
});
export type ValidateResponse = z.infer<typeof ValidateResponse>;

/** GET /api/v1/configs: the configs shipped in configs/ (the editor's picker). */
export const ShippedConfigs = z.object({
  configs: z.array(z.object({ name: z.string(), text: z.string() })),
});
export type ShippedConfigs = z.infer<typeof ShippedConfigs>;

/** GET /api/v1/whoami: the scope of the request's token (the web UI hides write buttons from read-only). */
export const WhoAmI = z.object({ scope: z.enum(TOKEN_SCOPES) });
export type WhoAmI = z.infer<typeof WhoAmI>;

/**
 * POST /api/v1/attacks: the query beside the uploaded outputs (the body, application/octet-stream):
 * `file` is the upload's name, whose extension tells the format (.npz, .csv or .json, as `mia attack
 * --input`) and which every error names; `attacks` and `slices` are comma-separated lists.
 */
export const AttackQuery = z.strictObject({
  file: z
    .string()
    .regex(/^[^/\\\0]{1,200}\.(npz|csv|json)$/i, 'must be a file name ending in .npz, .csv or .json'),
  attacks: z.string().optional(),
  slices: z.string().optional(),
  seed: z.coerce
    .number()
    .int()
    .min(0)
    .max(2 ** 31 - 1)
    .default(0),
});
export type AttackQuery = z.infer<typeof AttackQuery>;

/** The answer of POST /api/v1/attacks: what was read, and `results` as `mia attack --json` writes them. */
export const AttackResponse = z.object({
  input: z.object({
    file: z.string(),
    members: z.number().int(),
    nonMembers: z.number().int(),
    classes: z.number().int(),
    notes: z.array(z.string()),
  }),
  results: z.array(ResultJson),
});
/** As written (JSON: a missing interval is null, as in results.json). */
export type AttackResponse = z.input<typeof AttackResponse>;

/** GET /api/v1/audits/:id/worker/config (worker tokens): what a `mia worker` needs to run a model job. */
export const WorkerJobView = z.object({
  config: z.string(),
  file: z.string(),
  status: AuditStatus,
});
export type WorkerJobView = z.infer<typeof WorkerJobView>;

/** POST /api/v1/audits/:id/worker/log (worker tokens): log lines of a model job, recorded as events. */
export const WorkerLogBody = z.strictObject({
  lines: z.array(z.string().max(10_000)).min(1).max(1000),
});
export type WorkerLogBody = z.infer<typeof WorkerLogBody>;

/** PUT /api/v1/audits/:id/worker/files/<path> (worker tokens): the file as written and recorded. */
export const UploadResponse = z.object({
  path: z.string(),
  bytes: z.number().int(),
  sha256: z.string(),
});
export type UploadResponse = z.infer<typeof UploadResponse>;
