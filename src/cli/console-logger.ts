/**
 * The CLI's logger. On a terminal, a progress task (one model's training: epoch, loss, accuracy,
 * samples/s, ETA) is one line rewritten in place, so a 240-epoch audit shows 8 lines, not 240; its last
 * line stays. Anywhere else (CI logs, pipes, files) every line is printed as it comes, as before. With a
 * log file attached (`attachFile`: the run directory's log.txt) every line — each progress line too —
 * is also appended there, so the full log is never lost to the rewriting.
 */
import { appendFileSync } from 'node:fs';
import type { Logger } from '../core/logger.js';

/** What the logger writes to: process.stdout, or a stand-in in tests. */
export interface ConsoleStream {
  write(text: string): unknown;
  isTTY?: boolean;
  /** Width of the terminal; a live line is cut to fit it, since a wrapped line cannot be rewritten. */
  columns?: number;
}

export interface ConsoleLogger extends Logger {
  progress(key: string, line: string, done: boolean): void;
  /** Appends every line from now on (and the lines logged so far) to `file`, after a header line. */
  attachFile(file: string, header: string): void;
  /** Ends a live line with its newline, so what is printed next starts on its own line. */
  end(): void;
}

/** Whether `stream` gets updating lines: a TTY that is not TERM=dumb. */
export function isLiveTerminal(stream: ConsoleStream, env: NodeJS.ProcessEnv = process.env): boolean {
  return stream.isTTY === true && env.TERM !== 'dumb';
}

/** The CLI's logger on `stream` (default process.stdout); `live` defaults to {@link isLiveTerminal}. */
export function consoleLogger(
  stream: ConsoleStream = process.stdout,
  live = isLiveTerminal(stream),
): ConsoleLogger {
  // a whole line goes through console.log on the real stdout (as every other line of the CLI does)
  const println =
    stream === process.stdout
      ? (line: string) => console.log(line)
      : (line: string) => stream.write(`${line}\n`);
  let liveKey: string | undefined;
  let file: string | undefined;
  const early: string[] = [];
  const record = (line: string) => {
    if (file === undefined) early.push(line);
    else appendFileSync(file, `${line}\n`);
  };
  const end = () => {
    if (liveKey !== undefined) stream.write('\n');
    liveKey = undefined;
  };
  const fit = (line: string) => {
    const w = stream.columns ?? 0;
    return w > 1 && line.length > w - 1 ? `${line.slice(0, w - 2)}…` : line;
  };
  return {
    info(line) {
      record(line);
      end();
      println(line);
    },
    progress(key, line, done) {
      record(line);
      if (!live) {
        println(line);
        return;
      }
      if (liveKey !== undefined && liveKey !== key) end();
      const clear = liveKey === key ? '\r\x1b[2K' : '';
      // the task's last line is written whole (it is not rewritten again, so it may wrap)
      stream.write(done ? `${clear}${line}\n` : `${clear}${fit(line)}`);
      liveKey = done ? undefined : key;
    },
    attachFile(path, header) {
      file = path;
      appendFileSync(path, `${header}\n${early.map((l) => `${l}\n`).join('')}`);
      early.length = 0;
    },
    end,
  };
}
