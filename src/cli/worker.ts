/**
 * `mia worker --server URL --redis redis://…`: a worker of the scaled mode (src/client/model-worker.ts)
 * that trains the model jobs of `mia serve --redis` audits and uploads their files. docs/service.md.
 */
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MiaError } from '../errors.js';
import { defineCommand } from './command.js';
import { int, num, text } from './flags.js';
import { serverFlags } from './server-flags.js';

export const workerCommand = defineCommand({
  name: 'worker',
  summary: 'train the model jobs of a scaled mia serve (BullMQ on Redis)',
  description: `Takes model jobs of \`mia serve --redis\` audits from the Redis: for each, fetches the audit's config
(and its dataset file, for a data.path) from --server, trains the model and computes its signals in
--work DIR, and uploads them. Needs a worker token (\`mia token create --worker\`; default $MIA_TOKEN).
A worker killed mid-job leaves its job to another worker once --lock-seconds have passed. Ctrl-C stops
after the jobs in progress.`,
  flags: {
    ...serverFlags(),
    redis: text({ placeholder: 'URL', description: "the server's Redis, e.g. redis://host:6379 (required)" }),
    concurrency: int({
      default: 1,
      range: { min: 1, max: 64 },
      description: 'model jobs at the same time (default {default})',
    }),
    threads: int({
      range: { min: 1, max: 1024 },
      description: 'compute threads per model (onnxruntime intra-op; default: all cores)',
    }),
    work: text({
      placeholder: 'DIR',
      description: 'where the local run directories are kept (default: a mia-worker folder in the temp dir)',
    }),
    'lock-seconds': num({
      default: 30,
      range: { min: 1 },
      description: 'how long a job stays taken without a sign of life (default {default})',
    }),
  },
  async run(args) {
    const server = args.server ?? process.env.MIA_SERVER;
    if (server === undefined || server === '') {
      throw new MiaError('E_USAGE', '--server URL (or MIA_SERVER) is required', { where: 'mia worker' });
    }
    if (args.redis === undefined) {
      throw new MiaError('E_USAGE', '--redis URL is required', {
        where: 'mia worker',
        expected: 'redis://host:6379',
      });
    }
    const token = args.token ?? process.env.MIA_TOKEN;
    const { startModelWorker } = await import('../client/model-worker.js');
    const w = await startModelWorker({
      server,
      token: token === '' ? undefined : token,
      redis: args.redis,
      concurrency: args.concurrency,
      work: args.work ?? join(tmpdir(), 'mia-worker'),
      ...(args.threads !== undefined ? { threads: args.threads } : {}),
      lockMs: Math.round(args['lock-seconds'] * 1000),
      log: (line) => console.error(line),
    });
    console.log(`mia worker ${w.name}: taking model jobs of ${server} from ${args.redis}`);
    await new Promise<void>((resolve) => {
      process.once('SIGINT', () => resolve());
      process.once('SIGTERM', () => resolve());
    });
    console.log('mia worker: stopping after the jobs in progress');
    await w.close();
    process.exit(0);
  },
});
