/**
 * Where library code sends progress lines. Library code never writes to the console itself: the CLI
 * passes stdoutLogger (progress is the commands' output; errors alone go to stderr), tests pass
 * memoryLogger, the default is silentLogger.
 */
export interface Logger {
  /** One human-readable line (no trailing newline). */
  info(line: string): void;
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
