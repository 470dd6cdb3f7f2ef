/**
 * GET /api/v1/experiments/:name/compare: the runs (audits) submitted with experiment `name` side by
 * side (server/run-metrics.ts compareRuns). `?runs=id,id,…` picks some of them (in that order);
 * without it every run of the experiment, oldest first, up to 50.
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { ExperimentComparison } from '../service/api-schemas.js';
import type { AuditRecord } from '../service/sqlite-store.js';
import { parseWith } from './audit-routes.js';
import { HttpError } from './http-error.js';
import { compareRuns } from './run-metrics.js';
import type { ServiceContext } from './service-context.js';

const CompareQuery = z.strictObject({
  runs: z
    .string()
    .regex(/^[0-9a-f-]+(,[0-9a-f-]+)*$/, 'audit ids separated by commas')
    .optional(),
});

export function experimentRoutes(app: FastifyInstance, ctx: ServiceContext): void {
  app.get<{ Params: { name: string } }>(
    '/api/v1/experiments/:name/compare',
    async (req): Promise<ExperimentComparison> => {
      const q = parseWith(CompareQuery, req.query ?? {}, 'query');
      const name = req.params.name;
      const all: AuditRecord[] = (await ctx.store.listAudits({ experiment: name, limit: 500 })).reverse();
      if (all.length === 0) {
        throw new HttpError(404, 'E_NOT_FOUND', 'no runs of this experiment', { found: name });
      }
      let picked = all.slice(0, 50);
      if (q.runs !== undefined) {
        picked = q.runs.split(',').map((id) => {
          const a = all.find((x) => x.id === id);
          if (a === undefined) {
            throw new HttpError(404, 'E_NOT_FOUND', `no run ${id} in experiment ${name}`, {
              where: 'query.runs',
              found: id,
            });
          }
          return a;
        });
      }
      return compareRuns(
        name,
        picked.map((audit) => ({ audit, runDir: ctx.dir.runDir(audit.id) })),
      );
    },
  );
}
