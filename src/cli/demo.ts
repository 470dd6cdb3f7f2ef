/**
 * `mia demo [--out DIR]`: the README's first command. Runs configs/quickstart.yaml — a small CNN on
 * Fashion-MNIST, its reference models, RMIA + LiRA + loss attacks and the report — with its log dir under
 * DIR (default ./mia-demo), printing progress and the summary.
 */
import { basename, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { LoadedConfig } from '../audit/config.js';
import { auditAndReport, topFlag } from './audit.js';
import { defineCommand } from './command.js';
import { withEnvOverrides } from './env-overrides.js';
import { text, texts } from './flags.js';
import { setCurrentRunDir } from './interrupt.js';
import { waitLockFlag } from './shared-flags.js';

/** The quickstart config shipped with the package. */
export const QUICKSTART_CONFIG = fileURLToPath(new URL('../../configs/quickstart.yaml', import.meta.url));

/**
 * The demo asks only for the FPR targets its own non-members resolve (≥ 10 false positives each, as
 * `mia plan` counts them): a new user's first table then holds no column that rests on one false
 * positive, and the line it prints says what the dropped targets would need — information, not a
 * warning about a config the user did not write. Undefined when every target resolves, none does, or
 * the user set audit.fpr_targets (then `mia audit`'s warning stands).
 */
async function resolvableTargets(
  loaded: LoadedConfig,
  sets: readonly string[],
): Promise<{ set: string; note: string } | undefined> {
  const cfg = loaded.config;
  if (cfg.mode !== 'reference' || sets.some((s) => s.trim().startsWith('audit.fpr_targets')))
    return undefined;
  const { unresolvedTargets } = await import('../audit/plan-sizes.js');
  const nonMembers = Math.floor(cfg.data.auditSize / 2);
  const unresolved = unresolvedTargets(cfg.audit.fprTargets, nonMembers);
  const kept = cfg.audit.fprTargets.filter((f) => !unresolved.some((u) => u.fpr === f));
  if (unresolved.length === 0 || kept.length === 0) return undefined;
  const dropped = unresolved
    .map(
      (u) =>
        `${u.fpr} (${Number(u.falsePositives.toFixed(2))} false positive${u.falsePositives === 1 ? '' : 's'}; needs data.audit_size ≥ ${2 * u.needed})`,
    )
    .join(', ');
  return {
    set: `audit.fpr_targets=[${kept.join(', ')}]`,
    note:
      `TPR at FPR ${kept.join(', ')}: what the demo's ${nonMembers} non-members resolve (≥ 10 false positives each); ` +
      `the config's ${dropped} is left out — \`mia plan\` sizes an audit that resolves it`,
  };
}

export const demoCommand = defineCommand({
  name: 'demo',
  summary: 'run the quickstart audit (small CNN on Fashion-MNIST, RMIA + LiRA + report) — start here',
  description: `Runs the quickstart audit (configs/quickstart.yaml): a small CNN trained on Fashion-MNIST (from Debian's
dataset-fashion-mnist, the cache, or a verified download; a built-in synthetic stand-in, with a notice,
when none is found), 7 reference models, the RMIA, LiRA and loss attacks, and the report, at the config's FPR targets that
its non-members resolve (a line names those left out and what they need). 30 s to 2
minutes on 2 cores, training included. The run goes to DIR/quickstart (DIR defaults to ./mia-demo); a
second run reuses the trained models.`,
  flags: {
    out: text({
      output: 'dir',
      default: 'mia-demo',
      placeholder: 'DIR',
      description: 'where the run directory goes (default ./{default})',
    }),
    set: texts({
      placeholder: 'KEY=VALUE',
      description: 'override a value of the quickstart config (repeatable), e.g. --set target.epochs=5',
    }),
    top: topFlag(),
    'wait-lock': waitLockFlag(),
  },
  resumable: true,
  async run(args) {
    // every flag is checked before this runs: nothing is printed before they are all valid
    const { loadAuditConfig } = await import('../audit/config.js');
    const sets = withEnvOverrides(args.set);
    const first = loadAuditConfig(QUICKSTART_CONFIG, sets);
    const fit = await resolvableTargets(first, sets);
    const loaded = fit === undefined ? first : loadAuditConfig(QUICKSTART_CONFIG, [...sets, fit.set]);
    const dir = resolve(args.out);
    const logDir = join(dir, basename(loaded.config.run.logDir));
    console.log(`mia demo: the quickstart audit (${QUICKSTART_CONFIG}), run directory ${logDir}`);
    if (fit !== undefined) console.log(fit.note);
    setCurrentRunDir(logDir);
    return auditAndReport(loaded, { logDir, report: true, top: args.top, waitLock: args['wait-lock'] });
  },
});
