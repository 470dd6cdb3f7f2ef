/**
 * The client of the scaled mode's worker routes (server/worker-routes.ts), for `mia worker`: a model
 * job's config and dataset file, the upload of the files it made (each with its SHA-256, so a cut-short
 * upload is refused), and its log lines. Needs a worker token (`mia token create --worker`).
 */
import { createHash } from 'node:crypto';
import { UploadResponse, WorkerJobView } from '../service/api-schemas.js';
import { MiaClient } from './mia-client.js';

export class WorkerClient extends MiaClient {
  private path(id: string, rest: string): string {
    return `/api/v1/audits/${encodeURIComponent(id)}/worker/${rest}`;
  }

  /** The audit's submitted config text, its file name and its status. */
  jobInputs(id: string): Promise<WorkerJobView> {
    return this.json(WorkerJobView, 'GET', this.path(id, 'config'));
  }

  /** The bytes of the file the audit's data.path names (inside the server's DIR/datasets). */
  async dataset(id: string): Promise<Uint8Array> {
    const res = await this.request('GET', this.path(id, 'dataset'));
    return new Uint8Array(await res.arrayBuffer());
  }

  /** Uploads `bytes` as the run directory's file `rel` ('/'-separated); resolves to what the server wrote. */
  upload(id: string, rel: string, bytes: Uint8Array): Promise<UploadResponse> {
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    const p = rel.split('/').map(encodeURIComponent).join('/');
    return this.parsed(UploadResponse, 'PUT', this.path(id, `files/${p}`), {
      type: 'application/octet-stream',
      data: bytes,
      headers: { 'x-sha256': sha256 },
    });
  }

  /** Records log lines as the audit's events. */
  async log(id: string, lines: string[]): Promise<void> {
    if (lines.length === 0) return;
    await this.request('POST', this.path(id, 'log'), {
      type: 'application/json',
      data: JSON.stringify({ lines }),
    });
  }
}
