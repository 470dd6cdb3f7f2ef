/**
 * The tests every Store passes (service/store.ts), written once: store.test.ts runs them on SQLite and
 * on a throwaway Postgres cluster. A backend makes empty databases, opens stores on them (several at
 * once: the second connection of `mia token create`, or a second API process) and reads rows directly.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MiaError } from '../../src/errors.js';
import { MIGRATIONS } from '../../src/service/migrations.js';
import type { Store } from '../../src/service/store.js';
import { hashToken } from '../../src/service/tokens.js';

export interface StoreBackend {
  /** A new empty database: a file name or a URL. */
  fresh(): Promise<string>;
  open(where: string): Promise<Store>;
  /** Runs `sql` (no parameters) on the database directly and returns its rows. */
  raw(where: string, sql: string): Promise<Record<string, unknown>[]>;
}

/** Registers the store tests of `name` on `backend` (call inside a describe). */
export function storeSuite(backend: () => StoreBackend): void {
  test('a new store has every migration applied once; reopening applies none; a newer schema is refused', async () => {
    const b = backend();
    const where = await b.fresh();
    await (await b.open(where)).close();
    await (await b.open(where)).close();
    const versions = await b.raw(where, 'SELECT version FROM schema_migrations ORDER BY version');
    assert.deepEqual(
      versions.map((v) => Number(v.version)),
      MIGRATIONS.map((m) => m.version),
    );
    await b.raw(where, "INSERT INTO schema_migrations (version, applied_at) VALUES (999, 'x')");
    await assert.rejects(
      b.open(where),
      (e: unknown) => e instanceof MiaError && e.code === 'E_IO' && /newer mia-audit/.test(e.message),
    );
  });

  test('audits keep their status, times, progress and numbered events across a reopen', async () => {
    const b = backend();
    const where = await b.fresh();
    const s = await b.open(where);
    const a = await s.createAudit({ name: 'q', experiment: 'e1', config: 'run: {}\n' });
    assert.equal(a.status, 'queued');
    assert.equal(a.experiment, 'e1');
    assert.equal(a.startedAt, null);
    await s.setStatus(a.id, 'running');
    await s.addEvent(a.id, 'stage', 'models');
    await s.addEvent(a.id, 'progress', { done: 2, total: 8 });
    await s.addEvent(a.id, 'log', '[2/8] ref-1: trained');
    await s.close();
    const t = await b.open(where);
    try {
      const got = (await t.getAudit(a.id))!;
      assert.equal(got.status, 'running');
      assert.equal(got.stage, 'models');
      assert.deepEqual(got.progress, { done: 2, total: 8 });
      assert.ok(got.startedAt !== null && got.finishedAt === null);
      assert.equal(got.createdAt, a.createdAt);
      assert.deepEqual(
        (await t.events(a.id)).map((e) => [e.seq, e.kind]),
        [
          [1, 'status'],
          [2, 'stage'],
          [3, 'progress'],
          [4, 'log'],
        ],
      );
      assert.deepEqual(
        (await t.events(a.id, 2)).map((e) => e.data),
        [{ done: 2, total: 8 }, '[2/8] ref-1: trained'],
      );
      await t.setStatus(a.id, 'failed', 'error [E_DATASET] data.path: not found');
      const failed = (await t.getAudit(a.id))!;
      assert.equal(failed.error, 'error [E_DATASET] data.path: not found');
      assert.ok(failed.finishedAt !== null);
      assert.equal(failed.startedAt, got.startedAt, 'startedAt is stamped once');
      assert.deepEqual((await t.events(a.id, 4))[0]!.data, {
        status: 'failed',
        error: 'error [E_DATASET] data.path: not found',
      });
      assert.equal(await t.auditConfig(a.id), 'run: {}\n');
      assert.deepEqual(await t.auditSource(a.id), { text: 'run: {}\n', file: 'config.yaml' });
      assert.deepEqual(
        (await t.listAudits({ status: 'failed' })).map((x) => x.id),
        [a.id],
      );
      assert.deepEqual(await t.listAudits({ experiment: 'other' }), []);
      assert.equal(await t.deleteAudit(a.id), true);
      assert.equal(await t.getAudit(a.id), undefined);
      assert.equal(await t.auditSource(a.id), undefined);
      assert.deepEqual(await t.events(a.id), []);
      assert.equal(await t.deleteAudit(a.id), false);
    } finally {
      await t.close();
    }
  });

  test('listAudits: newest first, filtered by status and experiment, paged', async () => {
    const b = backend();
    const s = await b.open(await b.fresh());
    try {
      const ids: string[] = [];
      for (let i = 0; i < 5; i++) {
        const a = await s.createAudit({
          name: `a${i}`,
          config: '',
          file: `a${i}.yaml`,
          ...(i % 2 === 0 ? { experiment: 'even' } : {}),
        });
        ids.push(a.id);
        await new Promise((r) => setTimeout(r, 3)); // distinct createdAt
      }
      await s.setStatus(ids[1]!, 'cancelled');
      assert.deepEqual(
        (await s.listAudits()).map((a) => a.name),
        ['a4', 'a3', 'a2', 'a1', 'a0'],
      );
      assert.deepEqual(
        (await s.listAudits({ limit: 2, offset: 1 })).map((a) => a.name),
        ['a3', 'a2'],
      );
      assert.deepEqual(
        (await s.listAudits({ experiment: 'even' })).map((a) => a.name),
        ['a4', 'a2', 'a0'],
      );
      assert.deepEqual(
        (await s.listAudits({ status: 'cancelled' })).map((a) => a.name),
        ['a1'],
      );
      assert.deepEqual(
        (await s.listAudits({ status: 'queued', experiment: 'even', limit: 1 })).map((a) => a.name),
        ['a4'],
      );
      assert.equal((await s.auditSource(ids[3]!))?.file, 'a3.yaml');
    } finally {
      await s.close();
    }
  });

  test('tokens: only the SHA-256 is stored, the scope comes back for the token and nothing else', async () => {
    const b = backend();
    const where = await b.fresh();
    const s = await b.open(where);
    try {
      assert.equal(await s.hasTokens(), false);
      const token = await s.createToken('read-only', 'viewer');
      assert.match(token, /^mia_[A-Za-z0-9_-]{43}$/);
      assert.equal(await s.hasTokens(), true);
      assert.deepEqual(await s.verifyToken(token), { scope: 'read-only', name: 'viewer' });
      assert.equal(await s.verifyToken(`${token}x`), undefined);
      const rows = await b.raw(where, 'SELECT hash, name FROM tokens');
      assert.deepEqual(rows, [{ hash: hashToken(token), name: 'viewer' }]);
    } finally {
      await s.close();
    }
  });

  test('concurrent events of one audit are numbered 1..n without a gap or a repeat', async () => {
    const b = backend();
    const where = await b.fresh();
    const s = await b.open(where);
    const other = await b.open(where);
    try {
      const a = await s.createAudit({ name: 'a', config: '' });
      await Promise.all(
        Array.from({ length: 40 }, (_, i) => (i % 2 === 0 ? s : other).addEvent(a.id, 'log', `line ${i}`)),
      );
      const seqs = (await s.events(a.id)).map((e) => e.seq);
      assert.deepEqual(
        seqs,
        Array.from({ length: 40 }, (_, i) => i + 1),
      );
    } finally {
      await other.close();
      await s.close();
    }
  });

  test('queue: one job to one worker; an expired lease is taken again; attempts are bounded', async () => {
    let clock = 1000;
    const b = backend();
    const s = await b.open(await b.fresh());
    try {
      const q = s.openQueue(() => clock);
      const a = await s.createAudit({ name: 'a', config: '' });
      const bb = await s.createAudit({ name: 'b', config: '' });
      await q.enqueue(a.id, 2);
      clock += 1;
      await q.enqueue(bb.id, 1);
      assert.equal(await q.state(a.id), 'queued');
      const first = (await q.claim('w1', 100)).job!;
      assert.deepEqual(first, { auditId: a.id, attempt: 1, maxAttempts: 2 });
      assert.equal(await q.state(a.id), 'leased');
      assert.equal((await q.claim('w2', 100)).job!.auditId, bb.id, 'a leased job is not handed out twice');
      assert.equal((await q.claim('w3', 100)).job, undefined);
      // w1 keeps its lease alive; w2 goes silent (killed)
      clock += 80;
      assert.equal(await q.heartbeat(a.id, 'w1', 100), true);
      clock += 50;
      const again = await q.claim('w3', 100);
      assert.equal(again.job, undefined, 'b had one attempt: it is not taken again');
      assert.deepEqual(again.exhausted, [bb.id]);
      assert.equal(await q.heartbeat(bb.id, 'w2', 100), false, 'w2 lost b');
      // w1 dies now: a's lease runs out and w3 takes it for attempt 2
      clock += 200;
      assert.deepEqual((await q.claim('w3', 100)).job, { auditId: a.id, attempt: 2, maxAttempts: 2 });
      assert.equal(await q.complete(a.id, 'w1'), false, 'a worker that lost the lease cannot finish the job');
      assert.equal(await q.fail(a.id, 'w3'), 'failed', 'second failure of two attempts is final');
      assert.equal(await q.fail(a.id, 'w3'), 'lost');
      assert.equal(await q.state(a.id), 'done');
      assert.deepEqual(await q.stats(10_000), { queued: 0, leased: 0, workers: ['w1', 'w2', 'w3'] });
      assert.deepEqual(await q.stats(1), { queued: 0, leased: 0, workers: ['w3'] });
    } finally {
      await s.close();
    }
  });

  test('queue: retry, release without counting, withdraw, complete; deleting an audit drops its job', async () => {
    const b = backend();
    const s = await b.open(await b.fresh());
    try {
      const q = s.openQueue();
      const a = await s.createAudit({ name: 'a', config: '' });
      await q.enqueue(a.id, 3);
      await q.claim('w', 10_000);
      assert.equal(await q.fail(a.id, 'w'), 'retry');
      assert.equal((await q.stats()).queued, 1);
      assert.equal((await q.claim('w', 10_000)).job!.attempt, 2);
      assert.equal(await q.release(a.id, 'other'), false);
      assert.equal(await q.release(a.id, 'w'), true);
      assert.equal((await q.claim('w', 10_000)).job!.attempt, 2, 'a released attempt is not counted');
      assert.equal(await q.withdraw(a.id), false, 'a leased job is not withdrawn');
      assert.equal(await q.complete(a.id, 'w'), true);
      assert.equal((await q.claim('w', 10_000)).job, undefined);
      const c = await s.createAudit({ name: 'c', config: '' });
      await q.enqueue(c.id, 3);
      assert.equal(await q.withdraw(c.id), true);
      assert.equal((await q.claim('w', 10_000)).job, undefined);
      assert.equal(await q.withdraw(c.id), false);
      assert.equal(await s.deleteAudit(c.id), true);
      assert.equal(await q.state(c.id), undefined);
    } finally {
      await s.close();
    }
  });

  test('two connections to one database never lease the same job', async () => {
    const b = backend();
    const where = await b.fresh();
    const s = await b.open(where);
    const other = await b.open(where);
    try {
      const ids: string[] = [];
      for (let i = 0; i < 20; i++) ids.push((await s.createAudit({ name: `a${i}`, config: '' })).id);
      const q1 = s.openQueue();
      for (const id of ids) await q1.enqueue(id, 1);
      const q2 = other.openQueue();
      // all claims at once: on a database server they run in parallel transactions
      const claims = await Promise.all(
        Array.from({ length: 30 }, (_, i) => (i % 2 === 0 ? q1 : q2).claim(`w${i % 2}`, 60_000)),
      );
      const taken = claims.flatMap((c) => (c.job !== undefined ? [c.job.auditId] : []));
      assert.equal(taken.length, 20);
      assert.equal(new Set(taken).size, 20);
    } finally {
      await other.close();
      await s.close();
    }
  });
}
