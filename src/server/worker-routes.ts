/**
 * The scaled mode's routes for `mia worker` (worker tokens only, auth.ts): a model job's inputs and the
 * upload of the files it made.
 *
 *   GET  /api/v1/audits/:id/worker/config      the submitted config text, its file name and the status
 *   GET  /api/v1/audits/:id/worker/dataset     the file of the config's data.path (inside DIR/datasets)
 *   PUT  /api/v1/audits/:id/worker/files/<p>   one file of a model job, body application/octet-stream,
 *                                              header x-sha256 (hex) of the body
 *   POST /api/v1/audits/:id/worker/log         {lines}: log lines, recorded as the audit's events
 *
 * An upload may only write what a model job makes — models/<model>/<hash>/<file>, signals/<model>.npz,
 * privacy/<model>.json — confined to the run directory (no `..`, absolute path or symbolic link out of
 * it), at most the body limit, checked against its SHA-256, written atomically (a reader never sees a
 * partial file) and recorded in the run's manifest, so the parent job's pipeline reuses it. Uploads to an
 * audit that has finished, or whose parent job runs now, are refused (409).
 */
import { createHash } from 'node:crypto';
import { createReadStream, mkdirSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { recordRunFiles } from '../audit/run-manifest.js';
import { writeFileAtomic } from '../io/atomic.js';
import { WorkerLogBody } from '../service/api-schemas.js';
import { auditOr404, parseWith } from './audit-routes.js';
import { confinedPath } from './data-dir.js';
import { HttpError } from './http-error.js';
import type { ScaledJobs, ServiceContext } from './service-context.js';
import { loadSubmittedConfig } from './submitted-config.js';

/** The paths a model job may upload, relative to the run directory. */
const UPLOADABLE = [
  /^models\/[A-Za-z0-9_-]+\/[0-9a-f]{8,128}\/[A-Za-z0-9_.-]+$/,
  /^signals\/[A-Za-z0-9_-]+\.npz$/,
  /^privacy\/[A-Za-z0-9_-]+\.json$/,
];

export function workerRoutes(app: FastifyInstance, ctx: ServiceContext, o: ScaledJobs): void {
  // (POST /api/v1/attacks registers the same buffer parser)
  if (!app.hasContentTypeParser('application/octet-stream')) {
    app.addContentTypeParser('application/octet-stream', { parseAs: 'buffer' }, (_req, body, done) =>
      done(null, body),
    );
  }

  app.get<{ Params: { id: string } }>('/api/v1/audits/:id/worker/config', async (req) => {
    const a = await auditOr404(ctx, req.params.id);
    const source = await ctx.store.auditSource(a.id);
    if (source === undefined)
      throw new HttpError(404, 'E_NOT_FOUND', 'the audit has no config', { found: a.id });
    return { config: source.text, file: source.file, status: a.status };
  });

  app.get<{ Params: { id: string } }>('/api/v1/audits/:id/worker/dataset', async (req, reply) => {
    const a = await auditOr404(ctx, req.params.id);
    const source = await ctx.store.auditSource(a.id);
    // the config as the service loads it: data.path (and architecture.from) confined to DIR/datasets
    const path =
      source === undefined
        ? undefined
        : loadSubmittedConfig(source.text, source.file, ctx.dir).config.data.path;
    if (path === undefined) {
      throw new HttpError(404, 'E_NOT_FOUND', 'the config names a registered dataset, not a file', {
        expected: 'a config with data.path',
      });
    }
    let size: number;
    try {
      const st = statSync(path);
      if (!st.isFile()) {
        throw new HttpError(400, 'E_REQUEST', 'data.path is a folder: the scaled mode sends one file', {
          where: 'data.path',
          found: path,
        });
      }
      size = st.size;
    } catch (e) {
      if (e instanceof HttpError) throw e;
      throw new HttpError(404, 'E_NOT_FOUND', 'no such dataset file', { found: path });
    }
    return reply
      .header('content-type', 'application/octet-stream')
      .header('content-length', String(size))
      .send(createReadStream(path));
  });

  app.put<{ Params: { id: string; '*': string } }>('/api/v1/audits/:id/worker/files/*', async (req) => {
    const a = await auditOr404(ctx, req.params.id);
    const rel = req.params['*'];
    if (!UPLOADABLE.some((re) => re.test(rel))) {
      throw new HttpError(400, 'E_REQUEST', 'a model job uploads only its model, signal and privacy files', {
        where: 'path',
        expected: 'models/<model>/<hash>/<file>, signals/<model>.npz or privacy/<model>.json',
        found: rel,
      });
    }
    if (a.status !== 'queued' && a.status !== 'running') {
      throw new HttpError(409, 'E_CONFLICT', `the audit is ${a.status}: it takes no more files`, {
        found: a.status,
      });
    }
    if (o.busy(a.id)) {
      throw new HttpError(409, 'E_CONFLICT', "the audit's attacks run now: it takes no more files");
    }
    const body = req.body;
    if (!Buffer.isBuffer(body)) {
      throw new HttpError(415, 'E_REQUEST', 'an upload is sent as application/octet-stream');
    }
    const sha256 = createHash('sha256').update(body).digest('hex');
    const claimed = req.headers['x-sha256'];
    if (claimed !== sha256) {
      throw new HttpError(400, 'E_REQUEST', 'the upload does not match its x-sha256 header (cut short?)', {
        where: 'x-sha256',
        expected: sha256,
        found: typeof claimed === 'string' ? claimed : 'no header',
      });
    }
    const root = ctx.dir.runDir(a.id);
    mkdirSync(root, { recursive: true });
    const full = confinedPath(root, rel, 'path');
    mkdirSync(dirname(full), { recursive: true });
    // (re-checked once the folders exist: a symbolic link planted among them is refused)
    confinedPath(root, rel, 'path');
    writeFileAtomic(full, body);
    recordRunFiles(root, full);
    const signal = /^signals\/([A-Za-z0-9_-]+)\.npz$/.exec(rel);
    if (signal !== null) await o.onModelUploaded?.(a.id, signal[1]!);
    return { path: rel, bytes: body.length, sha256 };
  });

  app.post<{ Params: { id: string } }>('/api/v1/audits/:id/worker/log', async (req) => {
    const a = await auditOr404(ctx, req.params.id);
    const body = parseWith(WorkerLogBody, req.body, 'body');
    if (a.status === 'queued') await ctx.store.setStatus(a.id, 'running');
    if (a.status === 'queued' || a.status === 'running') {
      for (const line of body.lines) await ctx.store.addEvent(a.id, 'log', line);
    }
    return { recorded: body.lines.length };
  });
}
