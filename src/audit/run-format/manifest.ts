/** manifest.json: the size and SHA-256 of every reusable file, recorded when it was written (src/audit/run-manifest.ts). */
import { z } from 'zod';

export const ManifestEntryJson = z.object({
  size: z.number().int().nonnegative().describe('bytes'),
  sha256: z
    .string()
    .regex(/^[0-9a-f]{64}$/)
    .describe('hex SHA-256 of the bytes'),
});

export const ManifestFile = z
  .object({
    version: z.literal(1).describe('1'),
    files: z
      .record(z.string(), ManifestEntryJson)
      .describe(
        'by path relative to the run directory (`/` separated): models/<id>/<hash>/weights.npz, signals/<id>.npz, …',
      ),
  })
  .describe(
    'Recorded as each reusable file is written: the models’ files (model.json, weights.npz, train-indices.npy), ' +
      'signals/<id>.npz, privacy/<id>.json, keep.npy, scores.npz, scores/experiment-<e>.npz, results.json. A rerun ' +
      'checks every recorded file first (size, then SHA-256); one that differs is removed with a note naming it and ' +
      'computed again (a damaged model is trained again, and its signals with it). Files of an older run directory ' +
      'without an entry are checked by reading them (a model’s weights.npz must parse before its signals are reused) ' +
      'and recorded once read.',
  );

/** manifest.json as written. */
export type ManifestFile = z.input<typeof ManifestFile>;
