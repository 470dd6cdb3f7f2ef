/** `mia runs`: the audits of a `mia serve`, newest first. */
import { AUDIT_STATUSES, type AuditStatus } from '../service/store.js';
import { defineCommand } from './command.js';
import { choice, int, text } from './flags.js';
import { auditLine } from './format-service.js';
import { clientOf, serverFlags } from './server-flags.js';

export const runsCommand = defineCommand({
  name: 'runs',
  summary: 'list the audits of a mia serve',
  description:
    'Lists the audits of the service, newest first: id, status (stage and progress while running), name.',
  flags: {
    ...serverFlags(),
    status: choice(AUDIT_STATUSES, {
      description: `only audits of this status (${AUDIT_STATUSES.join(', ')})`,
    }),
    experiment: text({ placeholder: 'NAME', description: 'only audits of this experiment' }),
    limit: int({
      default: 50,
      range: { min: 1, max: 500 },
      description: 'at most this many (default {default})',
    }),
  },
  async run(args) {
    const client = clientOf('runs', args);
    const page = await client.list({
      limit: args.limit,
      ...(args.status !== undefined ? { status: args.status as AuditStatus } : {}),
      ...(args.experiment !== undefined ? { experiment: args.experiment } : {}),
    });
    for (const a of page.audits) console.log(auditLine(a));
    if (page.audits.length === 0) console.log('no audits');
    return 0;
  },
});
