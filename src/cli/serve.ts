/**
 * `mia serve`: the audit service on one machine (src/server/service.ts): the HTTP API and N in-process
 * workers over an embedded SQLite store and queue in --data DIR. docs/service.md.
 */
import { defineCommand } from './command.js';
import { int, num, text } from './flags.js';

export const serveCommand = defineCommand({
  name: 'serve',
  summary: 'run the audit service: an HTTP API and workers that run submitted audits',
  description: `Starts the HTTP API (/api/v1, docs/service.md) and --workers in-process workers that run submitted
audits into DIR/runs/<id>/. The store and the queue live in DIR/mia.db (SQLite): nothing else to install;
--database postgres://… puts them in Postgres instead, shared by every server started on it.
On a fresh DIR an admin token is written to DIR/admin-token (mode 600). A job whose server was killed
is taken again after a restart and resumes with the models it had finished. Ctrl-C stops cleanly.
With --redis, the scaled mode: each audit is a BullMQ flow whose model jobs \`mia worker\` processes on
any machine take; this process then runs the signals, attacks and report over the uploaded models.`,
  flags: {
    data: text({
      placeholder: 'DIR',
      default: 'mia-data',
      description: 'the data directory (default {default})',
    }),
    database: text({
      placeholder: 'URL',
      description: 'a Postgres database (postgres://user:password@host:5432/db) instead of DIR/mia.db',
    }),
    host: text({
      placeholder: 'HOST',
      default: '127.0.0.1',
      description: 'the address to bind (default {default})',
    }),
    port: int({
      default: 8470,
      range: { min: 0, max: 65535 },
      description: 'the port (default {default}; 0 picks one)',
    }),
    workers: int({
      default: 1,
      range: { min: 0, max: 64 },
      description: 'in-process workers (default {default})',
    }),
    'body-limit-mb': num({
      default: 512,
      range: { min: 0.001 },
      description: 'largest request body in MiB (default {default}; 413 above it)',
    }),
    redis: text({
      placeholder: 'URL',
      description:
        'the scaled mode: BullMQ on this Redis (redis://host:6379); model jobs go to `mia worker`s, this process runs the attacks and reports',
    }),
    'lease-seconds': num({
      default: 60,
      range: { min: 0.5 },
      description: 'how long a job stays taken without a heartbeat (default {default})',
    }),
  },
  async run(args) {
    const { startService } = await import('../server/service.js');
    const service = await startService({
      data: args.data,
      ...(args.database !== undefined ? { database: args.database } : {}),
      host: args.host,
      port: args.port,
      workers: args.workers,
      bodyLimit: Math.round(args['body-limit-mb'] * 1024 * 1024),
      leaseMs: Math.round(args['lease-seconds'] * 1000),
      ...(args.redis !== undefined ? { redis: args.redis } : {}),
      log: (line) => console.error(line),
    });
    const runs =
      args.redis !== undefined
        ? `scaled mode on ${args.redis} (model jobs for \`mia worker\`, ${Math.max(1, args.workers)} audit runner${args.workers > 1 ? 's' : ''} here)`
        : `${args.workers} worker${args.workers === 1 ? '' : 's'}`;
    console.log(`mia serve: listening on ${service.url}, ${runs}, data ${service.dataDir}`);
    if (service.adminTokenFile !== undefined) console.log(`admin token written to ${service.adminTokenFile}`);
    console.log(`web UI: ${service.url}/ (sign in with a token; docs/web-ui.md)`);
    await new Promise<void>((resolve) => {
      const stop = () => resolve();
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
    console.log('mia serve: stopping (jobs in progress go back to the queue)');
    await service.close();
    // a pipeline still inside a step would keep the process alive: its job is queued again already
    process.exit(0);
  },
});
