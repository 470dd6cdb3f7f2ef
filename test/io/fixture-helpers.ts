// Shared by the test/io tests: fixture paths, expected values written by fixtures/make_fixtures.py, and
// comparison of a parsed array against numpy's record of it.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { NpyArray } from '../../src/io/npy.js';

export const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), 'fixtures');

export interface ExpectedArray {
  dtype: string;
  shape: number[];
  values: (number | string)[];
}

export interface Expected {
  npy: Record<string, ExpectedArray>;
  npz: Record<string, Record<string, ExpectedArray>>;
  bad: Record<string, { code: string; where?: string }>;
}

export const expected: Expected = JSON.parse(readFileSync(join(FIXTURES, 'expected.json'), 'utf8'));

export function fixture(name: string): string {
  return join(FIXTURES, name);
}

function expectedValue(dtype: string, v: number | string): number | bigint {
  if (v === 'nan') return Number.NaN;
  if (v === 'inf') return Number.POSITIVE_INFINITY;
  if (v === '-inf') return Number.NEGATIVE_INFINITY;
  if (dtype === 'int64') return BigInt(v);
  return Number(v);
}

/** Asserts that `arr` holds exactly numpy's dtype, shape and values (NaN, -0 and int64 exact). */
export function assertMatches(arr: NpyArray, exp: ExpectedArray, label: string): void {
  assert.equal(arr.dtype, exp.dtype, `${label}: dtype`);
  assert.deepEqual(arr.shape, exp.shape, `${label}: shape`);
  assert.equal(arr.data.length, exp.values.length, `${label}: length`);
  for (let i = 0; i < exp.values.length; i++) {
    const want = expectedValue(exp.dtype, exp.values[i]!);
    const got = arr.data[i];
    assert.ok(Object.is(got, want), `${label}[${i}]: expected ${String(want)}, got ${String(got)}`);
  }
}

/** numpy's view of arrays, for checks that numpy reads what we write; undefined when unavailable. */
export function numpyAvailable(): string | undefined {
  if (!existsSync('/usr/bin/python3')) return '/usr/bin/python3 not found';
  const r = spawnSync('/usr/bin/python3', ['-c', 'import numpy'], { encoding: 'utf8' });
  if (r.status !== 0) return 'numpy is not importable by /usr/bin/python3';
  return undefined;
}

const LOAD_SCRIPT = `
import json, sys
import numpy as np
def rec(a):
    vals = []
    for v in a.reshape(-1).tolist():
        if isinstance(v, bool): vals.append(1 if v else 0)
        elif isinstance(v, float) and (v != v or v in (float('inf'), float('-inf'))): vals.append('nan' if v != v else ('inf' if v > 0 else '-inf'))
        elif a.dtype == np.int64 or a.dtype == np.uint32: vals.append(str(v))
        else: vals.append(v)
    return {'dtype': a.dtype.name, 'shape': list(a.shape), 'values': vals}
out = {}
for p in sys.argv[1:]:
    f = np.load(p)
    if p.endswith('.npz'):
        out[p] = {k: rec(f[k]) for k in f.files}
        f.close()
    else:
        out[p] = {'': rec(f)}
print(json.dumps(out))
`;

/** Loads each path with np.load and returns {path: {key: record}} (key '' for a .npy). */
export function numpyLoad(paths: string[]): Record<string, Record<string, ExpectedArray>> {
  const r = spawnSync('/usr/bin/python3', ['-c', LOAD_SCRIPT, ...paths], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`python failed: ${r.stderr}`);
  return JSON.parse(r.stdout);
}
