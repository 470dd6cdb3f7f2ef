/**
 * What `mia` says when interrupted (Ctrl-C): commands that write a resumable run directory record it here
 * (`setCurrentRunDir`), and the SIGINT handler that main.ts installs prints one line naming it before
 * exiting with 130 (128 + SIGINT), the shell's code for an interrupted command.
 */

let runDir: string | undefined;

/** Records the run directory of the command in progress (undefined: none yet). */
export function setCurrentRunDir(dir: string | undefined): void {
  runDir = dir;
}

/** The run directory recorded by the command in progress, if any. */
export function currentRunDir(): string | undefined {
  return runDir;
}

/** The line printed on SIGINT for a run in `dir` (or without one). */
export function interruptMessage(dir: string | undefined): string {
  return dir !== undefined
    ? `interrupted; finished work is kept in ${dir} — run the same command again to resume`
    : 'interrupted';
}

/**
 * Installs the SIGINT handler: prints `interruptMessage` for the recorded run directory to stderr and
 * exits 130. Work already saved is written atomically, so nothing half written is left behind.
 * Installed once.
 */
let installed = false;
export function installInterruptHandler(): void {
  if (installed) return;
  installed = true;
  process.once('SIGINT', () => {
    process.stderr.write(`\n${interruptMessage(runDir)}\n`);
    process.exit(130);
  });
}
