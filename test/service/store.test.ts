import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { openSqlite } from '../../src/service/sqlite-driver.js';
import { SqliteStore } from '../../src/service/sqlite-store.js';
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
