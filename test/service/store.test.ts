import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { MiaError } from '../../src/errors.js';
import { openStore } from '../../src/service/open-store.js';
import { PgStore } from '../../src/service/pg-store.js';
import { openSqlite } from '../../src/service/sqlite-driver.js';
import { SqliteStore } from '../../src/service/sqlite-store.js';
import { type PgCluster, postgresMissing, startPgCluster } from './pg-cluster.js';
import { type StoreBackend, storeSuite } from './store-suite.js';

const sqlite: StoreBackend = {
  fresh: async () => join(mkdtempSync(join(tmpdir(), 'mia-store-')), 'mia.db'),
  open: async (file) => new SqliteStore(file),
  raw: async (file, sql) => {
    const db = openSqlite(file);
    try {
      const st = db.prepare(sql);
      if (/^\s*select/i.test(sql)) return (st.all() as Record<string, unknown>[]).map((r) => ({ ...r }));
      st.run();
      return [];
    } finally {
      db.close();
    }
  },
};

describe('SqliteStore', () => {
  storeSuite(() => sqlite);

  test('the database is in WAL mode and the token itself is not in its file', async () => {
    const file = await sqlite.fresh();
    const s = new SqliteStore(file);
    const mode = s.db.prepare('PRAGMA journal_mode').get() as { journal_mode: string };
    assert.equal(mode.journal_mode, 'wal');
    assert.match(s.kind, /^sqlite \((better-sqlite3|node:sqlite)\)$/);
    const token = await s.createToken('admin', 'a');
    await s.close();
    assert.ok(!readFileSync(file).includes(Buffer.from(token)), 'the token itself is not in the database');
  });
});

// Postgres: a throwaway cluster of Debian's postgresql on 127.0.0.1, a new database per test
const missing = postgresMissing();
describe('PgStore', { skip: missing ?? false }, () => {
  let cluster: PgCluster;
  let n = 0;
  before(async () => {
    cluster = await startPgCluster();
  });
  after(() => cluster?.stop());
  const backend = (): StoreBackend => ({
    fresh: async () => {
      const db = `mia_test_${++n}`;
      await cluster.createDatabase(db);
      return cluster.url(db);
    },
    open: (url) => PgStore.open(url),
    raw: async (url, sql) => {
      const { default: pg } = await import('pg');
      const c = new pg.Client({ connectionString: url });
      await c.connect();
      try {
        return (await c.query(sql)).rows as Record<string, unknown>[];
      } finally {
        await c.end();
      }
    },
  });
  storeSuite(backend);

  test('openStore: a postgres:// URL is a PgStore; another scheme or an unreachable server is one line', async () => {
    const url = await backend().fresh();
    const s = await openStore(url, '/nonexistent/mia.db');
    assert.equal(s.kind, 'postgres');
    await s.close();
    await assert.rejects(
      openStore('mysql://u:secret@h/db', 'x'),
      (e: unknown) =>
        e instanceof MiaError &&
        e.code === 'E_USAGE' &&
        !e.oneLine().includes('secret') &&
        /--database/.test(e.oneLine()),
    );
    const dead = `postgres://mia:secret@127.0.0.1:${cluster.port}/no_such_db`;
    await assert.rejects(
      openStore(dead, 'x'),
      (e: unknown) =>
        e instanceof MiaError &&
        e.code === 'E_IO' &&
        /no_such_db/.test(e.oneLine()) &&
        !e.oneLine().includes('secret'),
    );
  });

  test('two stores migrating one fresh database at once apply each migration once', async () => {
    const url = await backend().fresh();
    const stores = await Promise.all([PgStore.open(url), PgStore.open(url), PgStore.open(url)]);
    await Promise.all(stores.map((s) => s.close()));
    const rows = await backend().raw(url, 'SELECT version FROM schema_migrations ORDER BY version');
    assert.deepEqual(
      rows.map((r) => r.version),
      [1, 2],
    );
  });
});
if (missing !== undefined) test(`PgStore: skipped, ${missing}`, { skip: missing }, () => {});
