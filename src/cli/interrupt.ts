/**
 * What `mia` says when interrupted (Ctrl-C) or terminated (SIGTERM): commands that write a resumable run
 * directory record it here (`setCurrentRunDir`), and the handlers that main.ts installs print one line
 * naming it before exiting with 130 (128 + SIGINT) or 143 (128 + SIGTERM), the shell's codes.
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

/** The line printed on SIGINT (or, with `signal` 'SIGTERM', on SIGTERM) for a run in `dir` (or without one). */
export function interruptMessage(dir: string | undefined, signal: 'SIGINT' | 'SIGTERM' = 'SIGINT'): string {
  const what = signal === 'SIGINT' ? 'interrupted' : 'terminated (SIGTERM)';
  return dir !== undefined
    ? `${what}; finished work is kept in ${dir} — run the same command again to resume`
    : what;
}

/** The exit code of a command stopped by `signal`: 128 + its number, as shells report it. */
export const SIGNAL_EXIT_CODES = { SIGINT: 130, SIGTERM: 143 } as const;

/**
 * Installs the SIGINT and SIGTERM handlers: prints `interruptMessage` for the recorded run directory to
 * stderr and exits 130 (SIGINT) or 143 (SIGTERM). Work already saved is written atomically, so nothing
 * half written is left behind; process.exit runs the exit hooks (the run lock is released). Installed
 * once.
 */
let installed = false;
export function installInterruptHandler(): void {
  if (installed) return;
  installed = true;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      process.stderr.write(`\n${interruptMessage(runDir, signal)}\n`);
      process.exit(SIGNAL_EXIT_CODES[signal]);
    });
  }
}

/**
 * One more turn of the event loop before the process ends (main.ts awaits it last): a SIGINT / SIGTERM
 * that arrived during the last synchronous stretch of work (the report's charts, the summary) is still
 * waiting to be read, and the loop would otherwise end without reading it — the command exited 0 as if
 * never interrupted. The poll phase before the immediate reads it, and the handler exits 130 / 143.
 */
export function afterPendingSignals(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
