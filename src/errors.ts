/**
 * The one error type of mia-audit. Every user-facing failure (bad file, bad shape, bad config) is a
 * MiaError with a stable code, the place it concerns (file, array, field or file:line:column), what
 * was expected and what was found. The CLI prints `error [CODE] where: message` as one line and exits 2;
 * any other thrown value is a bug (an internal invariant that does not hold) and exits 1 with its stack.
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
  | 'E_EMPTY' // nothing to work on: no samples, no members or no non-members, no reference model
  | 'E_CSV' // malformed CSV
  | 'E_JSON' // malformed JSON
  | 'E_CONFIG' // a setting (config key, dataset option, model parameter): invalid or unfit for the data
  | 'E_ARGUMENT' // a library function called with an invalid argument (scikit-learn's InvalidParameterError)
  | 'E_VALUE' // a value an input file or array may not hold (a negative loss, a repeated id, …)
  | 'E_USAGE' // invalid command-line usage
  | 'E_UNKNOWN_NAME' // a name that is not known (attack, dataset, architecture, backend, array key, …)
  | 'E_DATASET' // dataset missing or corrupt
  | 'E_CHECKSUM' // a download or cached file whose SHA-256 does not match
  | 'E_MODEL' // model file missing, corrupt or incompatible
  | 'E_BACKEND' // a compute backend or engine that is unavailable or cannot run the model
  | 'E_LOCKED' // a run directory another live process is writing (its lock names the holder)
  | 'E_AUTH' // the service: no token, an unknown token (401), or a token whose scope does not allow it (403)
  | 'E_NOT_FOUND' // the service: no such audit, file or route (404)
  | 'E_CONFLICT' // the service: a request the audit's state does not allow now (409)
  | 'E_TOO_LARGE' // the service: a request body over the limit (413)
  | 'E_REQUEST' // the service: a malformed request (bad JSON, wrong content type, bad parameter) (400/415)
  | 'E_SERVER'; // the service: the server cannot be reached or failed (5xx)

/**
 * The place an error concerns, in parts: the file, the key inside it (an .npz array, a config key path
 * `target.epochs`, a JSON field) and the 1-based line and column (column in UTF-16 code units). Every
 * part is optional. {@link formatLocation} writes it as MiaError's one-line `where`.
 */
export interface ErrorLocation {
  file?: string;
  key?: string;
  line?: number;
  column?: number;
}

/**
 * `location` as one string: `file:line:column` (or `file:line`) when the line is known, else `file:key`,
 * `file` or `key`. The key is left out when there is a line, which locates more exactly (a config
 * error is `c.yaml:6:3`, not `c.yaml:target.epochs`); a column without a line is left out.
 */
export function formatLocation(location: ErrorLocation): string {
  const parts: string[] = [];
  if (location.file !== undefined) parts.push(location.file);
  if (location.line !== undefined) {
    parts.push(String(location.line));
    if (location.column !== undefined) parts.push(String(location.column));
  } else if (location.key !== undefined) parts.push(location.key);
  return parts.join(':');
}

/**
 * The place an error concerns as a producer gives it: a string (`trainStep`, `--set target.epochs`), or
 * the parts as an {@link ErrorLocation} when the producer knows them (MiaError then keeps both).
 */
export type ErrorWhere = string | ErrorLocation;

export interface MiaErrorDetails {
  /** The file, array, field or `file:line:column` the error concerns (see {@link ErrorWhere}). */
  where?: ErrorWhere;
  /** What was expected, in words ("float32 or float64", "shape [n, c]"). */
  expected?: string;
  /** What was found instead. */
  found?: string;
}

export class MiaError extends Error {
  override readonly name = 'MiaError';
  readonly code: MiaErrorCode;
  /** The place as one string (see {@link formatLocation}); undefined when none was given. */
  readonly where: string | undefined;
  /** The place in parts, when it was given as an ErrorLocation; undefined for a string `where`. */
  readonly location: ErrorLocation | undefined;
  readonly expected: string | undefined;
  readonly found: string | undefined;

  constructor(code: MiaErrorCode, message: string, details: MiaErrorDetails = {}) {
    super(message);
    this.code = code;
    const where = details.where;
    this.location = typeof where === 'object' ? { ...where } : undefined;
    this.where = typeof where === 'object' ? formatLocation(where) || undefined : where;
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
