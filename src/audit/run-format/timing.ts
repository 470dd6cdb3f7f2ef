/** timing.json: the wall time of each stage of the latest run. */
import { z } from 'zod';

export const TimingStageJson = z.object({
  stage: z.string().describe('the stage (names below)'),
  seconds: z.number().describe('wall time in seconds (rounded to ms)'),
  reused: z.boolean().default(false).describe('true when its result was found finished on disk and reused'),
});

export const TimingFile = z
  .object({ stages: z.array(TimingStageJson).describe('the finished stages, in order') })
  .describe(
    'Stage names: `load dataset`, `population`, `model <id>`, `attack <name>[ (experiment e, target id)]`, ' +
      '`attacks <model>` (experiments mode), `report`. On a rerun that reuses results.json the per-attack ' +
      'stages are replaced by one stage `{"stage": "attacks", "seconds": 0, "reused": true}` (the first ' +
      "run's attack times are not kept); timing.json describes the latest run only. Rewritten after " +
      'every stage, so a killed run leaves the timing of the stages it finished.',
  );

/** timing.json as written. */
export type TimingFile = z.input<typeof TimingFile>;
/** One stage of timing.json as read (reused defaults to false). */
export type TimingStage = z.output<typeof TimingStageJson>;
