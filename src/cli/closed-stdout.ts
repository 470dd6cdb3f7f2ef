/**
 * A reader that closes `mia`'s standard output early (`mia audit … | head -2`, quitting a pager) must not
 * abort the work: once a write to stdout fails with EPIPE, stdout is no longer written to and the
 * command goes on (an audit's results still land in its run directory); the command then exits as it
 * would have, quietly. Installed once by main.ts for every command.
 */

let installed = false;

/** Drops every write to process.stdout after its first EPIPE; other stdout errors are rethrown. */
export function installClosedStdoutGuard(): void {
  if (installed) return;
  installed = true;
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code !== 'EPIPE') throw e;
    process.stdout.write = (() => true) as typeof process.stdout.write;
  });
}
