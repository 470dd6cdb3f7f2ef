/**
 * An exact k-nearest-neighbour index over n points in d dimensions (Bentley 1975): nodes split at the
 * median of their widest dimension down to `leafSize` points. A query descends nearer child first
 * and skips a subtree when a lower bound of its distance exceeds the current k-th neighbour: for inner
 * nodes the incremental split-plane bound of Arya & Mount (1993) — O(1) per node — and for leaves the
 * distance to the leaf's tight bounding box.
 *
 * Squared Euclidean distances; neighbours are the k smallest (distance, point index) pairs, so results
 * are exactly those of a brute-force scan with that tie rule: point distances are summed in dimension
 * order as brute force does, the box bound uses the same monotone floating-point operations (so it never
 * exceeds a point's computed distance), and the incremental bound — whose additions and subtractions can
 * round upward — only prunes with a relative margin of 1e-9, far above its rounding error.
 */
export class KdTree {
  readonly n: number;
  readonly d: number;
  /** Points in tree order, n×d. */
  private readonly pts: Float64Array;
  /** Original index of each point in tree order. */
  private readonly orig: Int32Array;
  // Node arrays. Inner node: splitDim ≥ 0, left subtree holds coordinate ≤ splitVal, right ≥ splitVal.
  // Leaf: splitDim = −1, points [start, end) and their bounding box lo/hi (d values each).
  private readonly lo: Float64Array;
  private readonly hi: Float64Array;
  private readonly start: Int32Array;
  private readonly end: Int32Array;
  private readonly left: Int32Array;
  private readonly right: Int32Array;
  private readonly splitDim: Int32Array;
  private readonly splitVal: Float64Array;
  private nodes = 0;
  // Query state (one query at a time).
  private qv: Float64Array;
  private off: Float64Array;
  private bd: Float64Array = new Float64Array(0);
  private bi: Int32Array = new Int32Array(0);
  private k = 0;

  /** Builds over the n×d row-major x (copied). */
  constructor(x: Float64Array, n: number, d: number, leafSize = 32) {
    this.n = n;
    this.d = d;
    const leaf = Math.max(1, Math.floor(leafSize));
    const cap = 2 * Math.ceil(n / Math.max(1, Math.floor(leaf / 2))) + 1;
    this.lo = new Float64Array(cap * d);
    this.hi = new Float64Array(cap * d);
    this.start = new Int32Array(cap);
    this.end = new Int32Array(cap);
    this.left = new Int32Array(cap);
    this.right = new Int32Array(cap);
    this.splitDim = new Int32Array(cap);
    this.splitVal = new Float64Array(cap);
    const perm = new Int32Array(n);
    for (let i = 0; i < n; i++) perm[i] = i;
    this.build(x, perm, 0, n, leaf);
    this.pts = new Float64Array(n * d);
    for (let i = 0; i < n; i++) this.pts.set(x.subarray(perm[i]! * d, perm[i]! * d + d), i * d);
    this.orig = perm;
    this.qv = new Float64Array(d);
    this.off = new Float64Array(d);
  }

  private build(x: Float64Array, perm: Int32Array, s: number, e: number, leafSize: number): number {
    const d = this.d;
    const node = this.nodes++;
    this.start[node] = s;
    this.end[node] = e;
    this.splitDim[node] = -1;
    const lo = this.lo;
    const hi = this.hi;
    const o = node * d;
    for (let j = 0; j < d; j++) {
      lo[o + j] = Number.POSITIVE_INFINITY;
      hi[o + j] = Number.NEGATIVE_INFINITY;
    }
    for (let i = s; i < e; i++) {
      const p = perm[i]! * d;
      for (let j = 0; j < d; j++) {
        const v = x[p + j]!;
        if (v < lo[o + j]!) lo[o + j] = v;
        if (v > hi[o + j]!) hi[o + j] = v;
      }
    }
    if (e - s <= leafSize) return node;
    let dim = 0;
    let spread = -1;
    for (let j = 0; j < d; j++) {
      const w = hi[o + j]! - lo[o + j]!;
      if (w > spread) {
        spread = w;
        dim = j;
      }
    }
    if (spread <= 0) return node; // all points equal: one leaf
    const mid = (s + e) >>> 1;
    select(x, d, dim, perm, s, e - 1, mid);
    this.splitDim[node] = dim;
    this.splitVal[node] = x[perm[mid]! * d + dim]!;
    this.left[node] = this.build(x, perm, s, mid, leafSize);
    this.right[node] = this.build(x, perm, mid, e, leafSize);
    return node;
  }

  /**
   * The k nearest points of each of the m query rows of q (m×d): an m×k Int32Array of point indices,
   * each row ordered by (squared distance, index) ascending. Requires 1 ≤ k ≤ n.
   */
  query(q: Float64Array, m: number, k: number): Int32Array {
    const d = this.d;
    if (!(Number.isInteger(k) && k >= 1 && k <= this.n)) {
      throw new RangeError(`KdTree.query: k must be an integer in [1, ${this.n}]. Got ${k}`);
    }
    const out = new Int32Array(m * k);
    this.k = k;
    this.bd = new Float64Array(k);
    this.bi = new Int32Array(k);
    const { qv, off, bd, bi } = this;
    // Answer queries in the order of the leaf each falls in, so that consecutive queries scan the same
    // points while they are still in cache (results do not depend on the order).
    const order = this.leafOrder(q, m);
    for (let t = 0; t < m; t++) {
      const qi = order[t]!;
      for (let j = 0; j < d; j++) qv[j] = q[qi * d + j]!;
      off.fill(0);
      bd.fill(Number.POSITIVE_INFINITY);
      bi.fill(0x7fffffff);
      this.search(0, 0);
      out.set(bi, qi * k);
    }
    return out;
  }

  /** Query row indices sorted by the leaf their descent reaches (ties by row index). */
  private leafOrder(q: Float64Array, m: number): Int32Array {
    const d = this.d;
    const leafOf = new Int32Array(m);
    for (let i = 0; i < m; i++) {
      let node = 0;
      let dim = this.splitDim[0]!;
      while (dim >= 0) {
        node = q[i * d + dim]! < this.splitVal[node]! ? this.left[node]! : this.right[node]!;
        dim = this.splitDim[node]!;
      }
      leafOf[i] = node;
    }
    // Counting sort by leaf (node ids < number of nodes).
    const counts = new Int32Array(this.nodes + 1);
    for (let i = 0; i < m; i++) counts[leafOf[i]! + 1]!++;
    for (let v = 0; v < this.nodes; v++) counts[v + 1]! += counts[v]!;
    const order = new Int32Array(m);
    for (let i = 0; i < m; i++) order[counts[leafOf[i]!]!++] = i;
    return order;
  }

  /** Visits `node`, whose cell is at squared distance ≥ rd (off holds the per-dimension offsets). */
  private search(node: number, rd: number): void {
    const dim = this.splitDim[node]!;
    if (dim < 0) {
      this.scanLeaf(node);
      return;
    }
    const qv = this.qv;
    const off = this.off;
    const diff = qv[dim]! - this.splitVal[node]!;
    const near = diff < 0 ? this.left[node]! : this.right[node]!;
    const far = diff < 0 ? this.right[node]! : this.left[node]!;
    this.search(near, rd);
    const old = off[dim]!;
    const rdFar = rd - old * old + diff * diff;
    if (rdFar > this.bd[this.k - 1]! * (1 + 1e-9)) return;
    off[dim] = diff;
    this.search(far, rdFar);
    off[dim] = old;
  }

  private scanLeaf(node: number): void {
    const { d, pts, orig, qv, bd, bi, k } = this;
    let worst = bd[k - 1]!;
    if (worst !== Number.POSITIVE_INFINITY && boxDist(qv, this.lo, this.hi, node * d, d) > worst) return;
    const d4 = d - (d % 4);
    for (let p = this.start[node]!, pe = this.end[node]!; p < pe; p++) {
      const po = p * d;
      // Squared distance summed in dimension order, abandoned once above the k-th best (partial sums
      // only grow).
      let dist = 0;
      let j = 0;
      for (; j < d4; j += 4) {
        const t0 = qv[j]! - pts[po + j]!;
        const t1 = qv[j + 1]! - pts[po + j + 1]!;
        const t2 = qv[j + 2]! - pts[po + j + 2]!;
        const t3 = qv[j + 3]! - pts[po + j + 3]!;
        dist += t0 * t0;
        dist += t1 * t1;
        dist += t2 * t2;
        dist += t3 * t3;
        if (dist > worst) break;
      }
      if (dist > worst) continue;
      for (; j < d; j++) {
        const t = qv[j]! - pts[po + j]!;
        dist += t * t;
      }
      if (dist > worst) continue;
      const id = orig[p]!;
      if (dist === worst && id > bi[k - 1]!) continue;
      let i = k - 1;
      while (i > 0 && (bd[i - 1]! > dist || (bd[i - 1] === dist && bi[i - 1]! > id))) {
        bd[i] = bd[i - 1]!;
        bi[i] = bi[i - 1]!;
        i--;
      }
      bd[i] = dist;
      bi[i] = id;
      worst = bd[k - 1]!;
    }
  }
}

/** Squared distance from q[0..d) to the box [lo, hi] at offset o, summed in dimension order. */
function boxDist(q: Float64Array, lo: Float64Array, hi: Float64Array, o: number, d: number): number {
  let s = 0;
  for (let j = 0; j < d; j++) {
    const v = q[j]!;
    const a = lo[o + j]!;
    if (v < a) {
      const t = v - a;
      s += t * t;
    } else {
      const b = hi[o + j]!;
      if (v > b) {
        const t = v - b;
        s += t * t;
      }
    }
  }
  return s;
}

/** Reorders perm[l..r] so that perm[kth] holds the point whose coordinate `dim` ranks kth (Hoare). */
function select(x: Float64Array, d: number, dim: number, perm: Int32Array, l: number, r: number, kth: number): void {
  while (r > l) {
    const pivot = x[perm[(l + r) >>> 1]! * d + dim]!;
    let i = l;
    let j = r;
    while (i <= j) {
      while (x[perm[i]! * d + dim]! < pivot) i++;
      while (x[perm[j]! * d + dim]! > pivot) j--;
      if (i <= j) {
        const t = perm[i]!;
        perm[i] = perm[j]!;
        perm[j] = t;
        i++;
        j--;
      }
    }
    if (kth <= j) r = j;
    else if (kth >= i) l = i;
    else return;
  }
}
