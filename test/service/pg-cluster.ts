/**
 * A throwaway Postgres cluster for the tests: Debian's postgresql binaries (/usr/lib/postgresql/N/bin)
 * run initdb and pg_ctl in a new temp directory, listening on 127.0.0.1 on a free port only (no Unix
 * socket outside that directory), trust authentication for the superuser `mia`. Postgres refuses to
 * run as root: as root the cluster runs as the `postgres` user (Debian's package makes it), else as
 * `nobody`, through runuser. `stop()` stops it and removes the directory.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../server/service-helpers.js';

export interface PgCluster {
  port: number;
  /** postgres://mia@127.0.0.1:PORT/<db> */
  url(db: string): string;
  /** Creates the database `db` (a new empty one per test). */
  createDatabase(db: string): Promise<void>;
  stop(): void;
}

/** The bin directory of the newest installed postgresql, or undefined when none is. */
export function postgresBin(): string | undefined {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root)
    .filter((v) => existsSync(join(root, v, 'bin', 'initdb')) && existsSync(join(root, v, 'bin', 'pg_ctl')))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] === undefined ? undefined : join(root, versions[0], 'bin');
}

/** Why the Postgres tests cannot run here, or undefined when they can. */
export function postgresMissing(): string | undefined {
  return postgresBin() === undefined
    ? 'postgresql is not installed (no /usr/lib/postgresql/*/bin/initdb): apt-get install postgresql'
    : undefined;
}

/** The user the cluster runs as: this one, or (as root) postgres / nobody. */
function clusterUser(): { name: string; uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  for (const name of ['postgres', 'nobody']) {
    try {
      const uid = Number(execFileSync('id', ['-u', name], { encoding: 'utf8' }).trim());
      const gid = Number(execFileSync('id', ['-g', name], { encoding: 'utf8' }).trim());
      return { name, uid, gid };
    } catch {}
  }
  throw new Error(`running as root (${userInfo().username}) and neither postgres nor nobody exists`);
}

/** Starts a cluster (see the file header); throws when the binaries are missing. */
export async function startPgCluster(): Promise<PgCluster> {
  const bin = postgresBin();
  if (bin === undefined) throw new Error(postgresMissing());
  const root = mkdtempSync(join(tmpdir(), 'mia-pg-'));
  const user = clusterUser();
  if (user !== undefined) {
    chmodSync(root, 0o700);
    chownSync(root, user.uid, user.gid);
  }
  const run = (cmd: string, args: string[]) => {
    const full = join(bin, cmd);
    const [file, argv] =
      user === undefined ? [full, args] : ['runuser', ['-u', user.name, '--', full, ...args]];
    return execFileSync(file, argv, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], cwd: root });
  };
  const data = join(root, 'data');
  run('initdb', ['-D', data, '-U', 'mia', '--auth=trust', '--encoding=UTF8', '--no-sync']);
  const port = await freePort();
  const options = `-p ${port} -c listen_addresses=127.0.0.1 -k ${root} -c fsync=off -c max_connections=60`;
  run('pg_ctl', ['-D', data, '-l', join(root, 'log'), '-o', options, '-w', '-t', '60', 'start']);
  const url = (db: string) => `postgres://mia@127.0.0.1:${port}/${db}`;
  return {
    port,
    url,
    async createDatabase(db: string) {
      const { default: pg } = await import('pg');
      const c = new pg.Client({ connectionString: url('postgres') });
      await c.connect();
      try {
        await c.query(`CREATE DATABASE ${db}`);
      } finally {
        await c.end();
      }
    },
    stop() {
      try {
        run('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']);
      } finally {
        rmSync(root, { recursive: true, force: true });
      }
    },
  };
}
