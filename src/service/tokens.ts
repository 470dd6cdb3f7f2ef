/**
 * Bearer tokens of the service. A token is 32 random bytes in base64url behind the prefix `mia_`; the
 * store keeps only its SHA-256 (hex), so a copy of the database gives no token. Scopes: `admin` (every
 * request), `read-only` (reads only), `worker` (takes jobs and uploads their artifacts only).
 */
import { createHash, randomBytes } from 'node:crypto';

export const TOKEN_SCOPES = ['admin', 'read-only', 'worker'] as const;
export type TokenScope = (typeof TOKEN_SCOPES)[number];

/** A new token: `mia_` followed by 43 base64url characters (256 random bits). */
export function newToken(): string {
  return `mia_${randomBytes(32).toString('base64url')}`;
}

/** The SHA-256 of `token` in lowercase hex: what the store keeps. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}
