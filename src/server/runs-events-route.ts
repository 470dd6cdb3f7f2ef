/**
 * GET /api/v1/events: every audit's changes as server-sent events, for the web UI's runs table. The
 * stream opens with one `audit` event per audit (the newest 500, with its headline, service/api-schemas.ts
 * RunsEvent), then sends an `audit` event whenever one is submitted or changes (status, stage, progress,
 * its results appearing) and `removed` when one is deleted. It stays open until the client leaves; the
 * server looks at the store every 2 × eventPollMs and sends only what changed.
 */
import type { FastifyInstance } from 'fastify';
import type { AuditRow, RunsEvent } from '../service/api-schemas.js';
import { openEventStream } from './events-route.js';
import { runHeadline } from './run-metrics.js';
import type { ServiceContext } from './service-context.js';

export function runsEventsRoute(app: FastifyInstance, ctx: ServiceContext): void {
  app.get('/api/v1/events', async (req, reply) => {
    const stream = openEventStream(req, reply);
    const res = stream.res;
    const sent = new Map<string, string>();
    let n = 0;
    const send = (e: RunsEvent) => {
      res.write(`id: ${++n}\nevent: ${e.kind}\ndata: ${JSON.stringify(e)}\n\n`);
    };
    const pollMs = 2 * ctx.eventPollMs;
    let idle = 0;
    while (stream.open) {
      const audits = await ctx.store.listAudits({ limit: 500 });
      const seen = new Set<string>();
      // oldest first, so a client that appends rows keeps the newest on top after sorting
      for (const a of [...audits].reverse()) {
        seen.add(a.id);
        const row: AuditRow = {
          ...a,
          headline: a.status === 'succeeded' ? runHeadline(ctx.dir.runDir(a.id)) : null,
        };
        const text = JSON.stringify(row);
        if (sent.get(a.id) === text) continue;
        sent.set(a.id, text);
        send({ kind: 'audit', audit: row });
      }
      for (const id of [...sent.keys()]) {
        if (seen.has(id)) continue;
        sent.delete(id);
        send({ kind: 'removed', id });
      }
      await new Promise((r) => setTimeout(r, pollMs));
      if (++idle % Math.max(1, Math.round(15_000 / pollMs)) === 0) res.write(': alive\n\n');
    }
    res.end();
  });
}
