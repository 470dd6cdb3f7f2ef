/**
 * The LiRA registry entries (Carlini et al. 2022; the scoring is in lira.ts): lira-online,
 * lira-online-fixed-variance, lira-offline, lira-offline-fixed-variance (the per-sample Gaussian fits
 * are computed once per job set and shared by the four) and lira-global (the target's mean signal, no
 * reference model).
 */
import {
  LIRA_VARIANTS,
  type LiraStatistics,
  type LiraVariant,
  liraScoresFromStatistics,
  liraStatistics,
} from './lira.js';
import { liraVarianceNote } from './lira-variance.js';
import { meanOverQueries } from './population.js';
import type { ReferenceAttack, ReferenceAttackOutcome } from './reference-attack.js';

const DESCRIPTIONS: Record<LiraVariant, string> = {
  'lira-online': 'LiRA online: IN and OUT Gaussians per sample from the reference models',
  'lira-online-fixed-variance': 'LiRA online with one global variance for IN and one for OUT',
  'lira-offline': 'LiRA offline: one-sided test against the OUT Gaussian per sample',
  'lira-offline-fixed-variance': 'LiRA offline with one global OUT variance',
  'lira-global': "the target's mean signal over the queries (no reference model)",
};

function liraAttack(variant: LiraVariant): ReferenceAttack {
  const perExample = variant === 'lira-online' || variant === 'lira-offline';
  return {
    name: variant,
    description: DESCRIPTIONS[variant],
    needs: {
      references: variant === 'lira-global' ? 'none' : 'in-and-out',
      population: false,
      outputs: false,
      tuning: false,
    },
    run(job): ReferenceAttackOutcome {
      const { population, target } = job;
      if (variant === 'lira-global') {
        return { scores: meanOverQueries(target, population.samples, population.queries) };
      }
      const refs = job.references();
      const stats = job.memo<LiraStatistics>('lira-statistics', () => liraStatistics(refs));
      const scores = liraScoresFromStatistics(stats, target, variant);
      if (!perExample) return { scores };
      const min = job.options.liraPerExampleMin;
      if (min !== undefined && refs.rows.length < min) {
        job.notes.push(
          `${variant}: per-example variances from ${refs.rows.length} reference models are unreliable; ` +
            `Carlini et al. use ${variant}-fixed-variance below 64 models`,
        );
      }
      const note = liraVarianceNote(stats, variant);
      if (note === undefined) return { scores };
      job.notes.push(note);
      return { scores, note };
    },
  };
}

/** One entry per LiRA variant, in LIRA_VARIANTS order. */
export const LIRA_ATTACKS: readonly ReferenceAttack[] = LIRA_VARIANTS.map(liraAttack);
