/**
 * The self-contained HTML report: one file with its style sheet, script, charts (inline SVG, images as
 * data: URLs) and data; a Content-Security-Policy forbids every network fetch.
 */
import { basename } from 'node:path';
import { isSmallSlice, MIN_SLICE_SIZE } from '../metrics/slice-noise.js';
import type { BuiltChart } from './build-charts.js';
import { dpAuditHtml, dpAuditRows } from './dp-audit.js';
import { experimentsHtml } from './experiments-html.js';
import { EXPOSURE_SECTION, exposureHtml, exposureRows } from './exposure.js';
import { fprKeysOf, fprLabel } from './fpr.js';
import { PAGE_CSS, PAGE_SCRIPT } from './page-assets.js';
import { recordsHtml } from './records.js';
import type { AggregateRow, ReportResult, RunData, Spread } from './run-dir.js';
import { pct, type Summary, summarizeResults } from './summary.js';
import type { RenderedChart } from './svg.js';
import { entireResults, sliceName, type Target, targetsOf } from './targets.js';
import { escapeXml as esc } from './text.js';

export interface HtmlChart {
  built: BuiltChart;
  rendered: RenderedChart;
  /** File names beside report.html (e.g. "roc.svg", "roc.png"). */
  files: string[];
}

export interface HtmlOptions {
  /** Time shown as "generated at" (ISO 8601). */
  generatedAt: string;
  /** Notes shown under the summary (e.g. charts left out, PNGs not written). */
  notes?: string[];
}

const CSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'; script-src 'unsafe-inline'";

/** The summary; `compared` (an experiments-mode run) replaces the generic comparison of the targets. */
function summaryHtml(s: Summary, compared = false): string {
  const level = s.level.replace(/\s+/g, '-');
  const cards = s.keyNumbers
    .map(
      (k) =>
        `<div class="card"><div class="l">${esc(k.label)}</div><div class="v">${esc(k.value)}</div><div class="d">${esc(k.detail)}</div></div>`,
    )
    .join('');
  return [
    `<div class="verdict level-${level}"><strong>Leakage: ${esc(s.level)}.</strong> ${esc(s.headline)}</div>`,
    ...s.sentences.map((x) => `<p>${esc(x)}</p>`),
    cards === '' ? '' : `<div class="cards">${cards}</div>`,
    ...(compared
      ? [
          '<p>How the models of each experiment compare, with the noise of the estimates: <a href="#experiments">Experiments compared</a>.</p>',
        ]
      : s.comparisons.length > 0
        ? ['<h3>How the targets compare</h3>', ...s.comparisons.map((x) => `<p>${esc(x)}</p>`)]
        : []),
    `<p class="note">${esc(s.rule)}</p>`,
  ].join('\n');
}

/** Shade of a table cell by the lower 95% bound of its AUC: transparent at ≤ 0.5, strongest at ≥ 0.8. */
function aucShade(r: ReportResult): string {
  const a = Math.max(0, Math.min(1, (r.aucInterval.low - 0.5) / 0.3)) * 0.55;
  return a > 0 ? ` style="background: rgba(213, 94, 0, ${a.toFixed(3)})"` : '';
}

/**
 * Attacks × slices matrix of one target: AUC and its 95% interval per cell, shaded by the interval's
 * lower bound (so a small, noisy slice never looks darkest); slices under MIN_SLICE_SIZE members or
 * non-members are greyed and unshaded. TPR at FPR `fpr` (1%) in the cell's title.
 */
function matrixHtml(t: Target, fpr: string | undefined): string {
  const attacks = [...new Set([...entireResults(t), ...t.results].map((r) => r.attack))];
  const slices: ReportResult['slice'][] = [];
  const seen = new Set<string>();
  for (const r of t.results) {
    const k = JSON.stringify(r.slice);
    if (!seen.has(k)) {
      seen.add(k);
      slices.push(r.slice);
    }
  }
  let anySmall = false;
  const rows = slices.map((slice) => {
    const k = JSON.stringify(slice);
    const first = t.results.find((x) => JSON.stringify(x.slice) === k)!;
    const small = isSmallSlice(first);
    anySmall ||= small;
    const cells = attacks.map((a) => {
      const r = t.results.find((x) => x.attack === a && JSON.stringify(x.slice) === k);
      if (r === undefined) return '<td>–</td>';
      const e = fpr === undefined ? undefined : r.tprAtFpr[fpr];
      const tpr =
        fpr === undefined
          ? ''
          : `, TPR at ${fprLabel(fpr)} FPR ${e === undefined ? 'not computed' : `${pct(e.tpr)} (95% CI ${pct(e.low)}–${pct(e.high)})`}`;
      const ai = r.aucInterval;
      const tooSmall = isSmallSlice(r)
        ? `; below ${MIN_SLICE_SIZE} members or non-members: too small to compare`
        : '';
      const title = `${a}, ${sliceName(r)}: AUC ${r.auc.toFixed(4)} (95% CI ${ai.low.toFixed(3)}–${ai.high.toFixed(3)}), advantage ${r.advantage.toFixed(4)}${tpr}; ${r.nMembers} members, ${r.nNonMembers} non-members${tooSmall}`;
      const ci = `<br><span class="note">${ai.low.toFixed(2)}–${ai.high.toFixed(2)}</span>`;
      return isSmallSlice(r)
        ? `<td class="small" title="${esc(title)}">${r.auc.toFixed(3)}${ci}</td>`
        : `<td${aucShade(r)} title="${esc(title)}">${r.auc.toFixed(3)}${ci}</td>`;
    });
    return `<tr${small ? ' class="small"' : ''}><td class="t">${esc(sliceName(first))}${small ? ' <span class="note">(too small)</span>' : ''}</td><td>${first.nMembers}</td><td>${first.nNonMembers}</td>${cells.join('')}</tr>`;
  });
  const legend = `<p class="note">Each cell: AUC and its 95% interval (DeLong), shaded by the interval's lower bound.${anySmall ? ` Grey rows: fewer than ${MIN_SLICE_SIZE} members or non-members — too small to compare, never named as the worst case.` : ''}</p>`;
  return `<div class="scroll"><table class="matrix"><thead><tr><th class="t">slice</th><th>members</th><th>non-members</th>${attacks.map((a) => `<th>${esc(a)}</th>`).join('')}</tr></thead><tbody>${rows.join('')}</tbody></table></div>${legend}`;
}

/** Every metric of the entire-dataset results of one target, leakiest first. */
function detailHtml(t: Target): string {
  const rows = entireResults(t);
  if (rows.length === 0) return '';
  const fprKeys = fprKeysOf(rows);
  const head = [
    'attack',
    'signal',
    'AUC (95% CI)',
    'advantage',
    ...fprKeys.map((k) => `TPR at ${fprLabel(k)} FPR (95% CI)`),
  ];
  const body = rows.map((r) => {
    const tprs = fprKeys.map((k) => {
      const e = r.tprAtFpr[k];
      if (e === undefined) return '<td>not computed</td>';
      const precision = Number.isNaN(e.precision)
        ? 'precision –'
        : `precision ${pct(e.precision)} (${pct(e.precisionLow)}–${pct(e.precisionHigh)})`;
      return `<td>${pct(e.tpr)}${e.lowSupport ? '*' : ''} <span class="note">(${pct(e.low)}–${pct(e.high)})<br>score ≥ ${esc(e.threshold.toPrecision(4))}, FPR ${pct(e.fpr)}, ${esc(precision)}</span></td>`;
    });
    const ai = r.aucInterval;
    return `<tr><td class="t">${esc(r.attack)}</td><td class="t">${esc(r.signal)}</td><td${aucShade(r)}>${r.auc.toFixed(3)} <span class="note">(${ai.low.toFixed(3)}–${ai.high.toFixed(3)})</span></td><td>${r.advantage.toFixed(3)}</td>${tprs.join('')}</tr>`;
  });
  const star = rows.some((r) => Object.values(r.tprAtFpr).some((e) => e.lowSupport))
    ? '<p class="note">* fewer than 10 non-member false positives at that point: the TPR is not reliable.</p>'
    : '';
  return `<div class="scroll"><table><thead><tr>${head.map((h, i) => `<th${i < 2 ? ' class="t"' : ''}>${esc(h)}</th>`).join('')}</tr></thead><tbody>${body.join('')}</tbody></table></div>${star}`;
}

const spreadText = (s: Spread, f: (v: number) => string) =>
  s.mean === null ? '–' : `${f(s.mean)}${s.std !== null && s.std > 0 ? ` ± ${f(s.std)}` : ''}`;

/** results.json's aggregate (mean ± sample std over experiments) for the entire dataset. */
function aggregateHtml(rows: readonly AggregateRow[]): string {
  const entire = rows.filter((r) => r.slice.feature === 'entire_dataset');
  if (entire.length === 0) return '';
  const fprKeys = fprKeysOf(entire);
  const head = [
    'attack',
    'experiments',
    'AUC',
    'advantage',
    ...fprKeys.map((k) => `TPR at ${fprLabel(k)} FPR`),
    'ε lower bound',
  ];
  const f3 = (v: number) => v.toFixed(3);
  const body = [...entire]
    .sort((a, b) => (b.auc.mean ?? 0) - (a.auc.mean ?? 0))
    .map((r) => {
      const cells = [
        r.attack,
        String(r.experiments),
        spreadText(r.auc, f3),
        spreadText(r.advantage, f3),
        ...fprKeys.map((k) =>
          spreadText(r.tprAtFpr[k] ?? { mean: null, std: null, min: null, max: null }, pct),
        ),
        spreadText(r.epsilonLowerBound, (v) => v.toFixed(2)),
      ];
      return `<tr>${cells.map((c, i) => `<td${i === 0 ? ' class="t"' : ''}>${esc(c)}</td>`).join('')}</tr>`;
    });
  return `<h3>Across experiments (entire dataset, mean ± standard deviation)</h3><div class="scroll"><table><thead><tr>${head.map((h, i) => `<th${i === 0 ? ' class="t"' : ''}>${esc(h)}</th>`).join('')}</tr></thead><tbody>${body.join('')}</tbody></table></div>`;
}

function chartHtml(c: HtmlChart): string {
  const links = c.files
    .map((f) => `<a href="${esc(f)}">${esc(f.slice(f.lastIndexOf('.') + 1).toUpperCase())}</a>`)
    .join(' · ');
  return `<figure id="chart-${esc(c.rendered.id)}" class="mia-chart">${c.rendered.svg}<figcaption>${esc(c.built.spec.caption)}${links === '' ? '' : ` <span class="note">(${links})</span>`}</figcaption></figure>`;
}

function flatten(value: unknown, prefix: string, out: [string, string][]): void {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    for (const [k, v] of Object.entries(value)) flatten(v, prefix === '' ? k : `${prefix}.${k}`, out);
  } else {
    out.push([prefix, typeof value === 'string' ? value : JSON.stringify(value)]);
  }
}

function timingHtml(run: RunData): string {
  if (run.timing === undefined) return '<p class="note">No timing.json in the run directory.</p>';
  const total = run.timing.reduce((s, t) => s + t.seconds, 0);
  const rows = run.timing.map(
    (t) =>
      `<tr><td class="t">${esc(t.stage)}</td><td>${t.seconds.toFixed(2)}</td><td class="t">${t.reused ? 'reused from a previous run' : ''}</td></tr>`,
  );
  return `<table><thead><tr><th class="t">stage</th><th>seconds</th><th class="t"></th></tr></thead><tbody>${rows.join('')}<tr><th class="t">total</th><th>${total.toFixed(2)}</th><th></th></tr></tbody></table>`;
}

function environmentHtml(run: RunData): string {
  if (run.environment === undefined) return '<p class="note">No environment.json in the run directory.</p>';
  const rows: [string, string][] = [];
  flatten(run.environment, '', rows);
  return `<table><tbody>${rows.map(([k, v]) => `<tr><th class="t">${esc(k)}</th><td class="t">${esc(v.length > 300 ? `${v.slice(0, 300)}…` : v)}</td></tr>`).join('')}</tbody></table>`;
}

/** A JSON text safe inside a <script> element. */
function scriptJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

/** "6 target models", or in the experiments mode "5 models in 3 experiments" (a model may be in several). */
function targetsText(run: RunData, targets: number): string {
  const ex = run.experiments;
  if (ex === undefined) return `${targets} target model${targets === 1 ? '' : 's'}`;
  const e = ex.experiments.length;
  return `${ex.models.length} model${ex.models.length === 1 ? '' : 's'} in ${e} experiment${e === 1 ? '' : 's'}`;
}

/** The complete report page of `run` with its rendered charts. */
export function buildHtml(run: RunData, charts: readonly HtmlChart[], options: HtmlOptions): string {
  const targets = targetsOf(run.results);
  const summary = summarizeResults(run.results, run.dp);
  const dataset = (run.environment?.dataset ?? undefined) as { name?: unknown; source?: unknown } | undefined;
  const datasetText =
    dataset !== undefined && typeof dataset === 'object'
      ? `dataset: ${String(dataset.name ?? '?')}${dataset.source !== undefined ? ` — ${String(dataset.source)}` : ''}`
      : undefined;
  const title = `Membership inference audit — ${basename(run.dir.replace(/\/+$/, '')) || run.dir}`;
  const sections = [...new Set(charts.map((c) => c.built.section))].filter((s) => s !== EXPOSURE_SECTION);
  const sweep = exposureRows(run.exposureResults);
  const exposure =
    sweep.rows.length === 0
      ? ''
      : `<section id="exposure"><h2>${esc(EXPOSURE_SECTION)}</h2>\n${exposureHtml(sweep.rows, sweep.fpr)}\n${charts
          .filter((c) => c.built.section === EXPOSURE_SECTION)
          .map(chartHtml)
          .join('\n')}\n</section>`;
  const sectionId = (s: string) => `charts-${s.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`;
  const compared = experimentsHtml(run);
  const dpSection = dpAuditHtml(dpAuditRows(run.dp));
  const nav = [
    ['summary', 'Summary'],
    ...(dpSection === '' ? [] : [['dp', 'Differential privacy']]),
    ...(compared === '' ? [] : [['experiments', 'Experiments compared']]),
    ...(exposure === '' ? [] : [['exposure', EXPOSURE_SECTION]]),
    ['results', 'Attacks × slices'],
    ...(run.records === undefined ? [] : [['records', 'The riskiest records']]),
    ...sections.map((s) => [sectionId(s), s]),
    ['config', 'Configuration'],
    ['timing', 'Timing'],
    ['environment', 'Environment'],
  ];
  const hover: Record<string, unknown> = {};
  for (const c of charts) hover[c.rendered.id] = c.rendered.hover;
  const results = targets.map((t, i) => {
    const body = [
      '<p class="note">AUC per attack (columns) and slice (rows); hover a cell for the other metrics.</p>',
      matrixHtml(t, summary.fpr),
      '<h3>Entire dataset, every metric</h3>',
      detailHtml(t),
    ].join('\n');
    if (targets.length === 1) return body;
    // Several targets: one collapsible block each, the first open.
    const top = entireResults(t)[0];
    const best = top === undefined ? '' : ` — best AUC ${top.auc.toFixed(3)} (${esc(top.attack)})`;
    return `<details${i === 0 ? ' open' : ''}><summary>${esc(t.label)}${best}</summary>\n${body}\n</details>`;
  });
  const pngs = charts.some((c) => c.files.some((f) => f.endsWith('.png')));
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${CSP}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)}</title>
<style>${PAGE_CSS}</style>
</head>
<body>
<main>
<header><h1>${esc(title)}</h1>
<p class="sub">${esc([`${run.results.length} results`, targetsText(run, targets.length), datasetText, `generated ${options.generatedAt}`].filter((x) => x !== undefined).join(' · '))}</p></header>
<nav>${nav.map(([id, label]) => `<a href="#${esc(id!)}">${esc(label!)}</a>`).join('')}</nav>
<section id="summary"><h2>Summary</h2>
${summaryHtml(summary, compared !== '')}
${(options.notes ?? []).map((n) => `<p class="note">${esc(n)}</p>`).join('\n')}
</section>
${dpSection === '' ? '' : `<section id="dp"><h2>Differential privacy: theoretical against audited ε</h2>\n${dpSection}\n</section>`}
${compared === '' ? '' : `<section id="experiments"><h2>Experiments compared</h2>\n${compared}\n</section>`}
${exposure}
<section id="results"><h2>Attacks × slices</h2>
${run.aggregate === undefined ? '' : aggregateHtml(run.aggregate)}
${results.join('\n')}
${run.notes.length === 0 ? '' : `<h3>How the attacks were set up</h3><ul class="note">${run.notes.map((n) => `<li>${esc(n)}</li>`).join('')}</ul>`}
</section>
${run.records === undefined ? '' : `<section id="records"><h2>The riskiest records</h2>\n${recordsHtml(run.records, run.classNames)}\n</section>`}
${sections
  .map(
    (s) =>
      `<section id="${sectionId(s)}"><h2>${esc(s)}</h2>\n${charts
        .filter((c) => c.built.section === s)
        .map(chartHtml)
        .join('\n')}\n</section>`,
  )
  .join('\n')}
<section id="config"><h2>Configuration</h2>
${run.configText === undefined ? '<p class="note">No config.yaml in the run directory.</p>' : `<p class="note">${esc(run.configName ?? '')}</p><pre><code>${esc(run.configText)}</code></pre>`}
</section>
<section id="timing"><h2>Timing</h2>
${timingHtml(run)}
</section>
<section id="environment"><h2>Environment</h2>
${environmentHtml(run)}
</section>
<footer>Written by mia-audit from ${esc(run.dir)} — regenerate with <code>mia report ${esc(run.dir)}</code>. Every chart is also beside this file as ${pngs ? 'SVG and PNG' : 'SVG'}.</footer>
</main>
<div id="mia-tip" role="tooltip" hidden></div>
<script type="application/json" id="mia-hover">${scriptJson(hover)}</script>
<script>${PAGE_SCRIPT}</script>
</body>
</html>
`;
}
