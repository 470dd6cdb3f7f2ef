/**
 * The config editor's routes: POST /api/v1/configs/validate checks a config as submission would (the
 * same E_CONFIG error at line:column) without queueing it, answering 200 with the errors as data; GET
 * /api/v1/configs lists the configs shipped in configs/ (the editor's picker), quickstart first.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import { isMiaError } from '../errors.js';
import type { ShippedConfigs, ValidateResponse } from '../service/api-schemas.js';
import { submission } from './audit-routes.js';
import { errorBody } from './http-error.js';
import type { ServiceContext } from './service-context.js';
import { loadSubmittedConfig } from './submitted-config.js';

/** The route a read-only token may POST to: checking a config changes nothing. */
export const VALIDATE_ROUTE = '/api/v1/configs/validate';

const CONFIGS = fileURLToPath(new URL('../../configs/', import.meta.url));

/** configs/*.yaml with their text, quickstart.yaml first, then by name. */
export function shippedConfigs(dir = CONFIGS): ShippedConfigs['configs'] {
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => n.endsWith('.yaml'));
  } catch {
    return [];
  }
  const rank = (n: string) => (n === 'quickstart.yaml' ? 0 : 1);
  return names
    .sort((a, b) => rank(a) - rank(b) || a.localeCompare(b))
    .map((name) => ({ name, text: readFileSync(`${dir}${name}`, 'utf8') }));
}

export function configRoutes(app: FastifyInstance, ctx: ServiceContext): void {
  app.post(VALIDATE_ROUTE, async (req): Promise<ValidateResponse> => {
    const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
    const s = submission(req.body, type, req.query);
    try {
      loadSubmittedConfig(s.config, s.file ?? 'config.yaml', ctx.dir);
      return { valid: true, errors: [] };
    } catch (e) {
      if (!isMiaError(e)) throw e;
      return { valid: false, errors: [errorBody(e).error] };
    }
  });
  app.get('/api/v1/configs', async (): Promise<ShippedConfigs> => ({ configs: shippedConfigs() }));
}
