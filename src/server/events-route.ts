/**
 * GET /api/v1/audits/:id/events: the audit's events (stage, progress, log lines, status changes) as
 * server-sent events, `id:` the event's number, `event:` its kind, `data:` its JSON
 * (service/api-schemas.ts AuditEventView). Starts after `Last-Event-ID` (a reconnecting EventSource) or
 * `?after=N`; without `?follow=false` the stream stays open and sends new events as they are recorded
 * until the audit has finished, then closes.
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { auditOr404, parseWith } from './audit-routes.js';
import type { ServiceContext } from './service-context.js';

const EventsQuery = z.strictObject({
  after: z.coerce.number().int().min(0).optional(),
  follow: z.enum(['true', 'false']).default('true'),
});

const FINAL = new Set(['succeeded', 'failed', 'cancelled']);

export function eventsRoute(app: FastifyInstance, ctx: ServiceContext): void {
  app.get<{ Params: { id: string } }>('/api/v1/audits/:id/events', async (req, reply) => {
    const a = await auditOr404(ctx, req.params.id);
    const q = parseWith(EventsQuery, req.query ?? {}, 'query');
    const lastId = Number(req.headers['last-event-id']);
    let seq = q.after ?? (Number.isInteger(lastId) && lastId > 0 ? lastId : 0);
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
      connection: 'keep-alive',
    });
    let open = true;
    req.raw.on('close', () => {
      open = false;
    });
    const flush = async () => {
      for (const e of await ctx.store.events(a.id, seq)) {
        res.write(`id: ${e.seq}\nevent: ${e.kind}\ndata: ${JSON.stringify(e)}\n\n`);
        seq = e.seq;
      }
    };
    let idle = 0;
    while (open) {
      // the status first, then the events: an audit seen finished has all its events recorded
      const finished = FINAL.has((await ctx.store.getAudit(a.id))?.status ?? 'cancelled');
      await flush();
      if (finished || q.follow === 'false') break;
      await new Promise((r) => setTimeout(r, ctx.eventPollMs));
      // a comment now and then keeps proxies from closing a quiet stream
      if (++idle % Math.max(1, Math.round(15_000 / ctx.eventPollMs)) === 0) res.write(': alive\n\n');
    }
    res.end();
  });
}
