/**
 * Bearer tokens on every request but the health check and the OpenAPI document: `Authorization: Bearer
 * <token>`, looked up by its hash (service/tokens.ts). No or an unknown token: 401. A read-only token may
 * read (GET) only; a worker token may only take jobs and upload their artifacts (the scaled mode's
 * routes), so every route here answers it 403; an admin token may do everything.
 */
import type { TokenScope } from '../service/tokens.js';
import { HttpError } from './http-error.js';
import { WEB_ROUTES } from './web-routes.js';

/** Routes anyone may call. */
export const PUBLIC_ROUTES = new Set(['/api/v1/health', '/api/v1/openapi.json', ...WEB_ROUTES]);

/** What a request needs: to read, or to change something. */
export type Access = 'read' | 'write';

/**
 * Checks the Authorization header `header` against `verify` for `access`; returns the token's scope.
 * Throws E_AUTH 401 (no or unknown token) or 403 (a scope that does not allow it).
 */
export async function authorize(
  header: string | undefined,
  access: Access,
  verify: (token: string) => Promise<{ scope: TokenScope } | undefined>,
): Promise<TokenScope> {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  if (m === null) {
    throw new HttpError(401, 'E_AUTH', 'this request needs a token', {
      expected: 'Authorization: Bearer <token> (`mia token create`)',
      found: header === undefined ? 'no Authorization header' : 'another kind of Authorization',
    });
  }
  const known = await verify(m[1]!);
  if (known === undefined) throw new HttpError(401, 'E_AUTH', 'unknown token');
  if (known.scope === 'worker') {
    throw new HttpError(403, 'E_AUTH', 'a worker token can only take jobs and upload their artifacts');
  }
  if (access === 'write' && known.scope === 'read-only') {
    throw new HttpError(403, 'E_AUTH', 'a read-only token cannot submit, cancel or delete');
  }
  return known.scope;
}

/** The scaled mode's routes for `mia worker` (worker-routes.ts): worker tokens only. */
export const WORKER_ROUTE = /^\/api\/v1\/audits\/[^/]+\/worker\//;

/**
 * Checks that the Authorization header `header` carries a worker token (`mia token create --worker`).
 * Throws E_AUTH 401 (no or unknown token) or 403 (an admin or read-only token: these routes are the
 * workers' only).
 */
export async function authorizeWorker(
  header: string | undefined,
  verify: (token: string) => { scope: TokenScope } | undefined | Promise<{ scope: TokenScope } | undefined>,
): Promise<void> {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  if (m === null) {
    throw new HttpError(401, 'E_AUTH', 'this request needs a worker token', {
      expected: 'Authorization: Bearer <token> (`mia token create --worker`)',
      found: header === undefined ? 'no Authorization header' : 'another kind of Authorization',
    });
  }
  const known = await verify(m[1]!);
  if (known === undefined) throw new HttpError(401, 'E_AUTH', 'unknown token');
  if (known.scope !== 'worker') {
    throw new HttpError(403, 'E_AUTH', 'only worker tokens take jobs and upload their files', {
      expected: 'a token of `mia token create --worker`',
      found: `a ${known.scope} token`,
    });
  }
}
