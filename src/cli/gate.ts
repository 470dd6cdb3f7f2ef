import { MiaError } from '../errors.js';
import { defineCommand } from './command.js';
import { choice, num, text, texts } from './flags.js';

export const gateCommand = defineCommand({
  name: 'gate',
  summary: 'fail a CI job when an audit shows more leakage than allowed (exit 0 pass, 1 fail, 2 bad input)',
  description: `Checks the results of \`mia audit\` (a results.json, or the run directory holding it) against
ceilings on AUC, TPR at an FPR and the ε lower bound, and against a baseline run. One line per check
(value, 95% interval, limit, verdict); exit 0 when every check passes, 1 when one fails, 2 on bad input
(a missing metric, an unknown attack or slice). Rule interval (the default): a ceiling fails only when
the 95% interval's lower bound is above it (the leak is established); rule point compares estimates.
Against --baseline, an increase fails only when it is larger than allowed beyond the noise (the two
runs' intervals, or a paired bootstrap when both runs audited the same samples); docs/ci.md.`,
  positional: { name: 'results', placeholder: 'RESULTS', noun: 'results.json or run directory' },
  flags: {
    'max-auc': num({
      range: { min: 0, max: 1 },
      description: 'fail when the AUC exceeds X (every selected attack and slice)',
    }),
    'max-tpr': texts({
      placeholder: 'FPR:TPR',
      example: '0.01:0.05',
      description:
        'fail when TPR at FPR exceeds TPR (repeatable; the FPR must be an audit.fpr_targets entry)',
    }),
    'max-epsilon': num({
      range: { min: 0 },
      placeholder: 'E',
      description: 'fail when the ε lower bound (δ = 1e-5, 95%) exceeds E (rule point: the ε estimate)',
    }),
    attack: texts({
      placeholder: 'NAME',
      group: 'what is checked',
      description: 'check only this attack (repeatable; default every attack in the results)',
    }),
    slice: texts({
      placeholder: 'SLICE',
      example: 'class:3',
      description:
        'check these slices (repeatable): entire (default), class[:k], correct, misclassified,\nloss-decile[:d], custom:<name>, all',
    }),
    rule: choice(['interval', 'point'] as const, {
      default: 'interval',
      description: 'interval: fail on the 95% lower bound (default); point: on the estimate',
    }),
    baseline: text({
      placeholder: 'OLD',
      group: 'against an earlier run',
      description: 'the results.json or run directory of the run to compare with',
    }),
    'max-increase': texts({
      placeholder: 'METRIC:DELTA',
      example: 'auc:0.02',
      requires: 'baseline',
      description: 'fail when METRIC (auc, tpr@<fpr>, epsilon) rose by more than DELTA (repeatable)',
    }),
    junit: text({
      placeholder: 'FILE',
      output: 'file',
      group: 'reports',
      description: 'write JUnit XML, one test case per check',
    }),
    markdown: text({
      placeholder: 'FILE',
      output: 'file',
      description: 'write a Markdown summary (e.g. $GITHUB_STEP_SUMMARY)',
    }),
  },
  async run(args) {
    const {
      ceilingChecks,
      parseIncrease,
      parseSliceSelector,
      parseTprCeiling,
      readGateResults,
      selectResults,
    } = await import('../report/gate.js');
    const ceilings = [
      ...(args['max-auc'] !== undefined ? [{ metric: { kind: 'auc' as const }, max: args['max-auc'] }] : []),
      ...args['max-tpr'].map(parseTprCeiling),
      ...(args['max-epsilon'] !== undefined
        ? [{ metric: { kind: 'epsilon' as const }, max: args['max-epsilon'] }]
        : []),
    ];
    const increases = args['max-increase'].map(parseIncrease);
    if (ceilings.length === 0 && increases.length === 0) {
      throw new MiaError(
        'E_USAGE',
        'nothing to check: give --max-auc, --max-tpr, --max-epsilon or --baseline with --max-increase',
        { where: 'mia gate' },
      );
    }
    if (args.baseline !== undefined && increases.length === 0) {
      throw new MiaError('E_USAGE', '--baseline needs at least one --max-increase METRIC:DELTA', {
        where: 'mia gate',
      });
    }
    const slices = (args.slice.length > 0 ? args.slice : ['entire']).map(parseSliceSelector);
    const now = readGateResults(args.results);
    const before = args.baseline !== undefined ? readGateResults(args.baseline) : undefined;
    const selected = selectResults(now, args.attack.length > 0 ? args.attack : undefined, slices);
    const checks = ceilingChecks(selected, ceilings, args.rule, now.file);
    if (before !== undefined) {
      const { increaseChecks } = await import('../report/gate-baseline.js');
      checks.push(...increaseChecks(now, selected, before, increases, args.rule));
    }
    const { formatCheck, formatTotal, gateJunit, gateMarkdown } = await import('../report/gate-output.js');
    for (const c of checks) console.log(formatCheck(c, args.rule));
    console.log(formatTotal(checks, args.rule));
    const { writeFileAtomic } = await import('../io/atomic.js');
    if (args.junit !== undefined) writeFileAtomic(args.junit, gateJunit(checks, args.rule));
    if (args.markdown !== undefined)
      writeFileAtomic(args.markdown, gateMarkdown(checks, args.rule, now.file));
    return checks.every((c) => c.pass) ? 0 : 1;
  },
});
