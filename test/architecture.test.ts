import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

// The layout of docs/architecture.md: stages left to right, the ground floor below them, faces on top.
const SRC = fileURLToPath(new URL('../src/', import.meta.url));
const STAGES = ['io', 'data', 'models', 'signals', 'attacks', 'metrics', 'audit', 'report', 'service'];
const GROUND = ['core', 'errors.ts', 'rng.ts'];
const FACES = ['cli', 'server', 'client', 'web', 'index.ts'];

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? sourceFiles(p) : p.endsWith('.ts') ? [p] : [];
  });
}

/** Each file's relative imports and re-exports, as absolute .ts paths. */
function importGraph(): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const f of sourceFiles(SRC)) {
    const text = readFileSync(f, 'utf8');
    const deps = [
      ...text.matchAll(/(?:import|export)\s+(?:type\s+)?(?:[^'"]*?\s+from\s+)?['"](\.[^'"]+)['"]/g),
    ].map((m) => resolve(dirname(f), m[1]!).replace(/\.js$/, '.ts'));
    graph.set(f, deps);
  }
  return graph;
}

/** The top-level folder or file of `src/` that `file` belongs to. */
const areaOf = (file: string) => relative(SRC, file).split(sep)[0]!;

test('every stage imports only the stages to its left and the ground floor; nothing imports a face', () => {
  const graph = importGraph();
  const wrong: string[] = [];
  for (const [file, deps] of graph) {
    const from = areaOf(file);
    for (const dep of deps) {
      const to = areaOf(dep);
      if (to === from || FACES.includes(from)) continue;
      const ok =
        GROUND.includes(to) ||
        (STAGES.includes(from) && STAGES.includes(to) && STAGES.indexOf(to) < STAGES.indexOf(from));
      if (!ok) wrong.push(`${relative(SRC, file)} → ${relative(SRC, dep)}`);
    }
  }
  assert.deepEqual(wrong, [], 'imports against the direction of docs/architecture.md');
  for (const area of new Set([...graph.keys()].map(areaOf))) {
    assert.ok(
      [...STAGES, ...GROUND, ...FACES].includes(area),
      `src/${area} is in docs/architecture.md's layout`,
    );
  }
});

test('no import circles between files', () => {
  const graph = importGraph();
  // Tarjan's strongly connected components; any component of two or more files is a circle.
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const circles: string[][] = [];
  const visit = (v: string): void => {
    index.set(v, next);
    low.set(v, next);
    next++;
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!graph.has(w)) continue;
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const c: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        c.push(relative(SRC, w));
      } while (w !== v);
      if (c.length > 1) circles.push(c.sort());
    }
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  assert.deepEqual(circles, []);
});

test('no hand-written source file over 420 lines (about 400, STYLE.md)', () => {
  const long = sourceFiles(SRC)
    .filter((f) => !f.endsWith('.generated.ts'))
    .map((f) => [relative(SRC, f), readFileSync(f, 'utf8').split('\n').length] as const)
    .filter(([, n]) => n > 420);
  assert.deepEqual(long, []);
});
