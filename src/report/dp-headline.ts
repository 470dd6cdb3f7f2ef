/** The DP claim a report headlines, from results.json's `membership` and `dpClaims`. */

/** What results.json says about DP beside the results (absent = no DP claim). */
export interface DpContext {
  membership?: { design: string; detail: string };
  dpClaims?: readonly DpClaim[];
  /** results.json's dpTraining: the DP-trained targets and their accountants' ε. */
  dpTraining?: readonly DpTraining[];
}

/** One DP-trained target as read (results.json dpTraining; ε = ∞ when written as null). */
export interface DpTraining {
  model: string;
  noiseMultiplier: number;
  maxGradNorm: number;
  delta: number;
  sampleRate: number;
  steps: number;
  epochs: number;
  sampling: string;
  accountant: string;
  epsilon: number;
  accuracy?: number | undefined;
  baselineAccuracy?: number | undefined;
  baseline?: string | undefined;
}

/** One entry of results.json's dpClaims as read. */
export interface DpClaim {
  method: 'threshold-test' | 'one-run';
  epsilon: number;
  delta: number;
  confidence: number;
  attack: string;
  model?: string | undefined;
  at?: { threshold: number; fpr: number; tpr: number; ratio: 'fpr' | 'fnr' } | undefined;
  attacksCorrected: number;
  thresholdsCorrected: number;
}

/**
 * The claim the headline states: Steinke et al.'s one-run bound when the run has one (the dp stage
 * writes it with method 'one-run'), else the threshold-test claim; undefined = no DP claim.
 */
export function headlineDpClaim(claims: readonly DpClaim[] | undefined): DpClaim | undefined {
  return claims?.find((c) => c.method === 'one-run') ?? claims?.find((c) => c.method === 'threshold-test');
}
