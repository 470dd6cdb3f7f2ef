import { formatDuration } from '../core/duration.js';
import { defineCommand } from './command.js';
import { withEnvOverrides } from './env-overrides.js';
import { bool, list, num, text, texts } from './flags.js';

export const planCommand = defineCommand({
  name: 'plan',
  summary: 'how large an audit must be: non-members, members, reference models and wall time',
  description: `Plans an audit before it is run: the non-members needed so the FPR target rests on ≥ 10 false
positives, the members needed so the Clopper–Pearson 95% interval of TPR at that FPR is no wider than
±HALF-WIDTH, the reference models each attack needs to be near its best (from the papers, cited), and
with --config the wall time on this machine (a previous run's timing.json, else a few measured training
steps of the configured architecture). With --config and no --fpr, it plans the config's own lowest
FPR target and refuses (exit 2) a config whose non-members cannot resolve its FPR targets.`,
  flags: {
    fpr: num({
      range: { min: 0, max: 1, exclusiveMin: true, exclusiveMax: true },
      description: 'the FPR target, e.g. 0.001 (with --config: default its lowest audit.fpr_targets)',
    }),
    'half-width': num({
      default: 0.01,
      range: { min: 0, max: 0.5, exclusiveMin: true, exclusiveMax: true },
      description: 'the largest half-width of the 95% interval of TPR at that FPR (default {default})',
    }),
    'expected-tpr': num({
      range: { min: 0, max: 1 },
      description: 'the TPR you expect there (default 0.5, the widest interval: enough for any TPR)',
    }),
    attack: list({
      placeholder: 'LIST',
      description: 'attacks to plan reference models for (default: the config’s, else rmia)',
    }),
    config: text({
      placeholder: 'FILE',
      description: 'an audit config: its attacks, its FPR targets, its wall time',
    }),
    set: texts({
      placeholder: 'KEY=VALUE',
      requires: 'config',
      description: 'override a config value (as mia audit --set)',
    }),
    'from-run': text({
      placeholder: 'DIR',
      requires: 'config',
      description:
        'a run directory whose timing.json sizes the wall time (default: the config’s run.log_dir)',
    }),
    'no-calibrate': bool({
      requires: 'config',
      description: 'do not measure the engine when no timing.json is found',
    }),
    json: text({
      placeholder: 'FILE',
      output: 'file',
      description: 'write the plan as JSON (- for standard output)',
    }),
  },
  async run(args) {
    const { planRequest } = await import('../audit/plan-config.js');
    const loaded =
      args.config !== undefined
        ? (await import('../audit/config.js')).loadAuditConfig(
            args.config,
            withEnvOverrides(args.set, (l) => console.error(l)),
          )
        : undefined;
    const plan = await planRequest(
      {
        ...(args.fpr !== undefined ? { fpr: args.fpr } : {}),
        halfWidth: args['half-width'],
        ...(args['expected-tpr'] !== undefined ? { expectedTpr: args['expected-tpr'] } : {}),
        ...(args.attack !== undefined ? { attacks: args.attack } : {}),
        ...(args['from-run'] !== undefined ? { fromRun: args['from-run'] } : {}),
        calibrate: !args['no-calibrate'],
      },
      loaded,
    );
    const wall = (s: number | null) => (s === null ? 'unknown' : `~${formatDuration(s)}`);
    const lines = [
      `mia plan: TPR at FPR ${plan.fpr}, 95% interval ±${plan.halfWidth} at an expected TPR of ${plan.expectedTpr}` +
        (loaded !== undefined ? ` (${loaded.file})` : ''),
      `  non-members       ${plan.nonMembers}`,
      `  members           ${plan.members}`,
      `  data.audit_size   ${plan.auditSize}  (each model trains on a random half)`,
      `  reference models  ${Object.entries(plan.referenceModelsByAttack)
        .map(([a, n]) => `${a} ${n}`)
        .join(', ')}  (audit.reference_models: ${plan.referenceModelsKey})`,
      ...(loaded !== undefined
        ? [`  wall time         ${wall(plan.wallSeconds)}  (as configured: ${wall(plan.configWallSeconds)})`]
        : []),
      ...plan.notes.map((n) => `  - ${n}`),
    ];
    console.log(lines.join('\n'));
    if (args.json !== undefined) {
      const { writeJsonAtomic } = await import('../io/atomic.js');
      writeJsonAtomic(args.json, plan);
    }
    return 0;
  },
});
