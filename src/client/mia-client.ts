/**
 * The typed client of the service's API (docs/service.md): `new MiaClient(url, token)`. Every answer is
 * checked with the schemas the server uses (service/api-schemas.ts); an error answer becomes the
 * MiaError the server reported (its code, place, expected and found), so a config error reads exactly as
 * `mia audit` prints it. A server that cannot be reached is E_SERVER.
 */

import type { z } from 'zod';
import { MiaError, type MiaErrorCode } from '../errors.js';
import {
  ApiError,
  AttackResponse,
  type AuditEventView,
  AuditList,
  AuditView,
  ExperimentComparison,
  FileList,
  Health,
  ShippedConfigs,
  SubmitAuditResponse,
  ValidateResponse,
} from '../service/api-schemas.js';
import type { AuditStatus } from '../service/store.js';

export interface SubmitOptions {
  name?: string;
  experiment?: string;
  /** The file name config errors give (default config.yaml). */
  file?: string;
}

/** A request's body: its content type, its bytes or text, and headers that go with it. */
export interface RequestBody {
  type: string;
  data: string | Uint8Array;
  headers?: Record<string, string>;
}

export class MiaClient {
  readonly url: string;

  constructor(
    url: string,
    private readonly token: string | undefined,
  ) {
    this.url = url.replace(/\/+$/, '');
  }

  protected async request(method: string, path: string, body?: RequestBody): Promise<Response> {
    let res: Response;
    try {
      res = await fetch(`${this.url}${path}`, {
        method,
        headers: {
          ...(this.token !== undefined ? { authorization: `Bearer ${this.token}` } : {}),
          ...(body !== undefined ? { 'content-type': body.type, ...body.headers } : {}),
        },
        ...(body !== undefined
          ? { body: typeof body.data === 'string' ? body.data : new Blob([body.data]) }
          : {}),
      });
    } catch (e) {
      const cause = (e as { cause?: { code?: string; message?: string } }).cause;
      throw new MiaError(
        'E_SERVER',
        `cannot reach the server: ${cause?.code ?? cause?.message ?? (e as Error).message}`,
        {
          where: this.url,
        },
      );
    }
    if (!res.ok) throw await errorOf(res, `${method} ${path}`);
    return res;
  }

  protected json<S extends z.ZodType>(schema: S, method: string, path: string, body?: unknown) {
    return this.parsed(
      schema,
      method,
      path,
      body === undefined ? undefined : { type: 'application/json', data: JSON.stringify(body) },
    );
  }

  /**
   * The JSON answer of the request, checked with `schema`: the parsed value, or with `raw` the JSON as
   * the server wrote it (for answers whose schema reads nulls as NaN or ∞, such as results).
   */
  protected async parsed<S extends z.ZodType>(
    schema: S,
    method: string,
    path: string,
    body: RequestBody | undefined,
    raw = false,
  ) {
    const res = await this.request(method, path, body);
    const value: unknown = await res.json();
    const r = schema.safeParse(value);
    if (!r.success) {
      throw new MiaError('E_SERVER', 'the server answered in an unexpected form', {
        where: `${method} ${path}`,
        found: r.error.issues[0]?.message ?? '',
      });
    }
    return (raw ? value : r.data) as z.infer<S>;
  }

  /** Queues an audit of the YAML config `config`; resolves to its id. */
  async submit(config: string, options: SubmitOptions = {}): Promise<string> {
    const r = await this.json(SubmitAuditResponse, 'POST', '/api/v1/audits', { config, ...options });
    return r.id;
  }

  /**
   * `mia attack --input` on the server: `outputs` are the bytes of a .npz, .csv or .json file of one
   * model's outputs called `file` (its extension tells the format; errors name it). Resolves to what
   * was read and the results `mia attack --json` writes.
   */
  attack(
    outputs: Uint8Array,
    file: string,
    options: { attacks?: string[]; slices?: string[]; seed?: number } = {},
  ): Promise<AttackResponse> {
    const q = new URLSearchParams({ file });
    if (options.attacks !== undefined) q.set('attacks', options.attacks.join(','));
    if (options.slices !== undefined) q.set('slices', options.slices.join(','));
    if (options.seed !== undefined) q.set('seed', String(options.seed));
    const body = { type: 'application/octet-stream', data: outputs };
    return this.parsed(AttackResponse, 'POST', `/api/v1/attacks?${q}`, body, true) as Promise<AttackResponse>;
  }

  /** Audits newest first. */
  list(filter: { status?: AuditStatus; experiment?: string; limit?: number; offset?: number } = {}) {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(filter)) if (v !== undefined) q.set(k, String(v));
    const qs = q.size > 0 ? `?${q}` : '';
    return this.json(AuditList, 'GET', `/api/v1/audits${qs}`);
  }

  get(id: string): Promise<AuditView> {
    return this.json(AuditView, 'GET', `/api/v1/audits/${encodeURIComponent(id)}`);
  }

  cancel(id: string): Promise<AuditView> {
    return this.json(AuditView, 'POST', `/api/v1/audits/${encodeURIComponent(id)}/cancel`);
  }

  async delete(id: string): Promise<void> {
    await this.request('DELETE', `/api/v1/audits/${encodeURIComponent(id)}`);
  }

  /**
   * The runs of experiment `experiment` side by side (all of them, or the audits `runs` in that order):
   * metrics with intervals, which leaks more beyond the noise, the ROC overlay as SVG.
   */
  compare(experiment: string, runs?: readonly string[]): Promise<ExperimentComparison> {
    const qs = runs === undefined ? '' : `?runs=${runs.map(encodeURIComponent).join(',')}`;
    return this.json(
      ExperimentComparison,
      'GET',
      `/api/v1/experiments/${encodeURIComponent(experiment)}/compare${qs}`,
    );
  }

  /** Checks a config as submission would, without queueing it: its errors at line:column (none: valid). */
  validate(config: string, options: { file?: string } = {}): Promise<ValidateResponse> {
    return this.json(ValidateResponse, 'POST', '/api/v1/configs/validate', { config, ...options });
  }

  /** The configs shipped with mia-audit (configs/*.yaml), quickstart first. */
  async shippedConfigs(): Promise<ShippedConfigs['configs']> {
    return (await this.json(ShippedConfigs, 'GET', '/api/v1/configs')).configs;
  }

  health(): Promise<Health> {
    return this.json(Health, 'GET', '/api/v1/health');
  }

  /** The files of the audit's run directory. */
  async files(id: string): Promise<FileList['files']> {
    return (await this.json(FileList, 'GET', `/api/v1/audits/${encodeURIComponent(id)}/files`)).files;
  }

  /** One file of the run directory (`path` relative to it, `/` between parts). */
  async file(id: string, path: string): Promise<Uint8Array> {
    const p = path.split('/').map(encodeURIComponent).join('/');
    const res = await this.request('GET', `/api/v1/audits/${encodeURIComponent(id)}/files/${p}`);
    return new Uint8Array(await res.arrayBuffer());
  }

  /** results.json of a finished audit, parsed. */
  async results(id: string): Promise<unknown> {
    const res = await this.request('GET', `/api/v1/audits/${encodeURIComponent(id)}/results`);
    return res.json();
  }

  /**
   * The audit's events after `after`, as the server sends them (server-sent events); with `follow` the
   * iteration goes on until the audit has finished.
   */
  async *events(
    id: string,
    options: { after?: number; follow?: boolean } = {},
  ): AsyncGenerator<AuditEventView> {
    const q = new URLSearchParams({ follow: String(options.follow ?? true) });
    if (options.after !== undefined) q.set('after', String(options.after));
    const res = await this.request('GET', `/api/v1/audits/${encodeURIComponent(id)}/events?${q}`);
    if (res.body === null) return;
    const decoder = new TextDecoder();
    let buffer = '';
    for await (const chunk of res.body as AsyncIterable<Uint8Array>) {
      buffer += decoder.decode(chunk, { stream: true });
      for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const data = block
          .split('\n')
          .filter((l) => l.startsWith('data: '))
          .map((l) => l.slice(6))
          .join('\n');
        if (data !== '') yield JSON.parse(data) as AuditEventView;
      }
    }
  }
}

/** The MiaError an error answer reports (its body is ApiError), or E_SERVER with the status. */
async function errorOf(res: Response, what: string): Promise<MiaError> {
  let body: unknown;
  try {
    body = await res.json();
  } catch {
    body = undefined;
  }
  const r = ApiError.safeParse(body);
  if (!r.success) return new MiaError('E_SERVER', `the server answered ${res.status}`, { where: what });
  const e = r.data.error;
  const w = e.where;
  const where =
    w === undefined
      ? undefined
      : w.line !== undefined || w.file !== undefined
        ? {
            ...(w.file !== undefined ? { file: w.file } : {}),
            ...(w.line !== undefined ? { line: w.line } : {}),
            ...(w.column !== undefined ? { column: w.column } : {}),
            ...(w.path !== undefined ? { key: w.path } : {}),
          }
        : w.path;
  return new MiaError(e.code as MiaErrorCode, e.message, {
    ...(where !== undefined ? { where } : {}),
    ...(e.expected !== undefined ? { expected: e.expected } : {}),
    ...(e.found !== undefined ? { found: e.found } : {}),
  });
}
