/**
 * The flags of the commands that talk to a `mia serve` (submit, runs, status, cancel, logs, fetch):
 * --server URL and --token T, which default to the MIA_SERVER and MIA_TOKEN environment variables, and
 * the client they make (src/client/mia-client.ts).
 */
import { MiaClient } from '../client/mia-client.js';
import { MiaError } from '../errors.js';
import { text } from './flags.js';

export function serverFlags() {
  return {
    server: text({
      placeholder: 'URL',
      description: 'the service, e.g. http://127.0.0.1:8470 (default: $MIA_SERVER)',
    }),
    token: text({
      placeholder: 'TOKEN',
      description: 'a token of `mia token create` or DIR/admin-token (default: $MIA_TOKEN)',
    }),
  };
}

/** The client of --server / --token (or their environment variables); E_USAGE when no server is named. */
export function clientOf(command: string, args: { server: string | undefined; token: string | undefined }) {
  const url = args.server ?? process.env.MIA_SERVER;
  if (url === undefined || url === '') {
    throw new MiaError('E_USAGE', '--server URL (or MIA_SERVER) is required', { where: `mia ${command}` });
  }
  const token = args.token ?? process.env.MIA_TOKEN;
  return new MiaClient(url, token === '' ? undefined : token);
}
