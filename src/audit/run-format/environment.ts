/** environment.json: where and with what the audit ran. */
import { z } from 'zod';

export const EnvironmentFile = z
  .object({
    backend: z
      .string()
      .describe('the backend that trained, e.g. "onnxruntime-cpu"; "unknown" when none was created'),
    engine: z.string().describe('the training engine, e.g. "tfjs"'),
    node: z.string().describe('Node.js version, e.g. "v20.19.2"'),
    miaAudit: z.string().describe("mia-audit's version (package.json)"),
    dataset: z
      .object({
        name: z.string().describe('the dataset used'),
        source: z.string().describe('where its samples came from'),
        classNames: z
          .array(z.string())
          .optional()
          .describe('class labels (the sample grid and the class bars)'),
        requested: z
          .string()
          .optional()
          .describe('experiments mode: the dataset configured, when another one stood in'),
        notice: z.string().optional().describe('experiments mode: why another dataset stood in'),
      })
      .describe('the dataset'),
    platform: z.string().describe('`<platform>-<arch>`, e.g. linux-x64'),
    cpus: z.number().int().describe('available parallelism'),
  })
  .describe(
    'The report shows every key of this file as it is (it reads it as any JSON object), and takes ' +
      '`dataset.classNames` when it is a list of strings.',
  );

/** environment.json as the audit writes it. */
export type EnvironmentFile = z.input<typeof EnvironmentFile>;
