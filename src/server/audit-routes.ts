/**
 * The audits of the API: submit (POST /api/v1/audits, the config as YAML text or in JSON), list, show,
 * cancel and delete. Bodies and queries are checked with the zod schemas of service/api-schemas.ts; a
 * config is validated as `mia audit` validates it (E_CONFIG at line:column, answered 400) before it is
 * queued.
 */
import { rmSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import type { z } from 'zod';
import { plannedModelIds } from '../audit/model-job.js';
import { MiaError } from '../errors.js';
import { ListAuditsQuery, SubmitAuditBody } from '../service/api-schemas.js';
import type { AuditRecord } from '../service/store.js';
import { HttpError } from './http-error.js';
import type { ServiceContext } from './service-context.js';
import { loadSubmittedConfig } from './submitted-config.js';

/** Parses `value` with `schema`, or throws E_REQUEST 400 naming the first field at fault. */
export function parseWith<S extends z.ZodType>(schema: S, value: unknown, what: string): z.infer<S> {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const issue = r.error.issues[0]!;
  const path = issue.path.map(String).join('.');
  throw new HttpError(400, 'E_REQUEST', issue.message, { where: path === '' ? what : `${what}.${path}` });
}

const ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** The audit `id`, or E_NOT_FOUND 404. */
export async function auditOr404(ctx: ServiceContext, id: string): Promise<AuditRecord> {
  const a = ID.test(id) ? await ctx.store.getAudit(id) : undefined;
  if (a === undefined) throw new HttpError(404, 'E_NOT_FOUND', 'no such audit', { found: id });
  return a;
}

const YAML_TYPES = ['application/yaml', 'application/x-yaml', 'text/yaml', 'text/x-yaml', 'text/plain'];

/** The submitted body as SubmitAuditBody: JSON as it is, YAML text with name/experiment/file from the query. */
export function submission(body: unknown, contentType: string, query: unknown): SubmitAuditBody {
  if (YAML_TYPES.includes(contentType)) {
    const q = (query ?? {}) as Record<string, unknown>;
    return parseWith(SubmitAuditBody, { ...q, config: body }, 'query');
  }
  return parseWith(SubmitAuditBody, body, 'body');
}

export function auditRoutes(app: FastifyInstance, ctx: ServiceContext): void {
  for (const type of YAML_TYPES) {
    app.addContentTypeParser(type, { parseAs: 'string' }, (_req, body, done) => done(null, body));
  }

  app.post('/api/v1/audits', async (req, reply) => {
    const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
    const s = submission(req.body, type, req.query);
    const file = s.file ?? 'config.yaml';
    const loaded = loadSubmittedConfig(s.config, file, ctx.dir);
    const name = s.name ?? file.replace(/\.(ya?ml|json)$/i, '');
    const audit = await ctx.store.createAudit({
      name,
      ...(s.experiment !== undefined ? { experiment: s.experiment } : {}),
      config: loaded.text,
      file,
    });
    if (ctx.scaled !== undefined) await ctx.scaled.submit(audit.id, plannedModelIds(loaded.config));
    else await ctx.queue.enqueue(audit.id, ctx.maxAttempts);
    ctx.onSubmit();
    return reply.status(201).send({ id: audit.id });
  });

  app.get('/api/v1/audits', async (req) => {
    const q = parseWith(ListAuditsQuery, req.query ?? {}, 'query');
    const audits = await ctx.store.listAudits({
      limit: q.limit,
      offset: q.offset,
      ...(q.status !== undefined ? { status: q.status } : {}),
      ...(q.experiment !== undefined ? { experiment: q.experiment } : {}),
    });
    return { audits, limit: q.limit, offset: q.offset };
  });

  app.get<{ Params: { id: string } }>('/api/v1/audits/:id', async (req) => auditOr404(ctx, req.params.id));

  app.post<{ Params: { id: string } }>('/api/v1/audits/:id/cancel', async (req) => {
    const a = await auditOr404(ctx, req.params.id);
    if (a.status !== 'queued' && a.status !== 'running') {
      throw new HttpError(409, 'E_CONFLICT', `the audit is ${a.status} already`, {
        expected: 'a queued or running audit',
        found: a.status,
      });
    }
    // a queued job is withdrawn; a running one stops at its next step (the worker reads the status)
    if (ctx.scaled !== undefined) await ctx.scaled.withdraw(a.id);
    else await ctx.queue.withdraw(a.id);
    await ctx.store.setStatus(a.id, 'cancelled');
    return ctx.store.getAudit(a.id);
  });

  app.delete<{ Params: { id: string } }>('/api/v1/audits/:id', async (req, reply) => {
    const a = await auditOr404(ctx, req.params.id);
    if (a.status === 'queued' || a.status === 'running' || (await ctx.queue.state(a.id)) === 'leased') {
      throw new HttpError(409, 'E_CONFLICT', 'the audit is queued or still running: cancel it and wait', {
        found: a.status,
      });
    }
    try {
      rmSync(ctx.dir.runDir(a.id), { recursive: true, force: true });
    } catch (e) {
      throw new MiaError('E_IO', `cannot delete the run directory: ${(e as Error).message}`);
    }
    await ctx.store.deleteAudit(a.id);
    return reply.status(204).send();
  });
}
