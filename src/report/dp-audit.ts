/**
 * Theoretical against audited ε for each DP-trained target (issue 14, "Auditing a DP model"): the
 * accountant's ε from results.json's `dpTraining`, the audited lower bounds from its `dpClaims` (the
 * one-run bound, Steinke et al. 2023, and the threshold test of the attacks), the share of the claimed ε
 * the audit certifies, and the utility cost. An audited bound above the accountant's ε contradicts the
 * guarantee at the bound's confidence: a bug in the training or the accounting, reported as a red
 * finding, never dropped.
 */
import type { DpClaim, DpContext, DpTraining } from './dp-headline.js';
import { escapeXml as esc } from './text.js';

/** One DP-trained target, theoretical against audited. */
export interface DpAuditRow {
  training: DpTraining;
  /** The one-run bound of this target, when the run has one. */
  oneRun: DpClaim | undefined;
  /** The threshold-test bound of this target (the attacks' ROC), when the run has one. */
  thresholdTest: DpClaim | undefined;
  /** The bound the headline uses: one-run when present (issue 17 item 1), else the threshold test. */
  audited: DpClaim | undefined;
  /** audited ε / theoretical ε (0 when the theoretical ε is ∞ or nothing is audited). */
  ratio: number;
  /** A bound (either one) above the theoretical ε: the red finding. */
  exceeded: DpClaim[];
}

const forModel = (claims: readonly DpClaim[], model: string, method: DpClaim['method']) =>
  claims.find((c) => c.method === method && (c.model === undefined || c.model === model));

/** The rows of `dp`'s DP-trained targets (none without `dpTraining`). */
export function dpAuditRows(dp: DpContext): DpAuditRow[] {
  const claims = dp.dpClaims ?? [];
  return (dp.dpTraining ?? []).map((training) => {
    const oneRun = forModel(claims, training.model, 'one-run');
    const thresholdTest = forModel(claims, training.model, 'threshold-test');
    const audited = oneRun ?? thresholdTest;
    const theory = training.epsilon;
    const ratio =
      audited !== undefined && Number.isFinite(theory) && theory > 0 ? audited.epsilon / theory : 0;
    const exceeded = [oneRun, thresholdTest].filter(
      (c): c is DpClaim => c !== undefined && c.epsilon > theory,
    );
    return { training, oneRun, thresholdTest, audited, ratio, exceeded };
  });
}

const eps = (x: number) => (Number.isFinite(x) ? x.toFixed(2) : '∞');
const name = (c: DpClaim) =>
  c.method === 'one-run' ? 'the one-run audit' : `the threshold test (${c.attack})`;

/** The summary's sentences on each DP target: the red finding first, then the certified share. */
export function dpAuditSentences(rows: readonly DpAuditRow[]): string[] {
  const out: string[] = [];
  for (const r of rows) {
    const t = r.training;
    const who = rows.length > 1 ? `${t.model}: ` : '';
    for (const c of r.exceeded)
      out.push(
        `${who}RED FINDING — ${name(c)} proves ε ≥ ${eps(c.epsilon)} with ${Math.round(c.confidence * 100)}% confidence, above the ε = ${eps(t.epsilon)} the ${t.accountant} accountant claims for this DP-SGD training (δ = ${t.delta}): the guarantee does not hold as stated, which points to a bug in the training or in the accounting.`,
      );
    const shuffled =
      t.sampling === 'poisson'
        ? ''
        : ` (batches were ${t.sampling === 'shuffle' ? 'fixed-size and shuffled' : t.sampling}, not Poisson-sampled: the accountant's ε assumes Poisson sampling and does not describe this training exactly)`;
    const utility =
      t.accuracy !== undefined && t.baselineAccuracy !== undefined
        ? ` Utility cost: accuracy ${(t.accuracy * 100).toFixed(1)}% against ${(t.baselineAccuracy * 100).toFixed(1)}% without DP (${(100 * (t.baselineAccuracy - t.accuracy)).toFixed(1)} points).`
        : '';
    if (r.audited === undefined)
      out.push(
        `${who}Trained with DP-SGD (σ = ${t.noiseMultiplier}, ${t.steps} steps): the accountant claims ε = ${eps(t.epsilon)} at δ = ${t.delta}${shuffled}; this run draws no membership at random, so no audited ε is set against it.${utility}`,
      );
    else
      out.push(
        `${who}Trained with DP-SGD (σ = ${t.noiseMultiplier}, ${t.steps} steps): the accountant claims ε = ${eps(t.epsilon)} at δ = ${t.delta}${shuffled}; ${name(r.audited)} certifies ε ≥ ${eps(r.audited.epsilon)}, so the audit certifies ≥ ${(100 * r.ratio).toFixed(0)}% of the claimed ε.${utility}`,
      );
  }
  return out;
}

/** The report's "Differential privacy" section body ('' without DP targets). */
export function dpAuditHtml(rows: readonly DpAuditRow[]): string {
  if (rows.length === 0) return '';
  const cell = (c: DpClaim | undefined, theory: number) =>
    c === undefined ? '<td>–</td>' : `<td${c.epsilon > theory ? ' class="red"' : ''}>${eps(c.epsilon)}</td>`;
  const body = rows
    .map((r) => {
      const t = r.training;
      const acc =
        t.accuracy === undefined
          ? '–'
          : `${(t.accuracy * 100).toFixed(1)}%${t.baselineAccuracy !== undefined ? ` (${(t.baselineAccuracy * 100).toFixed(1)}% without DP)` : ''}`;
      return `<tr><td>${esc(t.model)}</td><td>${t.noiseMultiplier}</td><td>${eps(t.maxGradNorm)}</td><td>${t.sampleRate.toPrecision(3)}</td><td>${t.steps}</td><td>${esc(t.sampling)}</td><td>${eps(t.epsilon)} (${esc(t.accountant)}, δ = ${t.delta})</td>${cell(r.oneRun, t.epsilon)}${cell(r.thresholdTest, t.epsilon)}<td>${r.audited === undefined ? '–' : `≥ ${(100 * r.ratio).toFixed(0)}%`}</td><td>${esc(acc)}</td></tr>`;
    })
    .join('\n');
  const red = rows.flatMap((r) => dpAuditSentences([r]).filter((s) => s.includes('RED FINDING')));
  return [
    ...red.map((s) => `<div class="verdict level-high"><strong>${esc(s)}</strong></div>`),
    '<table><thead><tr><th>target</th><th>σ</th><th>C</th><th>q</th><th>steps</th><th>sampling</th><th>theoretical ε</th><th>audited ε̂ (one-run)</th><th>audited ε̂ (attacks)</th><th>certified</th><th>accuracy</th></tr></thead><tbody>',
    body,
    '</tbody></table>',
    '<p class="note">Theoretical ε: the accountant’s upper bound for this training. Audited ε̂: lower bounds at the stated confidence — Steinke et al.’s one-run audit over the canaries, and the best threshold test of the attacks (corrected for every attack and threshold). “Certified” is the headline bound (one-run when present) over the theoretical ε. A bound above the theoretical ε contradicts the guarantee.</p>',
  ].join('\n');
}
