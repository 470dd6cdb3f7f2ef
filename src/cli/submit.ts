/** `mia submit config.yaml --server URL`: queues an audit on a `mia serve`; with --wait, follows it to the end. */
import { basename } from 'node:path';
import { readFileOrThrow } from '../io/atomic.js';
import { defineCommand } from './command.js';
import { bool, text } from './flags.js';
import { auditLine, eventLine } from './format-service.js';
import { clientOf, serverFlags } from './server-flags.js';

export const submitCommand = defineCommand({
  name: 'submit',
  summary: 'submit an audit config to a mia serve; --wait follows it to the end',
  description: `Sends CONFIG.yaml to the service (the server validates it as \`mia audit\` does: errors name the file's
line and column) and prints the audit's id. With --wait, prints its progress and log lines and exits with
its outcome: 0 when it succeeded, 2 when it failed or was cancelled. \`mia fetch ID\` downloads the run.`,
  positional: { name: 'config', placeholder: 'CONFIG.yaml', noun: 'config file' },
  flags: {
    ...serverFlags(),
    name: text({ placeholder: 'NAME', description: "the audit's name (default: the file name)" }),
    experiment: text({ placeholder: 'NAME', description: 'group the audit under this experiment' }),
    wait: bool({ description: 'follow the audit until it finishes; exit with its outcome' }),
  },
  async run(args) {
    const client = clientOf('submit', args);
    const text = new TextDecoder().decode(readFileOrThrow(args.config));
    const id = await client.submit(text, {
      file: basename(args.config),
      ...(args.name !== undefined ? { name: args.name } : {}),
      ...(args.experiment !== undefined ? { experiment: args.experiment } : {}),
    });
    console.log(`submitted ${id}`);
    if (!args.wait) return 0;
    for await (const e of client.events(id, { follow: true })) console.log(eventLine(e));
    const a = await client.get(id);
    console.log(auditLine(a));
    return a.status === 'succeeded' ? 0 : 2;
  },
});
