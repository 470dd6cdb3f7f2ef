/**
 * audit.one_run: the one-run DP audit of the target (Steinke, Nasr & Jagielski 2023; one-run-audit.ts).
 * Errors are E_CONFIG at the key or list item (config-reader.ts).
 */
import { isScalar } from 'yaml';
import { ONE_RUN_KEYS } from './config-keys.js';
import type { SectionReader } from './config-reader.js';

/** Natural canaries are audit samples as they are; mislabelled ones carry a seeded wrong label. */
export const CANARY_KINDS = ['natural', 'mislabelled'] as const;
export type CanaryKind = (typeof CANARY_KINDS)[number];

/** The one-run audit as configured. */
export interface OneRunConfig {
  /** m, the canaries (audit samples whose membership of the target is redrawn independently with p = ½). */
  canaries: number;
  kind: CanaryKind;
  /** The k tried: each guesses the top k canaries members and the bottom k non-members. */
  guesses: number[];
  /** 1 − the joint confidence of the bound over every k tried. */
  beta: number;
}

/** The default sweep: k = 1%, 2%, 5%, 10%, 20%, 50% of m (rounded, at least 1, distinct). */
export function defaultGuesses(m: number): number[] {
  const ks = [0.01, 0.02, 0.05, 0.1, 0.2, 0.5].map((f) => Math.max(1, Math.floor(f * m)));
  return [...new Set(ks.map((k) => Math.min(k, Math.floor(m / 2))))];
}

/**
 * audit.one_run (absent = no one-run audit): canaries (an integer ≥ 2, at most `auditSize`), kind
 * (natural | mislabelled, default natural), guesses (a list of distinct integers in [1, canaries/2],
 * default defaultGuesses), beta (in (0, 0.5], default 0.05).
 */
export function readOneRun(audit: SectionReader, auditSize: number): OneRunConfig | undefined {
  if (!audit.has('one_run')) return undefined;
  const s: SectionReader = audit.section('one_run', ONE_RUN_KEYS);
  const canaries = s.int('canaries', { min: 2 });
  if (canaries === undefined)
    s.fail('canaries', 'is required', { expected: 'the number of canaries, e.g. 1000' });
  if (canaries > auditSize)
    s.fail('canaries', `is larger than the ${auditSize} audit samples the canaries are drawn from`, {
      expected: `at most data.audit_size (${auditSize})`,
      found: String(canaries),
    });
  const guesses =
    s.list('guesses', `integers in [1, ${Math.floor(canaries / 2)}]`, (n, fail) => {
      const v = isScalar(n) ? n.value : undefined;
      if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || 2 * v > canaries)
        fail(`must be an integer in [1, canaries/2 = ${Math.floor(canaries / 2)}]`);
      return v as number;
    }) ?? defaultGuesses(canaries);
  if (guesses.length === 0) s.fail('guesses', 'is empty', { expected: 'at least one k' });
  const dup = guesses.find((k, i) => guesses.indexOf(k) !== i);
  if (dup !== undefined) s.fail('guesses', `lists ${dup} twice`);
  return {
    canaries,
    kind: s.oneOf('kind', CANARY_KINDS) ?? 'natural',
    guesses,
    beta: s.number('beta', { min: 0, max: 0.5, exclusiveMin: true }) ?? 0.05,
  };
}
