/**
 * Errors over HTTP: every failure of the API is a body `{error: {code, message, where?, expected?,
 * found?}}` (service/api-schemas.ts ApiError) with a 4xx status (5xx only for a bug), never a stack
 * trace. A MiaError from the stages (a config error at line:column, a dataset error) keeps its code and
 * place; the HTTP status follows from the code.
 */
import { isMiaError, MiaError, type MiaErrorCode } from '../errors.js';
import type { ApiError } from '../service/api-schemas.js';

const STATUS_OF: Partial<Record<MiaErrorCode, number>> = {
  E_AUTH: 401,
  E_NOT_FOUND: 404,
  E_CONFLICT: 409,
  E_TOO_LARGE: 413,
  E_SERVER: 500,
};

/** A MiaError with the HTTP status it is answered with (403 for an E_AUTH whose token was known). */
export class HttpError extends MiaError {
  readonly status: number;
  constructor(
    status: number,
    code: MiaErrorCode,
    message: string,
    details: ConstructorParameters<typeof MiaError>[2] = {},
  ) {
    super(code, message, details);
    this.status = status;
  }
}

/** The status a MiaError is answered with: its HttpError status, by code, else 400 (bad input). */
export function statusOf(e: MiaError): number {
  return e instanceof HttpError ? e.status : (STATUS_OF[e.code] ?? 400);
}

/** The error body of `e`: the MiaError's parts as data. */
export function errorBody(e: MiaError): ApiError {
  const loc = e.location;
  const where =
    loc !== undefined
      ? {
          ...(loc.file !== undefined ? { file: loc.file } : {}),
          ...(loc.line !== undefined ? { line: loc.line } : {}),
          ...(loc.column !== undefined ? { column: loc.column } : {}),
          ...(loc.key !== undefined ? { path: loc.key } : {}),
        }
      : e.where !== undefined
        ? { path: e.where }
        : undefined;
  return {
    error: {
      code: e.code,
      message: e.message,
      ...(where !== undefined ? { where } : {}),
      ...(e.expected !== undefined ? { expected: e.expected } : {}),
      ...(e.found !== undefined ? { found: e.found } : {}),
    },
  };
}

/**
 * Fastify's own errors (body parsing, limits, content types) as MiaErrors: bad JSON → E_REQUEST 400,
 * a body over the limit → E_TOO_LARGE 413, an unsupported content type → E_REQUEST 415. Anything else
 * that is not a MiaError is a bug: E_SERVER 500 with no detail (the server logs it).
 */
export function asHttpError(e: unknown): { error: MiaError; bug: boolean } {
  if (isMiaError(e)) return { error: e, bug: false };
  const f = e as { code?: string; statusCode?: number; message?: string };
  if (f.code === 'FST_ERR_CTP_BODY_TOO_LARGE' || f.statusCode === 413) {
    return { error: new HttpError(413, 'E_TOO_LARGE', 'the request body is over the limit'), bug: false };
  }
  if (f.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE' || f.statusCode === 415) {
    return {
      error: new HttpError(415, 'E_REQUEST', 'unsupported content type', {
        expected: 'application/json or application/yaml',
      }),
      bug: false,
    };
  }
  if (typeof f.statusCode === 'number' && f.statusCode >= 400 && f.statusCode < 500) {
    return {
      error: new HttpError(f.statusCode, 'E_REQUEST', (f.message ?? 'bad request').split('\n')[0]!),
      bug: false,
    };
  }
  return { error: new HttpError(500, 'E_SERVER', 'internal error (see the server log)'), bug: true };
}
