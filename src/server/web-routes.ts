/**
 * The web UI (src/web/, docs/web-ui.md) served at `/`: index.html, the bundled script and the style
 * sheet, with no token (the page asks for one and sends it as a bearer header on every API call). Each
 * answer carries a Content-Security-Policy that allows only this server: scripts and styles from it,
 * fetches to it, no plugins, no forms, no framing by other sites. The report the page embeds (a
 * sandboxed srcdoc iframe, which inherits this policy) runs its one inline script, allowed by hash.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import { PAGE_SCRIPT } from '../report/page-assets.js';

const ASSETS = new URL('../web/assets/', import.meta.url);

/** The web UI's files by URL path: what each is, read once at start. */
const FILES: Record<string, { file: string; type: string }> = {
  '/': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/assets/app.js': { file: 'app.js', type: 'text/javascript; charset=utf-8' },
  '/assets/app.css': { file: 'app.css', type: 'text/css; charset=utf-8' },
};

/** Paths of the UI that need no token. */
export const WEB_ROUTES = Object.keys(FILES);

const reportScript = `'sha256-${createHash('sha256').update(PAGE_SCRIPT).digest('base64')}'`;

/** The policy of the UI's answers: nothing leaves this server. */
export const WEB_CSP = [
  "default-src 'none'",
  `script-src 'self' ${reportScript}`,
  // (the embedded report's <style> and the SVG charts' attributes are inline)
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "connect-src 'self'",
  "frame-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

export function webRoutes(app: FastifyInstance): void {
  for (const [path, { file, type }] of Object.entries(FILES)) {
    const body = readFileSync(new URL(file, ASSETS));
    app.get(path, async (_req, reply) =>
      reply
        .header('content-type', type)
        .header('content-security-policy', WEB_CSP)
        .header('x-content-type-options', 'nosniff')
        .header('referrer-policy', 'no-referrer')
        .header('cache-control', 'no-cache')
        .send(body),
    );
  }
}
