/** `mia cancel ID`: cancels a queued or running audit of a `mia serve`. */
import { defineCommand } from './command.js';
import { auditLine } from './format-service.js';
import { clientOf, serverFlags } from './server-flags.js';

export const cancelCommand = defineCommand({
  name: 'cancel',
  summary: 'cancel a queued or running audit of a mia serve',
  description: `Cancels the audit: a queued one never starts, a running one stops after the model it is training (its
finished models stay in the run directory).`,
  positional: { name: 'id', placeholder: 'ID', noun: 'audit id' },
  flags: serverFlags(),
  async run(args) {
    console.log(auditLine(await clientOf('cancel', args).cancel(args.id)));
    return 0;
  },
});
