import assert from 'node:assert/strict';
import {
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { memoryLogger } from '../../src/core/logger.js';
import { loadDataset } from '../../src/data/registry.js';
import { MiaError } from '../../src/errors.js';
import { requestHash, type TrainRequest, trainOrLoad } from '../../src/models/cache.js';
import type { Engine } from '../../src/models/engine.js';
import { createEngine } from '../../src/models/engines/create-engine.js';

const engineP = createEngine('tfjs', { backend: 'cpu' });
const root = mkdtempSync(join(tmpdir(), 'mia-cache-'));
after(() => rmSync(root, { recursive: true, force: true }));
let dirs = 0;
const tmp = () => join(root, String(dirs++));
const dataP = loadDataset('synthetic', {
  synthetic: { shape: [6], numClasses: 3, nTrain: 80, nTest: 40, seed: 2 },
});

async function request(): Promise<TrainRequest> {
  const { train, test: val } = await dataP;
  return {
    arch: { name: 'mlp', params: { hidden: '8' } },
    inputShape: [6],
    numClasses: 3,
    optimizer: { name: 'adam', lr: 0.01 },
    epochs: 2,
    batchSize: 20,
    seed: 3,
    dataset: { name: 'synthetic', options: { seed: 2 } },
    indices: Int32Array.from({ length: train.n }, (_, i) => i),
    train,
    validation: val,
  };
}

/** Trains once into a new cache, damages one file of the model with `damage`, then calls trainOrLoad again. */
async function damagedRerun(damage: (dir: string) => void) {
  const engine = await engineP;
  const cache = tmp();
  const first = await trainOrLoad(await request(), cache, { engine });
  damage(first.dir);
  let trained = 0;
  const log = memoryLogger();
  const again = await trainOrLoad(await request(), cache, {
    engine,
    logger: log,
    label: '[2/4] ref-01',
    onEpochEnd: () => void trained++,
  });
  const { x, n } = (await dataP).test;
  const firstLogits = await first.model.predict(x, n);
  const againLogits = await again.model.predict(x, n);
  first.model.dispose();
  again.model.dispose();
  return { cache, first, again, trained, log, firstLogits, againLogits };
}

test('a truncated weights.npz in the cache: one progress line, the model is trained again and equals the first', async () => {
  const r = await damagedRerun((dir) => truncateSync(join(dir, 'weights.npz'), 100));
  assert.equal(r.again.cached, false);
  assert.equal(r.trained, 2, 'trained again');
  assert.equal(r.again.dir, r.first.dir);
  const notices = r.log.lines.filter((l) => /unreadable/.test(l));
  assert.equal(notices.length, 1, r.log.lines.join('\n'));
  assert.equal(
    notices[0],
    `[2/4] ref-01  cached model ${r.first.dir}: unreadable (weights.npz: not a valid zip archive: ` +
      'no end-of-central-directory record (not a zip file, or truncated)); training it again',
  );
  assert.deepEqual(r.againLogits, r.firstLogits, 'the model trained again is the same model');
  // the damaged directory is gone (no temp left beside the new model), and the new one loads
  assert.deepEqual(readdirSync(r.cache), [requestHash(await request())]);
  const third = await trainOrLoad(await request(), r.cache, { engine: await engineP });
  assert.equal(third.cached, true);
  third.model.dispose();
});

test('a damaged model.json or a missing weights file is also trained again', async () => {
  const json = await damagedRerun((dir) => {
    const text = readFileSync(join(dir, 'model.json'), 'utf8');
    writeFileSync(join(dir, 'model.json'), text.slice(0, text.length / 2));
  });
  assert.equal(json.again.cached, false);
  assert.match(
    json.log.lines.find((l) => /unreadable/.test(l)) ?? '',
    /cached model .*: unreadable \(model\.json:\d+:\d+: invalid JSON: .*\); training it again$/,
  );
  assert.deepEqual(json.againLogits, json.firstLogits);

  const missing = await damagedRerun((dir) => rmSync(join(dir, 'weights.npz')));
  assert.equal(missing.again.cached, false);
  assert.match(
    missing.log.lines.find((l) => /unreadable/.test(l)) ?? '',
    /: unreadable \(weights\.npz is missing\); training it again$/,
  );
  assert.ok(existsSync(join(missing.again.dir, 'weights.npz')));
});

test('an error of the engine (not of the files) propagates and leaves the cached model alone', async () => {
  const engine = await engineP;
  const cache = tmp();
  const first = await trainOrLoad(await request(), cache, { engine });
  first.model.dispose();
  const broken: Engine = {
    name: engine.name,
    backend: engine.backend,
    build: async () => {
      throw new MiaError('E_BACKEND', 'no backend');
    },
  };
  await assert.rejects(
    trainOrLoad(await request(), cache, { engine: broken }),
    (e: unknown) => e instanceof MiaError && e.code === 'E_BACKEND',
  );
  assert.ok(existsSync(join(first.dir, 'weights.npz')));
  const again = await trainOrLoad(await request(), cache, { engine });
  assert.equal(again.cached, true);
  again.model.dispose();
});

test('a cached model written by a newer mia-audit is neither deleted nor retrained: the error says to upgrade', async () => {
  const engine = await engineP;
  const cache = tmp();
  const first = await trainOrLoad(await request(), cache, { engine });
  first.model.dispose();
  const json = join(first.dir, 'model.json');
  const rec = JSON.parse(readFileSync(json, 'utf8')) as { version: number };
  writeFileSync(json, JSON.stringify({ ...rec, version: rec.version + 1 }));
  await assert.rejects(
    trainOrLoad(await request(), cache, { engine }),
    (e) => e instanceof MiaError && e.code === 'E_MODEL' && /newer mia-audit/.test(e.message),
  );
  assert.ok(existsSync(json), 'the model is still there');
  assert.equal((JSON.parse(readFileSync(json, 'utf8')) as { version: number }).version, rec.version + 1);
});
