// Damaged files in a run directory (src/audit/run-manifest.ts): every reusable file is recorded with
// its size and SHA-256 as it is written; a rerun removes one that changed, with a note naming it, and
// computes it again — a truncated weights.npz is trained again, not kept behind reused signals. A run
// directory without a manifest (older runs) still resumes, its model files checked by reading them.
// A file where the run directory keeps a folder is one line.
import assert from 'node:assert/strict';
import {
  mkdirSync,
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
import { ManifestFile } from '../../src/audit/run-format/index.js';
import { readNpz } from '../../src/io/npz.js';
import { runMia } from '../cli/run-mia.js';

const tmp = mkdtempSync(join(tmpdir(), 'mia-integrity-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

function setup(name: string): { dir: string; file: string } {
  const dir = join(tmp, name);
  const file = join(tmp, `${name}.yaml`);
  writeFileSync(
    file,
    `run: {seed: 3, log_dir: ${dir}}
data:
  dataset: synthetic
  audit_size: 200
  population_size: 40
  validation_size: 0
  synthetic: {shape: [8], classes: 3, noise: 2}
target: {architecture: {name: mlp, params: {hidden: "16"}}, epochs: 2, batch_size: 20}
audit: {reference_models: 0, attacks: [loss], slices: [entire]}
report: {enabled: false}
`,
  );
  return { dir, file };
}

function audit(file: string) {
  const r = runMia(['audit', file]);
  assert.equal(r.code, 0, r.stderr);
  return r.stdout;
}

const weightsOf = (dir: string) => {
  const m = join(dir, 'models', 'target');
  return join(m, readdirSync(m)[0]!, 'weights.npz');
};
const auc = (out: string) => /^loss +entire dataset +\d+ +\d+ +([\d.]+)/m.exec(out)?.[1];

test('a truncated weights.npz is found by its recorded size, removed with a note and trained again', () => {
  const { dir, file } = setup('truncated');
  const first = audit(file);
  const manifest = ManifestFile.parse(JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')));
  for (const f of ['keep.npy', 'signals/target.npz', 'scores.npz', 'results.json'])
    assert.ok(manifest.files[f] !== undefined, `${f} recorded`);
  const w = weightsOf(dir);
  const rel = w.slice(dir.length + 1);
  assert.ok(manifest.files[rel] !== undefined, 'the weights are recorded');
  truncateSync(w, 100);
  const again = audit(file);
  assert.match(
    again,
    new RegExp(
      `^${rel.replace(/\./g, '\\.')}: damaged \\(100 bytes, \\d+ when written\\); removed, it is computed again$`,
      'm',
    ),
  );
  assert.match(again, /\[1\/1\] target: .*damaged or incomplete; loading or training the model again/);
  assert.doesNotMatch(again, /signals reused/);
  assert.ok(readNpz(w).size > 0, 'the weights are whole again');
  assert.equal(auc(again), auc(first), 'the same model again');
  const third = audit(file);
  assert.match(third, /target: finished earlier, signals reused/);
  assert.doesNotMatch(third, /damaged/);
});

test('a file changed in place (same size) is found by its SHA-256 and computed again', () => {
  const { dir, file } = setup('flipped');
  audit(file);
  const sig = join(dir, 'signals', 'target.npz');
  const bytes = readFileSync(sig);
  bytes[Math.floor(bytes.length / 2)]! ^= 0xff;
  writeFileSync(sig, bytes);
  const again = audit(file);
  assert.match(
    again,
    /^signals\/target\.npz: damaged \(its SHA-256 differs from the one recorded when it was written\); removed, it is computed again$/m,
  );
  assert.doesNotMatch(again, /signals reused/);
});

test('a run directory without a manifest resumes; its truncated weights are found by reading them', () => {
  const { dir, file } = setup('older');
  audit(file);
  rmSync(join(dir, 'manifest.json'));
  const resumed = audit(file);
  assert.match(resumed, /target: finished earlier, signals reused/);
  const manifest = ManifestFile.parse(JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')));
  assert.ok(manifest.files['signals/target.npz'] !== undefined, 'recorded once read');
  rmSync(join(dir, 'manifest.json'));
  truncateSync(weightsOf(dir), 100);
  const again = audit(file);
  assert.match(again, /target: .*damaged or incomplete; loading or training the model again/);
  assert.ok(readNpz(weightsOf(dir)).size > 0);
});

test('signals or models as a file: one E_IO line naming it, exit 2', () => {
  for (const folder of ['signals', 'models']) {
    const { dir, file } = setup(`file-${folder}`);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, folder), 'not a folder');
    const r = runMia(['audit', file]);
    assert.equal(r.code, 2, r.stderr);
    assert.equal(
      r.stderr.trim(),
      `error [E_IO] ${join(dir, folder)}: ${folder} is a file where the run directory keeps a folder; move it away ` +
        'or remove it (expected a folder (or nothing), found a file)',
    );
  }
});
