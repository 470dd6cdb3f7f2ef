import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { MiaError } from '../../src/errors.js';
import { EmbeddedQueue } from '../../src/service/embedded-queue.js';
import { MIGRATIONS } from '../../src/service/migrations.js';
import { openSqlite } from '../../src/service/sqlite-driver.js';
import { SqliteStore } from '../../src/service/sqlite-store.js';
import { hashToken } from '../../src/service/tokens.js';

const dbFile = () => join(mkdtempSync(join(tmpdir(), 'mia-store-')), 'mia.db');

test('a new store is in WAL mode with every migration applied once; reopening applies none', () => {
  const file = dbFile();
  const a = new SqliteStore(file);
  const mode = a.db.prepare('PRAGMA journal_mode').get() as { journal_mode: string };
  assert.equal(mode.journal_mode, 'wal');
  a.close();
  const db = openSqlite(file);
  const versions = db.prepare('SELECT version FROM schema_migrations ORDER BY version').all() as {
    version: number;
  }[];
  assert.deepEqual(
    versions.map((v) => v.version),
    MIGRATIONS.map((m) => m.version),
  );
  db.exec("INSERT INTO schema_migrations (version, applied_at) VALUES (999, 'x')");
  db.close();
  assert.throws(
    () => new SqliteStore(file),
    (e: unknown) => e instanceof MiaError && e.code === 'E_IO' && /newer mia-audit/.test(e.message),
  );
});

test('audits keep their status, times, progress and numbered events across a reopen', () => {
  const file = dbFile();
  const s = new SqliteStore(file);
  const a = s.createAudit({ name: 'q', experiment: 'e1', config: 'run: {}\n' });
  assert.equal(a.status, 'queued');
  s.setStatus(a.id, 'running');
  s.addEvent(a.id, 'stage', 'models');
  s.addEvent(a.id, 'progress', { done: 2, total: 8 });
  s.addEvent(a.id, 'log', '[2/8] ref-1: trained');
  s.close();
  const t = new SqliteStore(file);
  const b = t.getAudit(a.id)!;
  assert.equal(b.status, 'running');
  assert.equal(b.stage, 'models');
  assert.deepEqual(b.progress, { done: 2, total: 8 });
  assert.ok(b.startedAt !== null && b.finishedAt === null);
  assert.deepEqual(
    t.events(a.id).map((e) => [e.seq, e.kind]),
    [
      [1, 'status'],
      [2, 'stage'],
      [3, 'progress'],
      [4, 'log'],
    ],
  );
  assert.deepEqual(
    t.events(a.id, 3).map((e) => e.data),
    ['[2/8] ref-1: trained'],
  );
  t.setStatus(a.id, 'failed', 'error [E_DATASET] data.path: not found');
  assert.equal(t.getAudit(a.id)!.error, 'error [E_DATASET] data.path: not found');
  assert.ok(t.getAudit(a.id)!.finishedAt !== null);
  assert.equal(t.auditConfig(a.id), 'run: {}\n');
  assert.deepEqual(
    t.listAudits({ status: 'failed' }).map((x) => x.id),
    [a.id],
  );
  assert.deepEqual(t.listAudits({ experiment: 'other' }), []);
  assert.equal(t.deleteAudit(a.id), true);
  assert.equal(t.getAudit(a.id), undefined);
  assert.deepEqual(t.events(a.id), []);
  assert.equal(t.deleteAudit(a.id), false);
});

test('tokens: only the SHA-256 is stored, the scope comes back for the token and nothing else', () => {
  const file = dbFile();
  const s = new SqliteStore(file);
  assert.equal(s.hasTokens(), false);
  const token = s.createToken('read-only', 'viewer');
  assert.match(token, /^mia_[A-Za-z0-9_-]{43}$/);
  assert.deepEqual(s.verifyToken(token), { scope: 'read-only', name: 'viewer' });
  assert.equal(s.verifyToken(`${token}x`), undefined);
  const rows = s.db.prepare('SELECT hash FROM tokens').all() as { hash: string }[];
  assert.deepEqual(
    rows.map((r) => r.hash),
    [hashToken(token)],
  );
  s.close();
  assert.ok(!readFileSync(file).includes(Buffer.from(token)), 'the token itself is not in the database');
});

test('queue: one job to one worker; an expired lease is taken again; attempts are bounded', () => {
  let clock = 1000;
  const s = new SqliteStore(dbFile());
  const q = new EmbeddedQueue(s.db, () => clock);
  const a = s.createAudit({ name: 'a', config: '' });
  const b = s.createAudit({ name: 'b', config: '' });
  q.enqueue(a.id, 2);
  clock += 1;
  q.enqueue(b.id, 1);
  const first = q.claim('w1', 100).job!;
  assert.deepEqual(first, { auditId: a.id, attempt: 1, maxAttempts: 2 });
  assert.equal(q.claim('w2', 100).job!.auditId, b.id, 'a leased job is not handed out twice');
  assert.equal(q.claim('w3', 100).job, undefined);
  // w1 keeps its lease alive; w2 goes silent (killed)
  clock += 80;
  assert.equal(q.heartbeat(a.id, 'w1', 100), true);
  clock += 50;
  const again = q.claim('w3', 100);
  assert.equal(again.job, undefined, 'b had one attempt: it is not taken again');
  assert.deepEqual(again.exhausted, [b.id]);
  assert.equal(q.heartbeat(b.id, 'w2', 100), false, 'w2 lost b');
  // w1 dies now: a's lease runs out and w3 takes it for attempt 2
  clock += 200;
  assert.deepEqual(q.claim('w3', 100).job, { auditId: a.id, attempt: 2, maxAttempts: 2 });
  assert.equal(q.complete(a.id, 'w1'), false, 'a worker that lost the lease cannot finish the job');
  assert.equal(q.fail(a.id, 'w3'), 'failed', 'second failure of two attempts is final');
  assert.deepEqual(q.stats(10_000), { queued: 0, leased: 0, workers: ['w1', 'w2', 'w3'] });
});

test('queue: a failure with attempts left goes back to the queue; a queued job can be withdrawn', () => {
  const s = new SqliteStore(dbFile());
  const q = new EmbeddedQueue(s.db);
  const a = s.createAudit({ name: 'a', config: '' });
  q.enqueue(a.id, 3);
  q.claim('w', 10_000);
  assert.equal(q.fail(a.id, 'w'), 'retry');
  assert.equal(q.stats().queued, 1);
  assert.equal(q.withdraw(a.id), true);
  assert.equal(q.claim('w', 10_000).job, undefined);
  assert.equal(q.withdraw(a.id), false);
});

test('two connections to one database never lease the same job', () => {
  const file = dbFile();
  const s = new SqliteStore(file);
  const ids = Array.from({ length: 20 }, (_, i) => s.createAudit({ name: `a${i}`, config: '' }).id);
  const q1 = new EmbeddedQueue(s.db);
  for (const id of ids) q1.enqueue(id, 1);
  const other = new SqliteStore(file);
  const q2 = new EmbeddedQueue(other.db);
  const taken: string[] = [];
  for (let i = 0; i < 15; i++) {
    for (const q of [q1, q2]) {
      const j = q.claim(q === q1 ? 'w1' : 'w2', 60_000).job;
      if (j !== undefined) taken.push(j.auditId);
    }
  }
  assert.equal(taken.length, 20);
  assert.equal(new Set(taken).size, 20);
});
