/**
 * The RMIA registry entries (Zarifzadeh et al. 2024; the scoring is in rmia.ts): rmia (offline, with
 * `a` given or tuned on one reference model playing the target, as Privacy Meter's tune_offline_a) and
 * rmia-online.
 */
import { type ReferenceAttack, RMIA_DEFAULT_A } from './reference-attack.js';
import { rmiaScores, tuneRmiaA } from './rmia.js';

const rmiaOffline: ReferenceAttack = {
  name: 'rmia',
  description: 'RMIA offline: likelihood ratio against population samples, OUT references scaled by a',
  needs: { references: 'in-and-out', population: true, outputs: false, tuning: true },
  run(job) {
    const { rmiaGamma: gamma, rmiaSignal: signal } = job.options;
    let a = job.options.rmiaA;
    if (a === undefined) {
      const { view, pairedRow } = job.tuning();
      if (view.rows.length >= 2 && job.population.popSignal !== undefined) {
        const tuned = tuneRmiaA(view, { gamma, signal, ...(pairedRow !== undefined ? { pairedRow } : {}) });
        a = tuned.a;
        const best = tuned.auc[tuned.grid.indexOf(tuned.a)] ?? Number.NaN;
        job.notes.push(
          `rmia: a = ${tuned.a} tuned on ${job.modelName(tuned.pairedRow)} as target (AUC ${best.toFixed(4)})`,
        );
      } else {
        a = RMIA_DEFAULT_A;
        job.notes.push(
          `rmia: a = ${RMIA_DEFAULT_A} (Privacy Meter's default; tuning needs at least 2 reference models)`,
        );
      }
    }
    const scores = rmiaScores(job.references(), job.target, job.targetPop, {
      mode: 'offline',
      a,
      gamma,
      signal,
    });
    return { scores, note: `offline, a = ${a}, gamma = ${gamma}`, rmiaA: a };
  },
};

const rmiaOnline: ReferenceAttack = {
  name: 'rmia-online',
  description: 'RMIA online: likelihood ratio with the IN and OUT reference models',
  needs: { references: 'some', population: true, outputs: false, tuning: false },
  run(job) {
    const { rmiaGamma: gamma, rmiaSignal: signal } = job.options;
    const scores = rmiaScores(job.references(), job.target, job.targetPop, { mode: 'online', gamma, signal });
    return { scores, note: `online, gamma = ${gamma}` };
  },
};

/** rmia, rmia-online (RMIA_ATTACKS order). */
export const RMIA_REFERENCE_ATTACKS: readonly ReferenceAttack[] = [rmiaOffline, rmiaOnline];
