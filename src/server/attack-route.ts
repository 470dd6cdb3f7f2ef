/**
 * POST /api/v1/attacks: `mia attack --input` as a request. The body is the file of one model's outputs
 * (application/octet-stream: .npz, .csv or .json with TF Privacy's keys, the format told by the `file`
 * query parameter's extension); the query names the attacks, slices and seed as the CLI flags do. The
 * upload is read and checked exactly as `mia attack` reads a file (signals/attack-input-files.ts), so a
 * bad key, shape or column is a 400 naming the uploaded file and the key or line; the answer is the
 * results `mia attack --json` writes. Bodies over the server's limit are refused with 413 before they
 * are read in full. The attacks run in the request (they take as long as `mia attack` does).
 */
import type { FastifyInstance } from 'fastify';
import { DEFAULT_OUTPUT_ATTACKS } from '../attacks/registry.js';
import { checkOutputAttacks, checkTrainedAttackSizes } from '../audit/output-attack-checks.js';
import { runOutputAttacks } from '../audit/run-attacks.js';
import { isMiaError, MiaError } from '../errors.js';
import { parseSliceFamily, SLICE_FAMILIES } from '../metrics/slicing.js';
import { AttackQuery, type AttackResponse } from '../service/api-schemas.js';
import { attackInputFromBytes } from '../signals/attack-input-files.js';
import { parseWith } from './audit-routes.js';
import { HttpError } from './http-error.js';

const UPLOAD_TYPE = 'application/octet-stream';

const listOf = (s: string | undefined) =>
  s === undefined
    ? undefined
    : s
        .split(',')
        .map((x) => x.trim())
        .filter((x) => x !== '');

/** A slice family by name; its error names the query parameter rather than the CLI flag. */
function sliceOf(name: string) {
  try {
    return parseSliceFamily(name);
  } catch (e) {
    if (!isMiaError(e)) throw e;
    throw new MiaError(e.code, e.message, {
      where: 'query.slices',
      ...(e.expected !== undefined ? { expected: e.expected } : {}),
    });
  }
}

export function attackRoute(app: FastifyInstance): void {
  // (in its own plugin: the upload's content type is parsed for this route only)
  app.register(async (scope) => {
    scope.addContentTypeParser(UPLOAD_TYPE, { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
    scope.post('/api/v1/attacks', async (req): Promise<AttackResponse> => {
      const q = parseWith(AttackQuery, req.query ?? {}, 'query');
      if (!Buffer.isBuffer(req.body)) {
        throw new HttpError(415, 'E_REQUEST', 'the outputs file is the request body', {
          expected: `Content-Type: ${UPLOAD_TYPE}`,
          found: req.headers['content-type'] ?? 'no content type',
        });
      }
      // every parameter is checked before the upload is parsed, as the CLI checks its flags first
      const attacks = checkOutputAttacks(
        listOf(q.attacks) ?? [...DEFAULT_OUTPUT_ATTACKS],
        'query',
        'query.attacks',
      );
      const slices = (listOf(q.slices) ?? [...SLICE_FAMILIES]).map(sliceOf);
      const input = attackInputFromBytes(new Uint8Array(req.body), q.file);
      checkTrainedAttackSizes(attacks, input.members.n, input.nonMembers.n, q.file);
      const { results } = runOutputAttacks(input, { attacks, slices, seed: q.seed });
      return {
        input: {
          file: q.file,
          members: input.members.n,
          nonMembers: input.nonMembers.n,
          classes: input.members.numClasses,
          notes: [...(input.notes ?? [])],
        },
        results: JSON.parse(JSON.stringify(results)) as AttackResponse['results'],
      };
    });
  });
}
