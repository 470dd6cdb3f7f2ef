import { sortFloat64 } from './sort-float64.js';
import { checkBothClasses, checkSameLength, labelError, nanScoreError, type Scores } from './validate.js';

/**
 * The full ROC curve of a membership score: one point per distinct threshold, no thinning.
 *
 * Point i says "predict member iff score ≥ thresholds[i]". Points are in order of decreasing threshold, so
 * fpr, tpr, tp and fp are non-decreasing. Point 0 is (0, 0) with threshold +Infinity ("predict no one"
 * — also when some scores are +Infinity, whose own point follows with threshold +Infinity); the last point
 * is (1, 1) at the smallest score. Equal scores (ties; −0 and +0 are equal) form a single point, so a tie
 * between members and non-members is a diagonal step.
 */
export interface RocCurve {
  /** False positive rate fp / nNonMembers at each point. */
  fpr: Float64Array;
  /** True positive rate tp / nMembers at each point. */
  tpr: Float64Array;
  /** Decreasing thresholds; thresholds[0] = +Infinity, then each distinct score from the highest (−0 as +0). */
  thresholds: Float64Array;
  /** Members with score ≥ threshold (integer counts). */
  tp: Float64Array;
  /** Non-members with score ≥ threshold (integer counts). */
  fp: Float64Array;
  nMembers: number;
  nNonMembers: number;
}

/**
 * The ROC curve of `scores` (higher = more likely a member) against `isMember` (1 member, 0 non-member):
 * exactly sklearn.metrics.roc_curve(isMember, scores, drop_intermediate=False) of scikit-learn ≥ 1.3
 * (same points, same fpr/tpr doubles since both divide the same integer counts, thresholds[0] = +inf), plus
 * the counts. Unlike sklearn, ±Infinity scores are accepted and ordered.
 *
 * Cost: one O(n) pass that validates and splits the scores by class, a radix sort of each class, and one
 * merge that groups ties. Memory: the result only (5 arrays of n + 1 doubles, which also serve as the
 * work space; trimmed to distinct scores + 1 when ties make that much shorter).
 *
 * Throws E_SHAPE_MISMATCH (lengths differ), E_NOT_FINITE (a NaN score), E_LABEL_RANGE (isMember not 0/1),
 * E_EMPTY (no members or no non-members).
 */
export function rocCurve(scores: Scores, isMember: Uint8Array): RocCurve {
  checkSameLength(scores, isMember);
  const n = scores.length;
  // Layout (no work arrays beyond the result): members are collected at the end of `fp`, non-members at
  // the end of `thresholds`, each sorted in descending order there with `tp` as radix scratch; the merge
  // then writes point k at index k, which never overtakes the unread part of either run (point k has
  // consumed at least k scores).
  const cap = n + 1;
  const thresholds = new Float64Array(cap);
  const tp = new Float64Array(cap);
  const fp = new Float64Array(cap);
  let top = n;
  let topNon = n;
  for (let i = 0; i < n; i++) {
    const s = scores[i]!;
    const m = isMember[i]!;
    if (Number.isNaN(s)) throw nanScoreError(i);
    if (m === 1) fp[top--] = s;
    else if (m === 0) thresholds[topNon--] = s;
    else throw labelError(i, m);
  }
  const nMembers = n - top;
  const nNonMembers = n - topNon;
  checkBothClasses(nMembers, nNonMembers);
  const members = fp.subarray(top + 1);
  const nonMembers = thresholds.subarray(topNon + 1);
  sortFloat64(members, tp, true);
  sortFloat64(nonMembers, tp, true);
  return merge(members, top + 1, nonMembers, topNon + 1, thresholds, tp, fp);
}

/**
 * Merges the descending runs `members` (= fp[mOff…]) and `nonMembers` (= thresholds[nOff…]) into the
 * ROC points, one per distinct value, writing point k at index k of thresholds, tp, fp, fpr and tpr.
 */
function merge(
  members: Float64Array,
  mOff: number,
  nonMembers: Float64Array,
  nOff: number,
  thresholds: Float64Array,
  tp: Float64Array,
  fp: Float64Array,
): RocCurve {
  const nMembers = members.length;
  const nNonMembers = nonMembers.length;
  const cap = thresholds.length;
  const fpr = new Float64Array(cap);
  const tpr = new Float64Array(cap);
  // Read positions in the shared arrays: fp[mOff + i] and thresholds[nOff + j].
  const mEnd = mOff + nMembers;
  const nEnd = nOff + nNonMembers;
  let i = mOff;
  let j = nOff;
  let k = 0;
  let t = 0;
  let f = 0;
  thresholds[0] = Number.POSITIVE_INFINITY;
  tp[0] = 0;
  fp[0] = 0;
  while (i < mEnd || j < nEnd) {
    // The next threshold is the larger head; ties (===, so −0 equals +0) join it.
    const a = i < mEnd ? fp[i]! : Number.NEGATIVE_INFINITY;
    const b = j < nEnd ? thresholds[j]! : Number.NEGATIVE_INFINITY;
    let v: number;
    if (a > b || j === nEnd) {
      v = a;
      t++;
      i++;
      while (i < mEnd && fp[i] === v) {
        t++;
        i++;
      }
      while (j < nEnd && thresholds[j] === v) {
        f++;
        j++;
      }
    } else {
      v = b;
      f++;
      j++;
      while (j < nEnd && thresholds[j] === v) {
        f++;
        j++;
      }
      while (i < mEnd && fp[i] === v) {
        t++;
        i++;
      }
    }
    k++;
    thresholds[k] = v + 0; // −0 → +0
    tp[k] = t;
    fp[k] = f;
    tpr[k] = t / nMembers;
    fpr[k] = f / nNonMembers;
  }
  const points = k + 1;
  return {
    fpr: shrink(fpr, points),
    tpr: shrink(tpr, points),
    thresholds: shrink(thresholds, points),
    tp: shrink(tp, points),
    fp: shrink(fp, points),
    nMembers,
    nNonMembers,
  };
}

/** The first `len` entries: a view when little is wasted, else a compact copy that frees the rest. */
function shrink(a: Float64Array, len: number): Float64Array {
  if (len === a.length) return a;
  return len >= 0.9 * a.length ? a.subarray(0, len) : a.slice(0, len);
}

// Kept for callers that import the PPV beside the curve (test/attacks/tfp-parity.test.ts); its home is ppv.ts.
