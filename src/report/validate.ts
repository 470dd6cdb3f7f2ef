/** zod validation of the run directory's JSON files, with errors that name the file and the field. */
import type { z } from 'zod';
import { MiaError } from '../errors.js';

/** zod's first issue as a one-line MiaError E_JSON naming `file:path.to[3].field`. */
export function schemaError(file: string, error: z.ZodError): MiaError {
  const issue = error.issues[0]!;
  let where = file;
  issue.path.forEach((p, i) => {
    where += typeof p === 'number' ? `[${p}]` : `${i === 0 ? ':' : '.'}${String(p)}`;
  });
  return new MiaError('E_JSON', issue.message, { where });
}

/** `value` parsed by `schema`, or {@link schemaError} thrown. */
export function parseWith<T>(schema: z.ZodType<T>, value: unknown, file: string): T {
  const r = schema.safeParse(value);
  if (!r.success) throw schemaError(file, r.error);
  return r.data;
}
