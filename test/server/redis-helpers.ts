/**
 * A Redis for the scaled-mode tests: Debian's redis-server on 127.0.0.1 and a free port, no
 * persistence (no RDB snapshots, no AOF), its working folder a temp dir; stopped by stopRedis. When the
 * binary is missing the tests skip with REDIS_MISSING (`apt-get install redis-server`).
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './service-helpers.js';

/** The redis-server binary on PATH, or undefined. */
export function redisBinary(): string | undefined {
  for (const p of ['redis-server', '/usr/bin/redis-server', '/usr/local/bin/redis-server']) {
    try {
      execFileSync(p, ['--version'], { stdio: 'ignore' });
      return p;
    } catch {
      // not this one
    }
  }
  return undefined;
}

export const REDIS_MISSING =
  'redis-server is not installed (apt-get install redis-server): scaled-mode tests skipped';

export interface TestRedis {
  url: string;
  child: ChildProcess;
  dir: string;
}

/** Starts redis-server (see the file header); resolves once it accepts connections. */
export async function startRedis(binary: string): Promise<TestRedis> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'mia-redis-'));
  const child = spawn(
    binary,
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  await new Promise<void>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error('redis-server did not start in 20 s')), 20_000);
    let out = '';
    child.stdout!.on('data', (b: Buffer) => {
      out += b.toString();
      if (out.includes('Ready to accept connections')) {
        clearTimeout(t);
        resolve();
      }
    });
    child.once('exit', (code) => {
      clearTimeout(t);
      reject(new Error(`redis-server exited with ${code}: ${out}`));
    });
  });
  return { url: `redis://127.0.0.1:${port}`, child, dir };
}

/** Stops the Redis of startRedis and removes its folder. */
export async function stopRedis(r: TestRedis): Promise<void> {
  if (r.child.exitCode === null) {
    const exited = new Promise((res) => r.child.once('exit', res));
    r.child.kill('SIGTERM');
    await exited;
  }
  rmSync(r.dir, { recursive: true, force: true });
}
