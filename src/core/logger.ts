/**
 * Where library code sends progress lines. Library code never writes to the console itself: the CLI
 * passes stdoutLogger (progress is the commands' output; errors alone go to stderr), tests pass
 * memoryLogger, the default is silentLogger.
 */
export interface Logger {
  /** One human-readable line (no trailing newline). */
  info(line: string): void;
  /**
   * A progress line of the task `key` (e.g. "[2/8] ref-01"), which replaces that task's previous one:
   * a terminal rewrites it in place; `done` marks the task's last line. A logger without this method
   * gets every progress line through `info` (see {@link logProgress}).
   */
  progress?(key: string, line: string, done: boolean): void;
}

/** Sends a progress line to `log.progress`, or to `log.info` as a plain line when it has none. */
export function logProgress(log: Logger, key: string, line: string, done: boolean): void {
  if (log.progress !== undefined) log.progress(key, line, done);
  else log.info(line);
}

/** A logger that drops every line. */
export const silentLogger: Logger = { info: () => {} };

/** A logger that records lines in `lines` (for tests and for callers that show them later). */
export function memoryLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  return { lines, info: (line) => lines.push(line) };
}

/** A logger that prints each line to stdout (the CLI's). */
export const stdoutLogger: Logger = { info: (line) => console.log(line) };
