import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { MiaError } from '../../src/errors.js';
import { readJsonFile } from '../../src/io/json.js';
import { readNpz } from '../../src/io/npz.js';
import { unreadableReason } from '../../src/io/unreadable.js';

const root = mkdtempSync(join(tmpdir(), 'mia-unreadable-'));
after(() => rmSync(root, { recursive: true, force: true }));

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  assert.fail('expected a throw');
}

test('full: a located error is said relative to the file read (line:column, key, nothing)', () => {
  const json = join(root, 'history.json');
  writeFileSync(json, '{\n}x');
  assert.equal(
    unreadableReason(
      thrown(() => readJsonFile(json)),
      { path: json, detail: 'full' },
    ),
    "[E_JSON] at 2:2: invalid JSON: expected end of input, found 'x'",
  );
  const npz = join(root, 'scores.npz');
  writeFileSync(npz, 'not a zip');
  assert.match(
    unreadableReason(
      thrown(() => readNpz(npz)),
      { path: npz, detail: 'full' },
    ),
    /^\[E_ZIP\]: /,
  );
  const entry = new MiaError('E_TRUNCATED', 'array data is truncated', {
    where: { file: npz, key: 'logits_test' },
    expected: '24 data bytes',
    found: '16 data bytes',
  });
  assert.equal(
    unreadableReason(entry, { path: npz, detail: 'full' }),
    '[E_TRUNCATED] at logits_test: array data is truncated (expected 24 data bytes, found 16 data bytes)',
  );
  const gone = join(root, 'timing.json');
  assert.equal(
    unreadableReason(
      thrown(() => readJsonFile(gone)),
      { path: gone, detail: 'full' },
    ),
    '[E_IO]: cannot read file: ENOENT (no such file or directory)',
  );
  // located in another file: the whole where
  assert.equal(
    unreadableReason(entry, { path: join(root, 'other.npz'), detail: 'full' }),
    `[E_TRUNCATED] at ${npz}:logits_test: array data is truncated (expected 24 data bytes, found 16 data bytes)`,
  );
  // a where given as a string is cut at the file as text
  const str = new MiaError('E_JSON', 'Required', { where: `${json}:points[0].auc` });
  assert.equal(unreadableReason(str, { path: json, detail: 'full' }), '[E_JSON] at points[0].auc: Required');
});

test('message: the file relative to a folder when the error is located inside it', () => {
  const dir = join(root, 'model');
  const weights = join(dir, 'weights.npz');
  const io = thrown(() => readNpz(weights));
  assert.equal(
    unreadableReason(io, { path: dir }),
    'weights.npz: cannot read file: ENOENT (no such file or directory)',
  );
  const entry = new MiaError('E_NPY_HEADER', 'not a .npy file (bad magic)', {
    where: { file: weights, key: 'w' },
  });
  assert.equal(unreadableReason(entry, { path: dir }), 'weights.npz:w: not a .npy file (bad magic)');
  assert.equal(unreadableReason(entry, { path: root }), 'model/weights.npz:w: not a .npy file (bad magic)');
  assert.equal(unreadableReason(entry, { path: join(root, 'elsewhere') }), 'not a .npy file (bad magic)');
  assert.equal(unreadableReason(entry), 'not a .npy file (bad magic)');
  const str = new MiaError('E_MODEL', 'bad model.json', { where: join(dir, 'model.json') });
  assert.equal(unreadableReason(str, { path: dir }), 'model.json: bad model.json');
});
