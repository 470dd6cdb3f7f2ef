/** `mia logs ID [-f]`: the log lines and progress of an audit of a `mia serve`. */
import { defineCommand } from './command.js';
import { bool } from './flags.js';
import { eventLine } from './format-service.js';
import { clientOf, serverFlags } from './server-flags.js';

export const logsCommand = defineCommand({
  name: 'logs',
  summary: 'print the log of an audit of a mia serve (-f follows it)',
  description:
    "Prints the audit's log lines, stages and progress so far; with -f, goes on until it finishes.",
  positional: { name: 'id', placeholder: 'ID', noun: 'audit id' },
  flags: { ...serverFlags(), follow: bool({ short: 'f', description: 'follow until the audit finishes' }) },
  async run(args) {
    const client = clientOf('logs', args);
    for await (const e of client.events(args.id, { follow: args.follow })) console.log(eventLine(e));
    return 0;
  },
});
