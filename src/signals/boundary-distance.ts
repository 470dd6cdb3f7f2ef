/**
 * The decision-boundary distance of label-boundary (Choquette-Choo et al. 2021, §4; Li & Zhang 2021):
 * for each correctly labelled sample, the L2 distance to the nearest input found that the model labels
 * otherwise, searched with labels alone by HopSkipJump (Chen, Jordan & Wainwright 2020, "HopSkipJumpAttack:
 * A Query-Efficient Decision-Based Attack", untargeted L2), as ART's LabelOnlyDecisionBoundary does.
 *
 * Per sample, with a budget of `maxQueries` queries (one query = one input through the model):
 * 1. the sample itself (1 query): misclassified → distance 0, done;
 * 2. initialisation: up to `initTries` points drawn uniformly in the data's range [lo, hi]^d until one is
 *    labelled otherwise; none found → the distance is the range's diameter (hi − lo)·√d, an upper bound;
 * 3. a binary search (`binarySteps` queries) on the segment to that point: the boundary point x_b;
 * 4. HopSkipJump iterations t = 1, 2, … while the budget holds a whole one: the boundary's normal at x_b
 *    estimated from `probes` labels at x_b + δ·u (u uniform on the sphere, δ = ‖x_b − x‖ / d, the
 *    baseline-corrected Monte-Carlo estimate of HSJA's eq. 9), a geometric step of ξ = ‖x_b − x‖ / √t
 *    along it (halved up to `stepTries` times until the point is labelled otherwise), then a binary search
 *    back towards x; x_b moves there when it is closer.
 * Every point is clipped to [lo, hi]. Cost per correctly labelled sample: 1 + (initialisation, ≤
 * initTries) + binarySteps + T·(probes + ≤ stepTries + binarySteps) ≤ maxQueries, where T is the number
 * of iterations that fit; with the defaults (20 probes, 5 step tries, 10 binary steps) and
 * maxQueries = 200, T ≈ 4–5.
 * The samples run in lockstep in chunks, so each phase is one batched forward pass.
 */
import { MiaError } from '../errors.js';
import { Rng } from '../rng.js';
import { type LabelModel, predictLabels } from './label-queries.js';

export interface BoundaryOptions {
  /** Queries per sample, at most (≥ 1). */
  maxQueries: number;
  seed: number;
  /** Data range for the initialisation and clipping (default: the min and max of `x`). */
  range?: { lo: number; hi: number };
  /** Random points tried to start from (default 20). */
  initTries?: number;
  /** Queries per binary search (default 10). */
  binarySteps?: number;
  /** Probes of the gradient-direction estimate (default 20). */
  probes?: number;
  /** Halvings of the geometric step (default 5). */
  stepTries?: number;
  /** Samples per lockstep chunk (default 32). */
  chunk?: number;
}

/** Distance per sample (Float64Array, ≥ 0; 0 = misclassified) and the queries each one spent. */
export interface BoundaryResult {
  distance: Float64Array;
  queries: Int32Array;
}

function norm(v: Float32Array): number {
  let s = 0;
  for (let k = 0; k < v.length; k++) s += v[k]! * v[k]!;
  return Math.sqrt(s);
}

/**
 * The boundary distance of each of the n samples `x` (n × d values) with true labels `labels` (see the
 * file header); `model` is asked only for labels. Deterministic for a seed. Throws E_ARGUMENT when
 * maxQueries < 1, E_SHAPE_MISMATCH when x and labels disagree.
 */
export async function boundaryDistances(
  model: LabelModel,
  x: Float32Array,
  labels: Int32Array,
  options: BoundaryOptions,
): Promise<BoundaryResult> {
  const n = labels.length;
  const budget = options.maxQueries;
  if (!Number.isInteger(budget) || budget < 1) {
    throw new MiaError('E_ARGUMENT', 'label-boundary needs a query budget of at least 1 per sample', {
      where: 'label_only.boundary_queries',
      found: String(budget),
    });
  }
  if (n === 0) return { distance: new Float64Array(0), queries: new Int32Array(0) };
  const d = x.length / n;
  if (!Number.isInteger(d) || d < 1) {
    throw new MiaError('E_SHAPE_MISMATCH', 'samples and labels disagree', {
      where: 'label-boundary',
      expected: `a multiple of ${n} values`,
      found: String(x.length),
    });
  }
  let lo = options.range?.lo ?? Number.POSITIVE_INFINITY;
  let hi = options.range?.hi ?? Number.NEGATIVE_INFINITY;
  if (options.range === undefined) {
    for (let k = 0; k < x.length; k++) {
      lo = Math.min(lo, x[k]!);
      hi = Math.max(hi, x[k]!);
    }
  }
  if (!(hi > lo)) hi = lo + 1;
  const cfg = {
    initTries: options.initTries ?? 20,
    binarySteps: options.binarySteps ?? 10,
    probes: options.probes ?? 20,
    stepTries: options.stepTries ?? 5,
  };
  const distance = new Float64Array(n);
  const queries = new Int32Array(n);
  const rng = new Rng(options.seed);
  const chunk = options.chunk ?? 32;
  for (let s = 0; s < n; s += chunk) {
    const ids: number[] = [];
    for (let i = s; i < Math.min(n, s + chunk); i++) ids.push(i);
    await searchChunk(model, x, labels, d, ids, { lo, hi, budget, ...cfg }, rng, distance, queries);
  }
  return { distance, queries };
}

interface SearchConfig {
  lo: number;
  hi: number;
  budget: number;
  initTries: number;
  binarySteps: number;
  probes: number;
  stepTries: number;
}

/** One lockstep chunk: fills distance[i] and queries[i] for i in ids. */
async function searchChunk(
  model: LabelModel,
  x: Float32Array,
  labels: Int32Array,
  d: number,
  ids: number[],
  c: SearchConfig,
  rng: Rng,
  distance: Float64Array,
  queries: Int32Array,
): Promise<void> {
  const clip = (v: number) => (v < c.lo ? c.lo : v > c.hi ? c.hi : v);
  const orig = (i: number) => x.subarray(i * d, (i + 1) * d);
  const left = (i: number) => c.budget - queries[i]!;
  /** Labels of the points (one per owner), each owner charged one query. */
  const ask = async (points: Float32Array[], owners: number[]): Promise<boolean[]> => {
    if (points.length === 0) return [];
    const pred = await predictLabels(model, stack(points, d), points.length);
    for (const i of owners) queries[i]! += 1;
    return owners.map((i, j) => pred[j] !== labels[i]);
  };
  // 1. the sample itself
  const first = await ask(ids.map(orig), ids);
  let active = ids.filter((_, j) => !first[j]);
  // 2. initialisation from uniform random points
  const adv = new Map<number, Float32Array>();
  for (let t = 0; t < c.initTries; t++) {
    const want = active.filter((i) => !adv.has(i) && left(i) > 1);
    if (want.length === 0) break;
    const pts = want.map(() => {
      const p = new Float32Array(d);
      for (let k = 0; k < d; k++) p[k] = c.lo + (c.hi - c.lo) * rng.next();
      return p;
    });
    const r = await ask(pts, want);
    want.forEach((i, j) => {
      if (r[j]) adv.set(i, pts[j]!);
    });
  }
  const diameter = (c.hi - c.lo) * Math.sqrt(d);
  for (const i of active) if (!adv.has(i)) distance[i] = diameter;
  active = active.filter((i) => adv.has(i));
  // 3. binary search to the boundary
  const boundary = new Map<number, Float32Array>();
  const toBoundary = async (cands: Map<number, Float32Array>, owners: number[]) => {
    const lowA = new Map<number, number>(owners.map((i) => [i, 0]));
    const highA = new Map<number, number>(owners.map((i) => [i, 1]));
    const at = (i: number, a: number) => {
      const o = orig(i);
      const p = cands.get(i)!;
      const out = new Float32Array(d);
      for (let k = 0; k < d; k++) out[k] = o[k]! + a * (p[k]! - o[k]!);
      return out;
    };
    for (let step = 0; step < c.binarySteps; step++) {
      const who = owners.filter((i) => left(i) > 0);
      if (who.length === 0) break;
      const mids = who.map((i) => (lowA.get(i)! + highA.get(i)!) / 2);
      const r = await ask(
        who.map((i, j) => at(i, mids[j]!)),
        who,
      );
      who.forEach((i, j) => {
        if (r[j]) highA.set(i, mids[j]!);
        else lowA.set(i, mids[j]!);
      });
    }
    return new Map(owners.map((i) => [i, at(i, highA.get(i)!)]));
  };
  const found = await toBoundary(adv, active);
  for (const i of active) {
    const b = found.get(i)!;
    boundary.set(i, b);
    distance[i] = dist(b, orig(i));
  }
  // 4. HopSkipJump iterations
  const perIteration = c.probes + c.stepTries + c.binarySteps;
  for (let t = 1; ; t++) {
    const who = active.filter((i) => left(i) >= perIteration && distance[i]! > 0);
    if (who.length === 0) break;
    // gradient direction at the boundary point
    const dirs = new Map<number, Float32Array>();
    const probePts: Float32Array[] = [];
    const probeOwners: number[] = [];
    const probeUs: Float32Array[] = [];
    for (const i of who) {
      const b = boundary.get(i)!;
      const delta = Math.max(distance[i]! / d, 1e-6);
      for (let k = 0; k < c.probes; k++) {
        const u = new Float32Array(d);
        for (let m = 0; m < d; m++) u[m] = rng.normal();
        const nu = norm(u) || 1;
        const p = new Float32Array(d);
        for (let m = 0; m < d; m++) {
          u[m] = u[m]! / nu;
          p[m] = clip(b[m]! + delta * u[m]!);
        }
        probePts.push(p);
        probeUs.push(u);
        probeOwners.push(i);
      }
    }
    const pred = await predictLabels(model, stack(probePts, d), probePts.length);
    for (const i of probeOwners) queries[i]! += 1;
    who.forEach((i, w) => {
      const base = w * c.probes;
      let mean = 0;
      const phi: number[] = [];
      for (let k = 0; k < c.probes; k++) {
        const v = pred[base + k] !== labels[i] ? 1 : -1;
        phi.push(v);
        mean += v / c.probes;
      }
      const v = new Float32Array(d);
      const allSame = phi.every((p) => p === phi[0]);
      for (let k = 0; k < c.probes; k++) {
        const wgt = allSame ? phi[k]! : phi[k]! - mean;
        const u = probeUs[base + k]!;
        for (let m = 0; m < d; m++) v[m]! += wgt * u[m]!;
      }
      const nv = norm(v) || 1;
      for (let m = 0; m < d; m++) v[m] = v[m]! / nv;
      dirs.set(i, v);
    });
    // geometric step search
    const xi = new Map<number, number>(who.map((i) => [i, distance[i]! / Math.sqrt(t)]));
    const stepped = new Map<number, Float32Array>();
    for (let k = 0; k < c.stepTries; k++) {
      const want = who.filter((i) => !stepped.has(i));
      if (want.length === 0) break;
      const pts = want.map((i) => {
        const b = boundary.get(i)!;
        const v = dirs.get(i)!;
        const e = xi.get(i)!;
        const p = new Float32Array(d);
        for (let m = 0; m < d; m++) p[m] = clip(b[m]! + e * v[m]!);
        return p;
      });
      const r = await ask(pts, want);
      want.forEach((i, j) => {
        if (r[j]) stepped.set(i, pts[j]!);
        else xi.set(i, xi.get(i)! / 2);
      });
    }
    const movers = who.filter((i) => stepped.has(i));
    const next = await toBoundary(stepped, movers);
    for (const i of movers) {
      const b = next.get(i)!;
      const nd = dist(b, orig(i));
      if (nd < distance[i]!) {
        distance[i] = nd;
        boundary.set(i, b);
      }
    }
  }
}

function dist(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let k = 0; k < a.length; k++) s += (a[k]! - b[k]!) ** 2;
  return Math.sqrt(s);
}

/** The points (each of length d) as one row-major block. */
function stack(points: readonly Float32Array[], d: number): Float32Array {
  const flat = new Float32Array(points.length * d);
  for (let j = 0; j < points.length; j++) flat.set(points[j]!, j * d);
  return flat;
}
