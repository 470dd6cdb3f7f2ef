/** run.lock: who holds the run directory (src/audit/run-lock.ts). */
import { z } from 'zod';

export const LockFile = z
  .object({
    pid: z.number().int().positive().describe('the process id of the holder'),
    host: z.string().describe('the host name of the holder (os.hostname())'),
    since: z.string().describe('when the holder took the lock (ISO 8601, UTC)'),
    command: z.string().optional().describe('what it runs, e.g. "mia audit configs/quickstart.yaml"'),
  })
  .describe(
    'Present while a process writes the run directory (`mia audit`, `mia demo`, `mia report` into ' +
      '<run dir>/report); removed when it ends, fails or is interrupted. A second process stops with one ' +
      'line naming the holder (or waits with `--wait-lock`). A lock whose process is gone (same host, no ' +
      'such PID: a kill -9) is stale and taken over with a note.',
  );

/** run.lock as written. */
export type LockFileInput = z.input<typeof LockFile>;
