import type { TrainedAttackProgress } from '../attacks/trained-attack-scale.js';
import { formatDuration } from '../core/duration.js';
import type { Logger } from '../core/logger.js';

/** How often a long attack reports, in seconds, unless RunAttacksOptions.progressEverySeconds says. */
export const DEFAULT_PROGRESS_EVERY_SECONDS = 10;

/** The progress lines of one attack of a suite; see {@link attackProgress}. */
export interface AttackProgressLines {
  /** Writes "attack 7/9 rf: started". */
  start(): void;
  /** A trained attack's step: writes a line with the share done and the ETA, at most every `everySeconds`. */
  step(p: TrainedAttackProgress): void;
  /** Writes "attack 7/9 rf: done in 31 s" (the seconds since start). */
  done(): void;
}

/**
 * Progress of attack `index` (1-based) of `count` named `name`, as lines to `logger`: a start line, a
 * line per trained-attack step when `everySeconds` have passed since the last line (0: every step), and a
 * done line. A step line reads e.g. "attack 7/9 rf: 42% (attacker 1 of 2: 800000 of 2000000 samples
 * scored), 13 s elapsed, ETA 18 s". The ETA assumes the attackers still to come cost what the last one
 * did (training time, then rows scored per second); it is "?" until one attacker has scored a chunk.
 * `now` gives seconds (the caller's clock).
 */
export function attackProgress(
  logger: Logger,
  name: string,
  index: number,
  count: number,
  everySeconds: number,
  now: () => number,
): AttackProgressLines {
  const head = `attack ${index}/${count} ${name}`;
  let t0 = 0;
  let lastLine = 0;
  let fitStart = 0;
  let scoreStart = 0;
  let fitSeconds = Number.NaN; // of the last attacker that finished training
  let rate = Number.NaN; // rows scored per second by the latest attacker
  return {
    start() {
      t0 = now();
      lastLine = t0;
      logger.info(`${head}: started`);
    },
    step(p) {
      const t = now();
      if (p.step === 'fit') fitStart = t;
      else if (p.step === 'trained') {
        fitSeconds = t - fitStart;
        scoreStart = t;
      } else if (t > scoreStart) rate = p.scored / (t - scoreStart);
      if (t - lastLine < everySeconds) return;
      lastLine = t;
      // Seconds still to go: this attacker's rest, then the attackers after it.
      const attacker = fitSeconds + p.toScore / rate;
      let rest: number;
      if (p.step === 'fit') rest = Math.max(0, fitSeconds - (t - fitStart)) + p.toScore / rate;
      else rest = (p.toScore - p.scored) / rate;
      rest += (p.folds - p.fold - 1) * attacker;
      const elapsed = t - t0;
      const share = Number.isFinite(rest) ? `${Math.floor((100 * elapsed) / (elapsed + rest))}% ` : '';
      const who = `attacker ${p.fold + 1} of ${p.folds}`;
      const what =
        p.step === 'scored'
          ? `${who}: ${p.scored} of ${p.toScore} samples scored`
          : p.step === 'fit'
            ? `${who}: training on ${p.trainRows} samples`
            : `${who}: trained, scoring ${p.toScore} samples`;
      logger.info(
        `${head}: ${share}(${what}), ${formatDuration(elapsed)} elapsed, ETA ${formatDuration(rest)}`,
      );
    },
    done() {
      logger.info(`${head}: done in ${formatDuration(now() - t0)}`);
    },
  };
}
