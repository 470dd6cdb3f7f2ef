import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { loadBuiltinImages } from '../../src/data/builtin.js';
import {
  checksumProblem,
  type DownloadProgress,
  datasetCacheDir,
  downloadVerified,
  type FetchLike,
  readVerifiedCacheFile,
} from '../../src/data/cache.js';
import {
  type BuiltinImageSource,
  CIFAR10,
  FASHION_MNIST,
  MNIST,
  type RemoteFile,
} from '../../src/data/sources.js';
import { cifarBatch, gz, rejectsMia, tempDir, tinyIdx } from './helpers.js';

function specOf(name: string, bytes: Uint8Array, urls = [`https://example.test/${name}`]): RemoteFile {
  return {
    name,
    urls,
    size: bytes.length,
    sha256: createHash('sha256').update(bytes).digest('hex'),
    md5: createHash('md5').update(bytes).digest('hex'),
  };
}

/** A fetch that serves `files` by URL (404 otherwise) and records every URL asked for. */
function fakeFetch(files: Record<string, Uint8Array>): FetchLike & { calls: string[] } {
  const calls: string[] = [];
  const f = async (url: string) => {
    calls.push(url);
    const b = files[url];
    if (b === undefined) return new Response('not found', { status: 404 });
    return new Response(b, { status: 200, headers: { 'content-length': String(b.length) } });
  };
  return Object.assign(f, { calls });
}

const offline: FetchLike = async () => {
  throw new TypeError('fetch failed', { cause: new Error('getaddrinfo ENOTFOUND example.test') });
};

test('datasetCacheDir: explicit option, then $MIA_CACHE_DIR/datasets, then XDG, then ~/.cache', () => {
  assert.equal(datasetCacheDir('rel/dir', {}), resolve('rel/dir'));
  assert.equal(datasetCacheDir(undefined, { MIA_CACHE_DIR: '/c' }), '/c/datasets');
  assert.equal(datasetCacheDir(undefined, { XDG_CACHE_HOME: '/x' }), '/x/mia-audit/datasets');
  assert.equal(datasetCacheDir(undefined, { MIA_CACHE_DIR: '/c', XDG_CACHE_HOME: '/x' }), '/c/datasets');
  assert.equal(datasetCacheDir(undefined, {}), join(homedir(), '.cache', 'mia-audit', 'datasets'));
});

test('the official checksum tables are well-formed (64 hex SHA-256, 32 hex MD5, sizes, https or http URLs)', () => {
  for (const src of [FASHION_MNIST, MNIST, CIFAR10]) {
    assert.ok(src.files.length > 0);
    for (const f of src.files) {
      assert.match(f.sha256, /^[0-9a-f]{64}$/);
      assert.match(f.md5, /^[0-9a-f]{32}$/);
      assert.ok(f.size > 1000);
      for (const u of f.urls) assert.match(u, new RegExp(`^https?://.+/${f.name.replace(/\./g, '\\.')}$`));
    }
  }
  assert.equal(CIFAR10.files[0]!.md5, 'c32a1d4ab5d03f1284b67883e8d87530'); // as published on the CIFAR page
});

test('checksumProblem checks size, then SHA-256, then MD5', () => {
  const b = new TextEncoder().encode('abc');
  const s = specOf('f', b);
  assert.equal(s.sha256, 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad'); // FIPS 180-2 "abc"
  assert.equal(s.md5, '900150983cd24fb0d6963f7d28e17f72'); // RFC 1321 "abc"
  assert.equal(checksumProblem(b, s), undefined);
  assert.match(checksumProblem(new Uint8Array(2), s)!.found, /2 bytes/);
  assert.match(checksumProblem(new TextEncoder().encode('abd'), s)!.found, /^SHA-256 /);
  assert.match(checksumProblem(b, { ...s, md5: '0'.repeat(32) })!.found, /^MD5 /);
});

test('download with a fake fetch: verified, written atomically, progress reported; a 404 mirror is skipped', async () => {
  const t = tempDir('dl');
  try {
    const bytes = new Uint8Array(100_000).map((_, i) => (i * 31) % 251);
    const spec = specOf('f.bin', bytes, ['https://a.test/f.bin', 'https://b.test/f.bin']);
    const fetch = fakeFetch({ 'https://b.test/f.bin': bytes });
    const progress: DownloadProgress[] = [];
    const path = join(t.dir, 'sub', 'f.bin');
    const got = await downloadVerified(spec, path, fetch, (p) => progress.push(p));
    assert.equal(got.url, 'https://b.test/f.bin');
    assert.deepEqual(fetch.calls, ['https://a.test/f.bin', 'https://b.test/f.bin']);
    assert.deepEqual(new Uint8Array(readFileSync(path)), bytes);
    assert.deepEqual(readdirSync(join(t.dir, 'sub')), ['f.bin'], 'no temp file left');
    assert.ok(progress.length >= 1);
    assert.equal(progress.at(-1)!.receivedBytes, 100_000);
    assert.equal(progress.at(-1)!.totalBytes, 100_000);
  } finally {
    t.cleanup();
  }
});

test('download whose bytes do not match: E_CHECKSUM, nothing saved, message says what to do', async () => {
  const t = tempDir('dl');
  try {
    const spec = specOf('f.bin', new Uint8Array([1, 2, 3]), ['https://a.test/f.bin']);
    const fetch = fakeFetch({ 'https://a.test/f.bin': new Uint8Array([1, 2, 4]) });
    const path = join(t.dir, 'f.bin');
    await rejectsMia(
      () => downloadVerified(spec, path, fetch),
      'E_CHECKSUM',
      path,
      'nothing was saved',
      'SHA-256',
      'Retry',
    );
    assert.equal(existsSync(path), false);
    assert.deepEqual(readdirSync(t.dir), []);
  } finally {
    t.cleanup();
  }
});

test('download with no network: E_DATASET naming each address and the cause', async () => {
  const spec = specOf('f.bin', new Uint8Array([1]), ['https://a.test/f.bin', 'https://b.test/f.bin']);
  await rejectsMia(
    () => downloadVerified(spec, '/nonexistent/f.bin', offline),
    'E_DATASET',
    'https://a.test/f.bin: fetch failed (getaddrinfo ENOTFOUND',
    'https://b.test/f.bin',
  );
});

test('a cached file with the wrong checksum: E_CHECKSUM naming it, and it is deleted', async () => {
  const t = tempDir('cache');
  try {
    const path = join(t.dir, 'f.bin');
    writeFileSync(path, 'corrupted');
    const spec = specOf('f.bin', new TextEncoder().encode('the-real'));
    await rejectsMia(
      () => readVerifiedCacheFile(path, spec),
      'E_CHECKSUM',
      path,
      'has been deleted',
      'download',
    );
    assert.equal(existsSync(path), false);
    writeFileSync(path, 'the-real');
    assert.equal(new TextDecoder().decode(await readVerifiedCacheFile(path, spec)), 'the-real');
  } finally {
    t.cleanup();
  }
});

/** An MNIST-like source whose "official" files are tiny IDX files made here. */
function tinyIdxSource(): { spec: BuiltinImageSource; served: Record<string, Uint8Array> } {
  const tr = tinyIdx(12, 4, 4, 3);
  const te = tinyIdx(5, 4, 4, 3);
  const bytes: Record<string, Uint8Array> = {
    'train-images-idx3-ubyte.gz': gz(tr.images),
    'train-labels-idx1-ubyte.gz': gz(tr.labels),
    't10k-images-idx3-ubyte.gz': gz(te.images),
    't10k-labels-idx1-ubyte.gz': gz(te.labels),
  };
  const files = Object.entries(bytes).map(([name, b]) => specOf(name, b, [`https://mirror.test/${name}`]));
  const served = Object.fromEntries(files.map((f) => [f.urls[0]!, bytes[f.name]!]));
  const spec: BuiltinImageSource = {
    ...MNIST,
    numClasses: 3,
    systemDirs: [
      {
        path: '/nonexistent/system-dir',
        via: 'Debian test-package',
        install: 'apt-get install test-package',
      },
    ],
    files,
  };
  return { spec, served };
}

test('builtin: download into the cache, then read from the cache without fetching; a corrupt cache file is deleted', async () => {
  const t = tempDir('builtin');
  try {
    const { spec, served } = tinyIdxSource();
    const fetch = fakeFetch(served);
    const first = await loadBuiltinImages(spec, { cacheDir: t.dir, download: true, fetchImpl: fetch });
    assert.ok(first.found);
    assert.equal(first.train.n, 12);
    assert.equal(first.test.n, 5);
    assert.equal(fetch.calls.length, 4);
    assert.equal(first.notices.length, 4);
    assert.match(first.source, /downloaded, checksums verified/);
    assert.deepEqual(readdirSync(join(t.dir, 'mnist')).sort(), spec.files.map((f) => f.name).sort());

    const second = await loadBuiltinImages(spec, { cacheDir: t.dir, download: true, fetchImpl: offline });
    assert.ok(second.found);
    assert.equal(second.source, `${join(t.dir, 'mnist')} (cache, checksums verified)`);
    assert.deepEqual(second.train.pixels, first.train.pixels);
    assert.deepEqual(second.notices, []);

    const victim = join(t.dir, 'mnist', 't10k-labels-idx1-ubyte.gz');
    writeFileSync(victim, gz(tinyIdx(5, 4, 4, 2).labels)); // valid IDX, but not the official bytes
    await rejectsMia(
      () => loadBuiltinImages(spec, { cacheDir: t.dir, download: false }),
      'E_CHECKSUM',
      victim,
    );
    assert.equal(existsSync(victim), false);
    // with downloads allowed the next run fetches just the missing file again
    const fetch2 = fakeFetch(served);
    const third = await loadBuiltinImages(spec, { cacheDir: t.dir, download: true, fetchImpl: fetch2 });
    assert.ok(third.found);
    assert.deepEqual(fetch2.calls, ['https://mirror.test/t10k-labels-idx1-ubyte.gz']);
  } finally {
    t.cleanup();
  }
});

test('builtin: a mismatching download is E_CHECKSUM (never used, never cached)', async () => {
  const t = tempDir('builtin');
  try {
    const { spec, served } = tinyIdxSource();
    const url = 'https://mirror.test/train-labels-idx1-ubyte.gz';
    const tampered = { ...served, [url]: gz(tinyIdx(12, 4, 4, 2).labels) };
    await rejectsMia(
      () => loadBuiltinImages(spec, { cacheDir: t.dir, download: true, fetchImpl: fakeFetch(tampered) }),
      'E_CHECKSUM',
      'train-labels-idx1-ubyte.gz',
    );
    assert.equal(existsSync(join(t.dir, 'mnist', 'train-labels-idx1-ubyte.gz')), false);
  } finally {
    t.cleanup();
  }
});

test('builtin: nothing found lists every place looked (system folder with install hint, cache, download)', async () => {
  const t = tempDir('builtin');
  try {
    const { spec } = tinyIdxSource();
    const off = await loadBuiltinImages(spec, { cacheDir: t.dir, download: false });
    assert.equal(off.found, false);
    if (off.found) return;
    assert.match(
      off.looked[0]!,
      /\/nonexistent\/system-dir \(Debian test-package\): absent; install with `apt-get install test-package`/,
    );
    assert.match(
      off.looked[1]!,
      new RegExp(`cache ${join(t.dir, 'mnist')}: missing train-images-idx3-ubyte.gz`),
    );
    assert.match(off.looked[2]!, /download: not allowed/);
    const net = await loadBuiltinImages(spec, { cacheDir: t.dir, download: true, fetchImpl: offline });
    assert.equal(net.found, false);
    if (net.found) return;
    assert.match(net.looked[2]!, /download: cannot download .*mirror\.test.*fetch failed/);
  } finally {
    t.cleanup();
  }
});

test('builtin: a system folder is used as it is (no checksum), and an explicit path is the only place looked', async () => {
  const t = tempDir('builtin');
  try {
    const { spec, served } = tinyIdxSource();
    const sys = join(t.dir, 'sys');
    mkdirSync(sys);
    for (const f of spec.files)
      writeFileSync(join(sys, f.name.replace(/\.gz$/, '')), gunzipSync(served[f.urls[0]!]!));
    const r = await loadBuiltinImages(spec, {
      systemDirs: [{ path: sys, via: 'Debian x', install: 'apt-get install x' }],
      cacheDir: t.dir,
    });
    assert.ok(r.found);
    assert.equal(r.source, `${sys} (Debian x)`);
    assert.equal(r.train.n, 12);
    const p = await loadBuiltinImages(spec, { path: sys, cacheDir: t.dir });
    assert.ok(p.found);
    assert.equal(p.source, `${sys} (given path)`);
    const miss = await loadBuiltinImages(spec, {
      path: join(t.dir, 'nope'),
      cacheDir: t.dir,
      download: true,
      fetchImpl: offline,
    });
    assert.deepEqual(miss.found ? [] : miss.looked, [`${join(t.dir, 'nope')} (given path): absent`]);
  } finally {
    t.cleanup();
  }
});

test('builtin CIFAR-10: the official archive is downloaded with a fake fetch, verified and read from the cache', async () => {
  const t = tempDir('builtin');
  try {
    const src = join(t.dir, 'src', 'cifar-10-batches-bin');
    mkdirSync(src, { recursive: true });
    for (let i = 1; i <= 5; i++) writeFileSync(join(src, `data_batch_${i}.bin`), cifarBatch([i]));
    writeFileSync(join(src, 'test_batch.bin'), cifarBatch([0, 1]));
    const archive = join(t.dir, 'a.tar.gz');
    execFileSync('tar', ['-czf', archive, '-C', join(t.dir, 'src'), 'cifar-10-batches-bin']);
    const bytes = new Uint8Array(readFileSync(archive));
    const file = specOf('cifar-10-binary.tar.gz', bytes, ['https://cs.test/cifar-10-binary.tar.gz']);
    const spec: BuiltinImageSource = { ...CIFAR10, files: [file] };
    const cache = join(t.dir, 'cache');
    const r = await loadBuiltinImages(spec, {
      cacheDir: cache,
      download: true,
      fetchImpl: fakeFetch({ [file.urls[0]!]: bytes }),
    });
    assert.ok(r.found);
    assert.deepEqual([...r.train.labels], [1, 2, 3, 4, 5]);
    assert.deepEqual([...r.test.labels], [0, 1]);
    assert.ok(existsSync(join(cache, 'cifar10', 'cifar-10-binary.tar.gz')));
    const again = await loadBuiltinImages(spec, { cacheDir: cache, download: false });
    assert.ok(again.found);
    assert.match(again.source, /cache, checksums verified/);
  } finally {
    t.cleanup();
  }
});
