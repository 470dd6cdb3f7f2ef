/** The stage timing of an audit: timing.json of the run directory (run-format/timing.ts). */
import { writeJsonAtomic } from '../io/atomic.js';
import type { TimingFile, TimingStage } from './run-format/index.js';

/** One line of timing.json: the stage, its wall time in seconds, and whether it was reused from disk. */
export type StageTiming = TimingStage;

/**
 * The timing log: each finished stage is appended and timing.json rewritten (atomically), so a killed
 * run leaves the timing of the stages it finished.
 */
export class TimingLog {
  readonly stages: StageTiming[] = [];
  private readonly path: string | undefined;

  constructor(path?: string) {
    this.path = path;
  }

  /** Records a finished stage and rewrites timing.json. */
  add(stage: string, seconds: number, reused: boolean): void {
    this.stages.push({ stage, seconds: Math.round(seconds * 1000) / 1000, reused });
    const file: TimingFile = { stages: this.stages };
    if (this.path !== undefined) writeJsonAtomic(this.path, file);
  }

  /** Runs `fn`, records its wall time under `stage` (reused as `fn` reports it) and returns its value. */
  async time<T>(
    stage: string,
    fn: () => Promise<{ value: T; reused: boolean }> | { value: T; reused: boolean },
  ): Promise<T> {
    const t0 = performance.now();
    const r = await fn();
    this.add(stage, (performance.now() - t0) / 1000, r.reused);
    return r.value;
  }

  /** Total seconds of the stages recorded. */
  total(): number {
    return this.stages.reduce((s, x) => s + x.seconds, 0);
  }
}
