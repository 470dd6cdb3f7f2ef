/**
 * An audit's artifacts: the files of its run directory (DIR/runs/<id>/). GET .../files lists them,
 * GET .../files/<path> sends one (the path confined to the run directory: no `..`, no absolute path, no
 * symbolic link out of it), .../results is results.json and .../report is report/report.html.
 */
import { createReadStream, lstatSync, readdirSync, statSync } from 'node:fs';
import { extname, join, relative, sep } from 'node:path';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { isTempFile } from '../io/atomic.js';
import { auditOr404 } from './audit-routes.js';
import { confinedPath } from './data-dir.js';
import { HttpError } from './http-error.js';
import type { ServiceContext } from './service-context.js';

const TYPES: Record<string, string> = {
  '.json': 'application/json',
  '.html': 'text/html; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.yaml': 'application/yaml',
  '.txt': 'text/plain; charset=utf-8',
  '.log': 'text/plain; charset=utf-8',
  '.csv': 'text/csv',
};

/** Every regular file under `root` (symbolic links and temp files left out), relative, sorted. */
export function listRunFiles(root: string): { path: string; bytes: number }[] {
  const out: { path: string; bytes: number }[] = [];
  const walk = (dir: string) => {
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch {
      return;
    }
    for (const n of names.sort()) {
      const p = join(dir, n);
      const st = lstatSync(p);
      if (st.isDirectory()) walk(p);
      else if (st.isFile() && !isTempFile(n)) {
        out.push({ path: relative(root, p).split(sep).join('/'), bytes: st.size });
      }
    }
  };
  walk(root);
  return out;
}

/** Sends the file `rel` of `root`, or E_NOT_FOUND 404. */
function sendFile(reply: FastifyReply, root: string, rel: string, what: string) {
  const full = confinedPath(root, rel, what);
  let size: number;
  try {
    const st = statSync(full);
    if (!st.isFile()) throw new Error('not a file');
    size = st.size;
  } catch {
    throw new HttpError(404, 'E_NOT_FOUND', 'no such file in the run directory (yet)', { found: rel });
  }
  const type = TYPES[extname(full).toLowerCase()] ?? 'application/octet-stream';
  return reply
    .header('content-type', type)
    .header('content-length', String(size))
    .header('x-content-type-options', 'nosniff')
    .send(createReadStream(full));
}

export function artifactRoutes(app: FastifyInstance, ctx: ServiceContext): void {
  app.get<{ Params: { id: string } }>('/api/v1/audits/:id/files', async (req) => {
    const a = await auditOr404(ctx, req.params.id);
    return { files: listRunFiles(ctx.dir.runDir(a.id)) };
  });
  app.get<{ Params: { id: string; '*': string } }>('/api/v1/audits/:id/files/*', async (req, reply) => {
    const a = await auditOr404(ctx, req.params.id);
    return sendFile(reply, ctx.dir.runDir(a.id), req.params['*'], 'path');
  });
  app.get<{ Params: { id: string } }>('/api/v1/audits/:id/results', async (req, reply) => {
    const a = await auditOr404(ctx, req.params.id);
    return sendFile(reply, ctx.dir.runDir(a.id), 'results.json', 'results');
  });
  app.get<{ Params: { id: string } }>('/api/v1/audits/:id/report', async (req, reply) => {
    const a = await auditOr404(ctx, req.params.id);
    return sendFile(reply, ctx.dir.runDir(a.id), 'report/report.html', 'report');
  });
}
