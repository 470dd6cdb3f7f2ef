/** experiments.json: what the experiments mode compared (src/audit/experiments.ts, compare-experiments.ts). */
import { z } from 'zod';

const int = z.number().int();

export const ExperimentsFile = z
  .object({
    dataset: z
      .object({
        requested: z.string().describe('data.dataset as configured'),
        used: z
          .string()
          .describe('the dataset used (data.fallback_dataset’s when the configured one was not found)'),
        source: z.string().describe('where its samples came from'),
        note: z.string().optional().describe('why another dataset was used, when one was'),
      })
      .describe('the dataset'),
    experiments: z
      .array(
        z.object({
          name: z.string().describe('the experiment’s name (results.json `experiment`)'),
          title: z.string().optional().describe('its title, when the config gives one'),
          models: z.array(z.string()).describe('model ids (results.json `model`), in the config’s order'),
          classes: int.describe('classes of its data (first_k_classes, or all)'),
        }),
      )
      .describe('the experiments, in the config’s order'),
    models: z
      .array(
        z.object({
          id: z
            .string()
            .describe(
              'id in results, history and privacy points: its name, plus " (k classes)" for a first-k experiment',
            ),
          name: z.string().describe('its name under `models` in the config'),
          architecture: z
            .string()
            .describe('the architecture in words, e.g. "dense: depth 4, width 64, relu"'),
          params: int.describe('trainable parameters'),
          classes: int.describe('classes of its data'),
          members: int.describe('training samples (members) of the final attacks'),
          nonMembers: int.describe('held-out samples (non-members) of the final attacks'),
          epochs: int.describe('epochs trained'),
          attackSeedSpread: z
            .array(
              z.object({
                attack: z.string(),
                seeds: int.describe('seeds the final attack was run with (1 for a threshold attack)'),
                aucStd: z
                  .number()
                  .describe('sample standard deviation of its entire-dataset AUC over those seeds'),
              }),
            )
            .optional()
            .describe(
              'how much each final attack’s AUC moves with its own seed alone (attack-seed-spread.ts); the comparison band includes it',
            ),
        }),
      )
      .describe('every model trained, once each'),
    privacy: z
      .object({
        everyEpochs: int.describe('audit.privacy_every_epochs'),
        attacks: z.array(z.string()).describe('audit.privacy_attacks'),
        samples: int.describe('audit.privacy_samples'),
      })
      .optional()
      .describe('the attacks during training, when they ran'),
  })
  .describe(
    'Experiments mode only. Its results then carry `experiment` and `model`, and scores.npz keys are ' +
      '`<experiment>/<model>/<attack>` (+ `/is_member`, `/labels`).',
  );

/** experiments.json (no defaults or transforms: as written and as read). */
export type ExperimentsFile = z.infer<typeof ExperimentsFile>;
