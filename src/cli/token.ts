/** `mia token create`: a new bearer token of the service, printed once; the store keeps only its hash. */
import { MiaError } from '../errors.js';
import { defineCommand } from './command.js';
import { bool, text } from './flags.js';

export const tokenCommand = defineCommand({
  name: 'token',
  summary: 'create a token of the audit service (mia token create --data DIR)',
  description: `mia token create prints a new token for \`mia serve --data DIR\`: an admin token by default, or one
that can only read (--read-only) or only take jobs and upload their artifacts (--worker). Only its
SHA-256 is stored: keep the printed token.`,
  positional: { name: 'action', placeholder: 'create', noun: 'action (create)' },
  flags: {
    data: text({
      placeholder: 'DIR',
      default: 'mia-data',
      description: 'the data directory (default {default})',
    }),
    database: text({
      placeholder: 'URL',
      description: 'the Postgres database of `mia serve --database` (instead of DIR/mia.db)',
    }),
    'read-only': bool({ description: 'a token that can only read' }),
    worker: bool({ description: 'a token for workers of the scaled mode' }),
    name: text({
      placeholder: 'NAME',
      default: 'token',
      description: 'a name to recognise it by (default {default})',
    }),
  },
  async run(args) {
    if (args.action !== 'create') {
      throw new MiaError('E_USAGE', `unknown action '${args.action}'`, {
        where: 'mia token',
        expected: 'create',
      });
    }
    if (args['read-only'] && args.worker) {
      throw new MiaError('E_USAGE', '--read-only and --worker cannot be combined', { where: 'mia token' });
    }
    const [{ openDataDir }, { openStore }] = await Promise.all([
      import('../server/data-dir.js'),
      import('../service/open-store.js'),
    ]);
    const store = await openStore(args.database, openDataDir(args.data).db);
    try {
      const scope = args['read-only'] ? 'read-only' : args.worker ? 'worker' : 'admin';
      console.log(await store.createToken(scope, args.name));
    } finally {
      await store.close();
    }
    return 0;
  },
});
