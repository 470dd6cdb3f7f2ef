/**
 * The gate's verdicts as text: one line per check for the terminal, JUnit XML (one test case per check,
 * the schema CI systems read: GitHub Actions test reporters, GitLab's `artifacts:reports:junit`) and a
 * Markdown summary for a CI job page (GitHub's $GITHUB_STEP_SUMMARY).
 */
import type { MetricValue } from '../audit/result-metric.js';
import type { GateCheck, GateRule } from './gate.js';

function fmt(x: number): string {
  if (x === Number.POSITIVE_INFINITY) return '∞';
  if (x === Number.NEGATIVE_INFINITY) return '−∞';
  if (Number.isNaN(x)) return 'NaN';
  return Number(x.toFixed(4)).toString();
}

function interval(v: MetricValue): string {
  return `[${fmt(v.low)}, ${fmt(v.high)}]`;
}

/** `auc ≤ 0.6` or `increase of auc ≤ 0.02`. */
export function checkName(c: GateCheck): string {
  return c.kind === 'ceiling' ? `${c.metric} ≤ ${fmt(c.limit)}` : `increase of ${c.metric} ≤ ${fmt(c.limit)}`;
}

/** Why the check passed or failed, in words. */
export function verdictReason(c: GateCheck, rule: GateRule): string {
  const judged = rule === 'interval' ? 'lower bound' : 'estimate';
  const what = c.kind === 'ceiling' ? 'ceiling' : 'allowed increase';
  return c.pass ? `${judged} within the ${what}` : `${judged} above the ${what}`;
}

/**
 * One line: `FAIL  auc ≤ 0.6  loss · entire dataset  value 0.71 [0.68, 0.74]  ceiling 0.6  (lower bound
 * above the ceiling)`; increase checks add the baseline's value.
 */
export function formatCheck(c: GateCheck, rule: GateRule): string {
  const verdict = c.pass ? 'PASS' : 'FAIL';
  const limit = c.kind === 'ceiling' ? `ceiling ${fmt(c.limit)}` : `max increase ${fmt(c.limit)}`;
  const base = c.baseline !== undefined ? `  baseline ${fmt(c.baseline.value)} ${interval(c.baseline)}` : '';
  const value = c.kind === 'ceiling' ? 'value' : 'increase';
  return (
    `${verdict}  ${checkName(c)}  ${c.subject}  ${value} ${fmt(c.value.value)} ${interval(c.value)}${base}  ` +
    `${limit}  (${verdictReason(c, rule)}${c.kind === 'increase' ? `; ${c.method}` : ''})`
  );
}

/** The last line: `gate: FAIL, 1 of 4 checks failed (rule interval)`. */
export function formatTotal(checks: readonly GateCheck[], rule: GateRule): string {
  const failed = checks.filter((c) => !c.pass).length;
  return failed === 0
    ? `gate: PASS, all ${checks.length} checks passed (rule ${rule})`
    : `gate: FAIL, ${failed} of ${checks.length} checks failed (rule ${rule})`;
}

function xml(s: string): string {
  return s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

/**
 * JUnit XML: one `<testsuite name="mia gate">` with one `<testcase>` per check (classname
 * `mia-gate.<attack>`, name = the check and its subject); a failed check holds a `<failure>` whose
 * message is its line.
 */
export function gateJunit(checks: readonly GateCheck[], rule: GateRule): string {
  const failures = checks.filter((c) => !c.pass).length;
  const cases = checks.map((c) => {
    const open = `    <testcase classname="${xml(`mia-gate.${c.attack}`)}" name="${xml(`${checkName(c)} (${c.subject})`)}" time="0"`;
    if (c.pass) return `${open}/>`;
    const line = formatCheck(c, rule);
    return `${open}>\n      <failure message="${xml(line)}" type="privacy-gate">${xml(line)}</failure>\n    </testcase>`;
  });
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="mia gate" tests="${checks.length}" failures="${failures}">`,
    `  <testsuite name="mia gate" tests="${checks.length}" failures="${failures}" errors="0" skipped="0">`,
    ...cases,
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}

function md(s: string): string {
  return s.replace(/\|/g, '\\|');
}

/** A Markdown summary: the verdict, then a table of every check (failed ones first). */
export function gateMarkdown(checks: readonly GateCheck[], rule: GateRule, source: string): string {
  const sorted = [...checks].sort((a, b) => Number(a.pass) - Number(b.pass));
  const rows = sorted.map((c) => {
    const base = c.baseline !== undefined ? `${fmt(c.baseline.value)} ${interval(c.baseline)}` : '';
    return (
      `| ${c.pass ? '✅ pass' : '❌ fail'} | ${md(checkName(c))} | ${md(c.subject)} | ${fmt(c.value.value)} | ` +
      `${interval(c.value)} | ${base} | ${fmt(c.limit)} | ${md(verdictReason(c, rule))} |`
    );
  });
  return [
    `## Privacy gate: ${checks.every((c) => c.pass) ? 'PASS' : 'FAIL'}`,
    '',
    `${md(formatTotal(checks, rule))} on \`${source}\`. Rule \`${rule}\`: ${
      rule === 'interval'
        ? 'a check fails only when the 95% interval lies above its limit.'
        : 'the estimates are compared with the limits.'
    }`,
    '',
    '| verdict | check | attack · slice | value | 95% interval | baseline | limit | why |',
    '| --- | --- | --- | --- | --- | --- | --- | --- |',
    ...rows,
    '',
  ].join('\n');
}
