/** `mia status ID`: one audit of a `mia serve`: status, stage, progress, times, error. */
import { defineCommand } from './command.js';
import { clientOf, serverFlags } from './server-flags.js';

export const statusCommand = defineCommand({
  name: 'status',
  summary: 'show one audit of a mia serve',
  description:
    'Prints the audit: status, stage, progress, when it was created, started and finished, and its error.',
  positional: { name: 'id', placeholder: 'ID', noun: 'audit id' },
  flags: serverFlags(),
  async run(args) {
    const a = await clientOf('status', args).get(args.id);
    console.log(`audit ${a.id}: ${a.name}${a.experiment !== null ? ` [${a.experiment}]` : ''}`);
    console.log(`status    ${a.status}${a.stage !== null ? `, stage ${a.stage}` : ''}`);
    console.log(`progress  ${a.progress.done}/${a.progress.total}`);
    console.log(`created   ${a.createdAt}`);
    if (a.startedAt !== null) console.log(`started   ${a.startedAt}`);
    if (a.finishedAt !== null) console.log(`finished  ${a.finishedAt}`);
    if (a.error !== null) console.log(`error     ${a.error}`);
    return 0;
  },
});
