/**
 * Where library code sends progress lines. Library code never writes to the console itself: the CLI
 * passes a logger that prints to stderr, tests pass one that records lines, the default is silent.
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
