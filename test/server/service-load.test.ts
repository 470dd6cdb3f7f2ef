import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runServiceLoad } from '../../bench/service-load.js';

// bench/service-load.ts at a small size: counts, not times (the bench prints the times).
test('service load, small: every concurrently submitted audit finishes once; none lost or duplicated', async () => {
  const r = await runServiceLoad({ audits: 6, workers: 2, epochs: 1, idlePolls: 5 });
  assert.equal(r.submitted, 6);
  assert.equal(r.succeeded, 6);
  assert.equal(r.failed, 0);
  assert.equal(r.lost, 0);
  assert.equal(r.duplicated, 0);
  assert.equal(r.loaded.submit.n, 6);
  assert.ok(r.loaded.poll.n >= 6, 'each audit was polled until it finished');
  assert.equal(r.idle.poll.n, 5);
  assert.equal(r.idle.submit.n, 20);
});
