/**
 * Which FPR target the report headlines. results.json holds TPR only at the run's `audit.fpr_targets`
 * (the keys of `tprAtFpr`, e.g. "0.01"); the report reads 1% FPR when it was computed and otherwise the
 * lowest FPR target the results have, always labelled with its real value — never a 0 for a key that
 * is not there.
 */

/** The FPR the report prefers to headline (Carlini et al. 2022 read TPR at a low FPR). */
export const PREFERRED_FPR = '0.01';

interface HasTpr {
  tprAtFpr: Record<string, { tpr: number; low: number; high: number; lowSupport: boolean }>;
}

/** Every FPR key of `results` (results or aggregate rows), ascending by value. */
export function fprKeysOf(results: readonly { tprAtFpr: Record<string, unknown> }[]): string[] {
  const keys = new Set<string>();
  for (const r of results) for (const k of Object.keys(r.tprAtFpr)) keys.add(k);
  return [...keys].sort((a, b) => Number(a) - Number(b));
}

/**
 * The FPR key the report headlines for `results`: "0.01" when some result has it, else the lowest FPR
 * key of any result; undefined when no result has a TPR at all.
 */
export function headlineFpr(results: readonly HasTpr[]): string | undefined {
  const keys = fprKeysOf(results);
  return keys.includes(PREFERRED_FPR) ? PREFERRED_FPR : keys[0];
}

/** "1%", "2%", "0.1%": an FPR key as a percentage. */
export function fprLabel(key: string): string {
  return `${Number((Number(key) * 100).toPrecision(3))}%`;
}

/** Order: higher AUC first, then higher TPR at the FPR both results have (1% when both have it). */
export function byAucThenTpr(a: HasTpr & { auc: number }, b: HasTpr & { auc: number }): number {
  if (b.auc !== a.auc) return b.auc - a.auc;
  const k = headlineFpr([a, b]);
  if (k === undefined) return 0;
  return (b.tprAtFpr[k]?.tpr ?? -1) - (a.tprAtFpr[k]?.tpr ?? -1);
}
