/**
 * results.json's `dpTraining`: how each DP-trained target was trained and what its accountant claims —
 * the `dp` field of its model.json (written by the DP-SGD training), copied with the model id and the
 * utility comparison the report shows (src/audit/dp-target.ts).
 */
import { z } from 'zod';
import { DpRecordJson } from '../../models/dp/dp-record.js';

const num = z.number();

/** The `dp` field of a DP-trained model's model.json: the training's contract (models/dp/dp-record.ts). */
export const ModelDpJson = DpRecordJson;

export const DpTrainingJson = ModelDpJson.extend({
  model: z.string().describe('the target model’s id'),
  accuracy: num.optional().describe('its last validation accuracy, when measured'),
  baselineAccuracy: num
    .optional()
    .describe('the mean last validation accuracy of the non-DP models of the run it is compared with'),
  baseline: z.string().optional().describe('which models the baseline accuracy is of, in words'),
}).meta({ title: 'DpTraining', definition: 'a DP-trained target and its accountant’s ε' });

/** model.json's `dp` as written. */
export type ModelDpJson = z.input<typeof ModelDpJson>;
/** One entry of results.json's `dpTraining` as written. */
export type DpTrainingJson = z.input<typeof DpTrainingJson>;
