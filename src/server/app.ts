/**
 * The HTTP API of `mia serve` as a fastify app (docs/service.md): bearer tokens on every route but the
 * health check and the OpenAPI document (auth.ts), errors as data with a 4xx (http-error.ts), request
 * bodies limited, CORS closed (no Access-Control-* header is ever sent, so browsers of other origins
 * cannot read an answer).
 */
import Fastify, { type FastifyInstance } from 'fastify';
import { artifactRoutes } from './artifact-routes.js';
import { attackRoute } from './attack-route.js';
import { auditRoutes } from './audit-routes.js';
import { type Access, authorize, authorizeWorker, PUBLIC_ROUTES, WORKER_ROUTE } from './auth.js';
import { eventsRoute } from './events-route.js';
import { asHttpError, errorBody, HttpError, statusOf } from './http-error.js';
import { openApiDocument } from './openapi.js';
import type { ServiceContext } from './service-context.js';
import { workerRoutes } from './worker-routes.js';

export interface AppOptions {
  /** The largest request body accepted, in bytes (413 above it). */
  bodyLimit: number;
  /** Lines for the server's log (bugs with their stack). */
  log?: (line: string) => void;
}

const accessOf = (method: string): Access =>
  method === 'GET' || method === 'HEAD' || method === 'OPTIONS' ? 'read' : 'write';

/** The API on `ctx`, not yet listening. */
export function createApp(ctx: ServiceContext, options: AppOptions): FastifyInstance {
  const app = Fastify({ logger: false, bodyLimit: options.bodyLimit, return503OnClosing: true });

  app.addHook('onRequest', async (req) => {
    const path = req.url.split('?')[0]!;
    if (PUBLIC_ROUTES.has(path)) return;
    if (WORKER_ROUTE.test(path))
      return authorizeWorker(req.headers.authorization, (t) => ctx.store.verifyToken(t));
    await authorize(req.headers.authorization, accessOf(req.method), (t) => ctx.store.verifyToken(t));
  });

  app.setErrorHandler((e, _req, reply) => {
    const { error, bug } = asHttpError(e);
    if (bug) options.log?.(`bug: ${(e as Error).stack ?? String(e)}`);
    return reply.status(statusOf(error)).send(errorBody(error));
  });
  app.setNotFoundHandler((req, reply) => {
    const e = new HttpError(404, 'E_NOT_FOUND', 'no such route', { found: `${req.method} ${req.url}` });
    return reply.status(404).send(errorBody(e));
  });

  app.get('/api/v1/health', async () => {
    if (ctx.scaled !== undefined) {
      const q = await ctx.scaled.stats();
      return {
        version: ctx.version,
        store: ctx.store.kind,
        queue: { kind: 'bullmq', queued: q.queued, leased: q.leased },
        workers: q.workers,
      };
    }
    const s = await ctx.queue.stats();
    return {
      version: ctx.version,
      store: ctx.store.kind,
      queue: { kind: ctx.queue.kind, queued: s.queued, leased: s.leased },
      workers: s.workers,
    };
  });
  const doc = openApiDocument(ctx.version);
  app.get('/api/v1/openapi.json', async () => doc);
  auditRoutes(app, ctx);
  eventsRoute(app, ctx);
  artifactRoutes(app, ctx);
  attackRoute(app);
  const scaled = ctx.scaled;
  // (its own scope: the octet-stream parser of its uploads does not meet the attacks route's)
  if (scaled !== undefined) app.register(async (scope) => workerRoutes(scope, ctx, scaled));
  return app;
}
