/**
 * The HTTP API of `mia serve` as a fastify app (docs/service.md): bearer tokens on every route but the
 * health check and the OpenAPI document (auth.ts), errors as data with a 4xx (http-error.ts), request
 * bodies limited, CORS closed (no Access-Control-* header is ever sent, so browsers of other origins
 * cannot read an answer).
 */
import Fastify, { type FastifyInstance } from 'fastify';
import type { TokenScope } from '../service/tokens.js';
import { artifactRoutes } from './artifact-routes.js';
import { attackRoute } from './attack-route.js';
import { auditRoutes } from './audit-routes.js';
import { type Access, authorize, authorizeWorker, PUBLIC_ROUTES, WORKER_ROUTE } from './auth.js';
import { configRoutes, VALIDATE_ROUTE } from './config-routes.js';
import { eventsRoute } from './events-route.js';
import { experimentRoutes } from './experiment-routes.js';
import { asHttpError, errorBody, HttpError, statusOf } from './http-error.js';
import { openApiDocument } from './openapi.js';
import { runsEventsRoute } from './runs-events-route.js';
import type { ServiceContext } from './service-context.js';
import { webRoutes } from './web-routes.js';
import { workerRoutes } from './worker-routes.js';

export interface AppOptions {
  /** The largest request body accepted, in bytes (413 above it). */
  bodyLimit: number;
  /** Lines for the server's log (bugs with their stack). */
  log?: (line: string) => void;
}

const accessOf = (method: string, path: string): Access =>
  method === 'GET' || method === 'HEAD' || method === 'OPTIONS' || path === VALIDATE_ROUTE ? 'read' : 'write';

/** The API on `ctx`, not yet listening. */
export function createApp(ctx: ServiceContext, options: AppOptions): FastifyInstance {
  const scopes = new WeakMap<object, TokenScope>();
  const app = Fastify({ logger: false, bodyLimit: options.bodyLimit, return503OnClosing: true });

  app.addHook('onRequest', async (req) => {
    const path = req.url.split('?')[0]!;
    if (PUBLIC_ROUTES.has(path)) return;
    if (WORKER_ROUTE.test(path))
      return authorizeWorker(req.headers.authorization, (t) => ctx.store.verifyToken(t));
    const scope = await authorize(req.headers.authorization, accessOf(req.method, path), (t) =>
      ctx.store.verifyToken(t),
    );
    scopes.set(req, scope);
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
  configRoutes(app, ctx);
  experimentRoutes(app, ctx);
  runsEventsRoute(app, ctx);
  webRoutes(app);
  // the token's scope, as the onRequest hook found it (the web UI hides write buttons from read-only)
  app.get('/api/v1/whoami', async (req) => ({ scope: scopes.get(req) }));
  const scaled = ctx.scaled;
  // (its own scope: the octet-stream parser of its uploads does not meet the attacks route's)
  if (scaled !== undefined) app.register(async (scope) => workerRoutes(scope, ctx, scaled));
  return app;
}
