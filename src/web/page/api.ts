/**
 * The web UI's side of the API (docs/service.md): the token lives in sessionStorage (this tab only,
 * never in a URL) and goes as a bearer header on every request; an error answer becomes an ApiFailure
 * with the server's code, message and place. Server-sent events are read over fetch (EventSource
 * cannot send the header), reconnecting after a dropped stream with a growing pause — never polling.
 */
import type { ApiError } from '../../service/api-schemas.js';

const KEY = 'mia-token';

export const tokenStore = {
  get: (): string | null => sessionStorage.getItem(KEY),
  set: (t: string): void => sessionStorage.setItem(KEY, t),
  clear: (): void => sessionStorage.removeItem(KEY),
};

/** An error answer of the API, as data. */
export class ApiFailure extends Error {
  constructor(
    readonly status: number,
    readonly body: ApiError['error'],
  ) {
    super(`${body.code}: ${body.message}`);
  }
}

/** The answer of `path` (a Response) with the token; throws ApiFailure on a 4xx/5xx. */
export async function call(path: string, init: RequestInit = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  const token = tokenStore.get();
  if (token !== null) headers.set('authorization', `Bearer ${token}`);
  const res = await fetch(path, { ...init, headers });
  if (!res.ok) {
    let body: ApiError['error'] = { code: 'E_SERVER', message: `the server answered ${res.status}` };
    try {
      body = ((await res.json()) as ApiError).error ?? body;
    } catch {
      // not an error body: keep the status
    }
    throw new ApiFailure(res.status, body);
  }
  return res;
}

/** The JSON answer of `path`. */
export async function json<T>(path: string, init: RequestInit = {}): Promise<T> {
  return (await (await call(path, init)).json()) as T;
}

/** POSTs `body` as JSON and returns the JSON answer. */
export const post = <T>(path: string, body: unknown): Promise<T> =>
  json<T>(path, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });

/**
 * Reads the server-sent events of `path` and calls `on(event, data)` for each, until `signal` aborts.
 * A stream that ends or breaks is opened again after 1, 2, 4 … (at most 30) seconds, from the last
 * event id (`Last-Event-ID`), unless `done()` says there is nothing more to wait for. A 4xx stops it.
 */
export async function follow(
  path: string,
  on: (event: string, data: unknown) => void,
  signal: AbortSignal,
  done: () => boolean = () => false,
): Promise<void> {
  let lastId: string | undefined;
  let pause = 1000;
  while (!signal.aborted && !done()) {
    try {
      const res = await call(path, {
        signal,
        headers: lastId === undefined ? {} : { 'last-event-id': lastId },
      });
      const reader = res.body!.getReader();
      const decoder = new TextDecoder();
      let buffer = '';
      for (;;) {
        const { value, done: end } = await reader.read();
        if (end) break;
        pause = 1000;
        buffer += decoder.decode(value, { stream: true });
        for (let i = buffer.indexOf('\n\n'); i >= 0; i = buffer.indexOf('\n\n')) {
          const block = buffer.slice(0, i).split('\n');
          buffer = buffer.slice(i + 2);
          let event = 'message';
          const data: string[] = [];
          for (const line of block) {
            if (line.startsWith('event: ')) event = line.slice(7);
            else if (line.startsWith('data: ')) data.push(line.slice(6));
            else if (line.startsWith('id: ')) lastId = line.slice(4);
          }
          if (data.length > 0) on(event, JSON.parse(data.join('\n')));
        }
      }
    } catch (e) {
      if (signal.aborted) return;
      if (e instanceof ApiFailure && e.status < 500) throw e;
    }
    if (signal.aborted || done()) return;
    await new Promise((r) => setTimeout(r, pause));
    pause = Math.min(30_000, pause * 2);
  }
}

/** Saves `blob` as `name` (a download link clicked, its object URL revoked after). */
export function saveBlob(blob: Blob, name: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
