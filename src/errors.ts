/**
 * The one error type of mia-audit. Every user-facing failure (bad file, bad shape, bad config) is a
 * MiaError with a stable code, the place it concerns (file, array, field or file:line:column), what
 * was expected and what was found. The CLI prints `error [CODE] where: message` as one line and exits 2;
 * any other thrown value is a bug and exits 1 with its stack.
 */
export type MiaErrorCode =
  | 'E_IO' // a file cannot be read or written
  | 'E_NPY_HEADER' // .npy magic, version or header dictionary malformed
  | 'E_NPY_DTYPE' // dtype not supported (object arrays, big-endian, …)
  | 'E_NPY_ORDER' // Fortran-ordered array
  | 'E_TRUNCATED' // file shorter than its header promises
  | 'E_ZIP' // .npz container malformed
  | 'E_SHAPE_MISMATCH' // arrays whose shapes disagree
  | 'E_MISSING_FIELD' // a required array or field is absent
  | 'E_LABEL_RANGE' // a label outside [0, numClasses)
  | 'E_NOT_FINITE' // NaN or ±Inf where numbers are required
  | 'E_PROBS_SUM' // a probability row that does not sum to 1
  | 'E_EMPTY' // an empty member or non-member set
  | 'E_CSV' // malformed CSV
  | 'E_JSON' // malformed JSON
  | 'E_CONFIG' // invalid configuration value or unknown key
  | 'E_USAGE' // invalid command-line usage
  | 'E_UNKNOWN_NAME' // a registry lookup (attack, dataset, architecture, …) that found nothing
  | 'E_DATASET' // dataset missing or corrupt
  | 'E_CHECKSUM' // a download or cached file whose SHA-256 does not match
  | 'E_MODEL' // model file missing, corrupt or incompatible
  | 'E_BACKEND'; // compute backend unavailable

export interface MiaErrorDetails {
  /** The file, array, field or `file:line:column` the error concerns. */
  where?: string;
  /** What was expected, in words ("float32 or float64", "shape [n, c]"). */
  expected?: string;
  /** What was found instead. */
  found?: string;
}

export class MiaError extends Error {
  override readonly name = 'MiaError';
  readonly code: MiaErrorCode;
  readonly where: string | undefined;
  readonly expected: string | undefined;
  readonly found: string | undefined;

  constructor(code: MiaErrorCode, message: string, details: MiaErrorDetails = {}) {
    super(message);
    this.code = code;
    this.where = details.where;
    this.expected = details.expected;
    this.found = details.found;
  }

  /** One line: `[CODE] where: message (expected X, found Y)`. */
  oneLine(): string {
    const parts = [`[${this.code}]`];
    parts.push(this.where !== undefined ? `${this.where}: ${this.message}` : this.message);
    const ef: string[] = [];
    if (this.expected !== undefined) ef.push(`expected ${this.expected}`);
    if (this.found !== undefined) ef.push(`found ${this.found}`);
    let line = parts.join(' ');
    if (ef.length > 0) line += ` (${ef.join(', ')})`;
    return line.replace(/\s*\n\s*/g, ' ');
  }
}

/** True when `e` is a MiaError (also across module copies). */
export function isMiaError(e: unknown): e is MiaError {
  return e instanceof MiaError || (e instanceof Error && e.name === 'MiaError' && 'code' in e);
}
