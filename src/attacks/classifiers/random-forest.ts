import type { Rng } from '../../rng.js';
import { binFeatures, binOf } from './binning.js';
import type { BinaryClassifier } from './classifier.js';
import { checkFitArgs, checkPredictArgs } from './validate.js';

/** Options of {@link RandomForest}. */
export interface RandomForestOptions {
  /** Number of trees (default 100, TF Privacy's n_estimators). */
  nTrees?: number;
  /** Features drawn per split (default ⌊√d⌋, at least 1 — sklearn's max_features='sqrt'). */
  maxFeatures?: number;
  /** Fewest distinct training rows in a leaf (default 4, in TF Privacy's grid {1, 2, 4}). */
  minSamplesLeaf?: number;
  /** Deepest node depth, root = 0 (default unlimited, TF Privacy's grid point None). */
  maxDepth?: number;
  /** Histogram bins per feature, 2..256 (default 256). */
  maxBins?: number;
}

/**
 * One tree, as the node arrays its walk reads. Node k: walk[2k] = (feature << 8) | bin and walk[2k + 1]
 * = its left child; a row goes left when its bin code of that feature is ≤ bin (x ≤ edges[feature][bin]),
 * else to left + 1. A leaf points to itself with bin 255 (every code is ≤ 255), so a walk that reaches
 * it stays; leaf[k] = 1 marks it and value[k] holds its P(class 1).
 */
interface Tree {
  walk: Int32Array;
  leaf: Uint8Array;
  value: Float64Array;
}

/** walk[2k] of a leaf: feature 0, bin 255. */
const LEAF = 255;

/**
 * A random forest of Gini-split classification trees on bootstrap samples — sklearn's
 * `RandomForestClassifier(n_estimators=100, max_features='sqrt', min_samples_leaf=4)`, the model of TF
 * Privacy's RandomForestAttacker (which grid-searches depth, leaf and split sizes by 3-fold CV; our
 * defaults are points of that grid).
 *
 * Splits are searched on quantile-binned features (≤ 256 bins, see binning.ts), which is what makes
 * growing fast on 10⁵ rows: one histogram pass per node and feature instead of a sort. A split sends
 * x ≤ threshold left, thresholds being bin edges (midpoints between training values). As in sklearn,
 * each tree's bootstrap is held as per-row multiplicities (weights), features are drawn without
 * replacement until `maxFeatures` non-constant ones have been tried, ties between equally good splits
 * go to the feature drawn first and then to the lower threshold, and `predictProba` is the mean over
 * trees of the weighted fraction of class 1 in the leaf reached. Seeded: tree t draws from its own
 * `rng.fork()`.
 */
export class RandomForest implements BinaryClassifier {
  private readonly nTrees: number;
  private readonly maxFeatures: number | undefined;
  private readonly minLeaf: number;
  private readonly maxDepth: number;
  private readonly maxBins: number;
  private trees: Tree[] = [];
  private edges: Float64Array[] = [];
  private d = 0;

  constructor(options: RandomForestOptions = {}) {
    this.nTrees = options.nTrees ?? 100;
    this.maxFeatures = options.maxFeatures;
    this.minLeaf = options.minSamplesLeaf ?? 4;
    this.maxDepth = options.maxDepth ?? Number.POSITIVE_INFINITY;
    this.maxBins = options.maxBins ?? 256;
    if (!Number.isInteger(this.nTrees) || this.nTrees < 1) {
      throw new RangeError(`RandomForest: nTrees must be a positive integer. Got ${this.nTrees}`);
    }
    if (!Number.isInteger(this.minLeaf) || this.minLeaf < 1) {
      throw new RangeError(`RandomForest: minSamplesLeaf must be a positive integer. Got ${this.minLeaf}`);
    }
  }

  /** Node count of each tree (for tests and diagnostics). */
  get nodeCounts(): number[] {
    return this.trees.map((t) => t.value.length);
  }

  /** Depth of each tree: its deepest leaf, the root being depth 0 (for tests and diagnostics). */
  get depths(): number[] {
    return this.trees.map(({ walk, leaf }) => {
      const depth = new Int32Array(leaf.length); // children come after their parent
      let deepest = 0;
      for (let k = 0; k < leaf.length; k++) {
        deepest = Math.max(deepest, depth[k]!);
        if (leaf[k] === 0) {
          const l = walk[2 * k + 1]!;
          depth[l] = depth[k]! + 1;
          depth[l + 1] = depth[k]! + 1;
        }
      }
      return deepest;
    });
  }

  fit(x: Float64Array, n: number, d: number, y: Uint8Array, rng: Rng): void {
    checkFitArgs('RandomForest', x, n, d, y);
    this.d = d;
    const mtry = Math.min(d, Math.max(1, this.maxFeatures ?? Math.floor(Math.sqrt(d))));
    const { edges, codes } = binFeatures(x, n, d, this.maxBins);
    this.edges = edges;
    const g = new Grower(codes, n, d, y, mtry, this.minLeaf, this.maxDepth);
    this.trees = [];
    for (let t = 0; t < this.nTrees; t++) this.trees.push(g.grow(rng.fork()));
  }

  predictProba(x: Float64Array, m: number, d: number): Float64Array {
    if (this.trees.length === 0) throw new Error('RandomForest: predictProba before fit');
    checkPredictArgs('RandomForest', x, m, d, this.d);
    // Rows are walked on their bin codes under the training edges: x ≤ edges[b] exactly when
    // binOf(x) ≤ b, so each row reaches the leaf a walk on x itself would.
    const codes = new Uint8Array(m * d);
    for (let j = 0; j < d; j++) {
      const e = this.edges[j]!;
      for (let o = j; o < m * d; o += d) codes[o] = binOf(e, x[o]!);
    }
    const out = new Float64Array(m);
    const m4 = m - (m % 4);
    for (const { walk, leaf, value } of this.trees) {
      // Four walks at a time, without branches on the direction: their chains of dependent reads
      // overlap, several times faster than one walk after another.
      for (let i = 0; i < m4; i += 4) {
        const o0 = i * d;
        const o1 = o0 + d;
        const o2 = o1 + d;
        const o3 = o2 + d;
        let a = 0;
        let b = 0;
        let c = 0;
        let e = 0;
        while ((leaf[a]! & leaf[b]! & leaf[c]! & leaf[e]!) === 0) {
          let v = walk[2 * a]!;
          a = walk[2 * a + 1]! + (((v & 255) - codes[o0 + (v >> 8)]!) >>> 31);
          v = walk[2 * b]!;
          b = walk[2 * b + 1]! + (((v & 255) - codes[o1 + (v >> 8)]!) >>> 31);
          v = walk[2 * c]!;
          c = walk[2 * c + 1]! + (((v & 255) - codes[o2 + (v >> 8)]!) >>> 31);
          v = walk[2 * e]!;
          e = walk[2 * e + 1]! + (((v & 255) - codes[o3 + (v >> 8)]!) >>> 31);
        }
        out[i]! += value[a]!;
        out[i + 1]! += value[b]!;
        out[i + 2]! += value[c]!;
        out[i + 3]! += value[e]!;
      }
      for (let i = m4; i < m; i++) {
        const o = i * d;
        let a = 0;
        while (leaf[a] === 0) {
          const v = walk[2 * a]!;
          a = walk[2 * a + 1]! + (((v & 255) - codes[o + (v >> 8)]!) >>> 31);
        }
        out[i]! += value[a]!;
      }
    }
    const k = 1 / this.trees.length;
    for (let i = 0; i < m; i++) out[i]! *= k;
    return out;
  }
}

/** Grows trees over fixed binned data, reusing its scratch buffers across trees. */
class Grower {
  // The in-bag rows, partitioned node by node: a node owns positions [start, end). Each position holds
  // the row's d bin codes, its bootstrap multiplicity and its label, moved together by partitioning so
  // that histogram passes read memory in order.
  private readonly rc: Uint8Array; // row r's codes at r·stride .. r·stride + d
  private readonly rcw: Uint32Array; // the same memory as 32-bit words, for fast row swaps
  private readonly words: number; // stride / 4
  private readonly pw: Int32Array;
  private readonly py: Uint8Array;
  // Histograms of up to d features at once: slot s, bin b at s·256 + b.
  private readonly hw: Int32Array; // weight
  private readonly hp: Int32Array; // class-1 weight
  private readonly hc: Int32Array; // distinct rows
  private readonly occ: Int32Array; // per slot, a 256-bit map of occupied bins (8 words)
  private readonly features: Int32Array;
  // Node arrays (capacity 2n), sliced per tree.
  private readonly nWalk: Int32Array;
  private readonly nValue: Float64Array;
  // Pending nodes: (node, start, end, depth, weight, class-1 weight) each.
  private readonly stack: Float64Array;

  constructor(
    private readonly codes: Uint8Array,
    private readonly n: number,
    private readonly d: number,
    private readonly y: Uint8Array,
    private readonly mtry: number,
    private readonly minLeaf: number,
    private readonly maxDepth: number,
  ) {
    this.words = Math.ceil(d / 4);
    this.rcw = new Uint32Array(n * this.words);
    this.rc = new Uint8Array(this.rcw.buffer);
    this.pw = new Int32Array(n);
    this.py = new Uint8Array(n);
    this.hw = new Int32Array(256 * d);
    this.hp = new Int32Array(256 * d);
    this.hc = new Int32Array(256 * d);
    this.occ = new Int32Array(8 * d);
    this.features = new Int32Array(d);
    const cap = 2 * n + 1;
    this.nWalk = new Int32Array(2 * cap);
    this.nValue = new Float64Array(cap);
    this.stack = new Float64Array(6 * (n + 2)); // DFS keeps ≤ depth + 1 ≤ n + 1 pending nodes
  }

  grow(rng: Rng): Tree {
    const { n, d, y, codes, rc, rcw, words, pw, py, hw, hp, hc, occ } = this;
    const stride = 4 * words;
    // Bootstrap: n draws with replacement, held as multiplicities of the distinct rows drawn.
    const weight = new Int32Array(n);
    for (let i = 0; i < n; i++) weight[rng.int(n)]!++;
    let nIn = 0;
    let wRoot = 0;
    let pRoot = 0;
    for (let i = 0; i < n; i++) {
      const w = weight[i]!;
      if (w === 0) continue;
      rc.set(codes.subarray(i * d, i * d + d), nIn * stride);
      pw[nIn] = w;
      py[nIn++] = y[i]!;
      wRoot += w;
      pRoot += w * y[i]!;
    }

    let nodes = 1;
    let sp = 0;
    const stack = this.stack;
    const push = (node: number, start: number, end: number, depth: number, w: number, pos: number) => {
      stack[sp++] = node;
      stack[sp++] = start;
      stack[sp++] = end;
      stack[sp++] = depth;
      stack[sp++] = w;
      stack[sp++] = pos;
    };
    push(0, 0, nIn, 0, wRoot, pRoot);
    const minLeaf = this.minLeaf;
    const feats = this.features;
    while (sp > 0) {
      sp -= 6;
      const node = stack[sp]!;
      const start = stack[sp + 1]!;
      const end = stack[sp + 2]!;
      const depth = stack[sp + 3]!;
      const wTot = stack[sp + 4]!;
      const pTot = stack[sp + 5]!;
      const count = end - start;
      this.nValue[node] = pTot / wTot;
      this.nWalk[2 * node] = LEAF;
      this.nWalk[2 * node + 1] = node;
      if (pTot === 0 || pTot === wTot || count < 2 * minLeaf || depth >= this.maxDepth) continue;

      // Draw features without replacement until mtry non-constant ones have been tried; the
      // histograms of each draw batch are built in one pass over the node's rows.
      for (let j = 0; j < d; j++) feats[j] = j;
      let bestScore = Number.NEGATIVE_INFINITY;
      let bestFeature = -1;
      let bestBin = -1;
      let bestW = 0;
      let bestP = 0;
      let tried = 0;
      let drawn = 0;
      while (tried < this.mtry && drawn < d) {
        const first = drawn;
        const want = Math.min(this.mtry - tried, d - drawn);
        for (let q = 0; q < want; q++, drawn++) {
          const pick = drawn + rng.int(d - drawn);
          const f = feats[pick]!;
          feats[pick] = feats[drawn]!;
          feats[drawn] = f;
        }
        for (let s = 0, h = 0; s < want; s++, h += 256) {
          // One pass per feature (a strided read of rc; the histograms stay in L1). Occupied bins are
          // marked in a 256-bit map, which later yields them in ascending order without a sort.
          const m0 = s << 3;
          for (let k = start, o = start * stride + feats[first + s]!; k < end; k++, o += stride) {
            const c = rc[o]!;
            const b = h + c;
            const w = pw[k]!;
            occ[m0 + (c >>> 5)]! |= 1 << (c & 31);
            hc[b]!++;
            hw[b]! += w;
            hp[b]! += w * py[k]!;
          }
        }
        for (let s = 0, h = 0; s < want; s++, h += 256) {
          const f = feats[first + s]!;
          // Scan occupied bins in ascending order, clearing them; a feature with one bin is constant.
          let wl = 0;
          let pl = 0;
          let cl = 0;
          let first1 = true;
          for (let wi = 0, m0 = s << 3; wi < 8; wi++) {
            let word = occ[m0 + wi]!;
            if (word === 0) continue;
            occ[m0 + wi] = 0;
            while (word !== 0) {
              const low = word & -word;
              word ^= low;
              const bin = (wi << 5) + 31 - Math.clz32(low);
              const b = h + bin;
              const c = hc[b]!;
              const bw = hw[b]!;
              const bp = hp[b]!;
              hc[b] = 0;
              hw[b] = 0;
              hp[b] = 0;
              if (first1) {
                first1 = false;
                if (c < count) tried++;
              }
              cl += c;
              wl += bw;
              pl += bp;
              if (cl < minLeaf || count - cl < minLeaf) continue;
              const wr = wTot - wl;
              const pr = pTot - pl;
              const nl = wl - pl;
              const nr = wr - pr;
              const score = (pl * pl + nl * nl) / wl + (pr * pr + nr * nr) / wr;
              if (score > bestScore) {
                bestScore = score;
                bestFeature = f;
                bestBin = bin;
                bestW = wl;
                bestP = pl;
              }
            }
          }
        }
      }
      if (bestFeature < 0) continue;

      // Partition [start, end) into bin ≤ bestBin, then the rest (codes, weight, label move together).
      let i = start;
      let j = end - 1;
      while (i <= j) {
        if (rc[i * stride + bestFeature]! <= bestBin) i++;
        else {
          for (let a = i * words, b = j * words, e = a + words; a < e; a++, b++) {
            const t = rcw[a]!;
            rcw[a] = rcw[b]!;
            rcw[b] = t;
          }
          const tw = pw[i]!;
          pw[i] = pw[j]!;
          pw[j] = tw;
          const ty = py[i]!;
          py[i] = py[j]!;
          py[j] = ty;
          j--;
        }
      }
      const l = nodes++;
      const r = nodes++;
      this.nWalk[2 * node] = (bestFeature << 8) | bestBin;
      this.nWalk[2 * node + 1] = l; // r = l + 1
      // Push right then left so the left subtree is grown first.
      push(r, i, end, depth + 1, wTot - bestW, pTot - bestP);
      push(l, start, i, depth + 1, bestW, bestP);
    }
    const walk = this.nWalk.slice(0, 2 * nodes);
    const leaf = new Uint8Array(nodes);
    for (let k = 0; k < nodes; k++) leaf[k] = walk[2 * k + 1] === k ? 1 : 0; // inner nodes point forward
    return { walk, leaf, value: this.nValue.slice(0, nodes) };
  }
}
