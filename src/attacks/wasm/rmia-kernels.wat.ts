/**
 * The RMIA kernels in the WebAssembly text format. `npm run build:wasm` assembles RMIA_KERNELS with wabt
 * into kernels.generated.ts, which the engine (../rmia-engine.ts) instantiates; the constants below are
 * baked into the text, so changing one means rebuilding (test/attacks/wasm-kernels.test.ts checks that
 * the embedded bytes match this text).
 */

/** Bounds of the range of t = x / γ in which the lookup's fast path applies (else the exact search). */
const SAFE_MIN = 1e-280;
const SAFE_MAX = 1e280;
/** Relative margin beyond which the float64 predicate x / s > γ is decided by s < x / γ alone. */
const DELTA = 1e-12;
/** Buckets with at least this many values are sorted natively, smaller ones by one insertion pass. */
export const LARGE_BUCKET = 17;

/**
 * ratios_<t>(n, R, stride, sig, keep, mask, target, out, c1, c0): for the samples i in [0, n) of a block
 * (four per step; the caller pads n up to a multiple of 4 with valid samples), with the R reference rows
 * at sig + r·stride (element type t) and keep + r·stride (u8):
 *   out[i] = (0 + target[i]) / (c1 · (acc / c) + c0),  acc = ((0 + w_0) + w_1) + …,  c = |{ r : OUT }|,
 *   w_r = v_r when reference r counts (OUT: keep_r[i] & mask = 0), else +0
 * — the float64 operations of rmiaMeans + ratiosFromMeans in the same order (skipping an IN reference
 * there, adding +0 here: the same bits). w_r is v_r AND-ed with an all-ones / all-zeros lane mask.
 * Returns −1, or the first index of a step (of four) in which a value lies outside [0, 1] (NaN included)
 * or c = 0, writing nothing for that step.
 */
function ratiosKernelText(t: 'f32' | 'f64'): string {
  // v01, v23: the values of samples i, i+1 and i+2, i+3 of one reference row as f64x2
  const loads =
    t === 'f64'
      ? `(local.set $v01 (v128.load (local.get $sp)))
          (local.set $v23 (v128.load offset=16 (local.get $sp)))`
      : `(local.set $v01 (v128.load (local.get $sp)))
          (local.set $v23 (f64x2.promote_low_f32x4
            (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $v01) (local.get $v01))))
          (local.set $v01 (f64x2.promote_low_f32x4 (local.get $v01)))`;
  const size = t === 'f64' ? 3 : 2;
  const check = (v: string) =>
    `(v128.and (f64x2.ge (local.get ${v}) (local.get $zero)) (f64x2.le (local.get ${v}) (local.get $one)))`;
  const ratio = (
    acc: string,
    cnt: string,
    p: string,
  ) => `(f64x2.div (f64x2.add (local.get $zero) (local.get ${p}))
            (f64x2.add (f64x2.mul (local.get $C1)
                                  (f64x2.div (local.get ${acc})
                                             (f64x2.convert_low_i32x4_s
                                               (i8x16.shuffle 0 1 2 3 8 9 10 11 0 1 2 3 8 9 10 11 (local.get ${cnt}) (local.get ${cnt})))))
                       (local.get $C0)))`;
  return `
  (func $ratios_${t} (export "ratios_${t}")
    (param $n i32) (param $R i32) (param $stride i32) (param $sig i32) (param $keep i32) (param $mask i32)
    (param $target i32) (param $out i32) (param $c1 f64) (param $c0 f64) (result i32)
    (local $i i32) (local $r i32) (local $sp i32) (local $kp i32) (local $rowBytes i32)
    (local $acc01 v128) (local $acc23 v128) (local $cnt01 v128) (local $cnt23 v128) (local $v01 v128) (local $v23 v128)
    (local $m v128) (local $m01 v128) (local $m23 v128) (local $ok v128) (local $p01 v128) (local $p23 v128)
    (local $maskv v128) (local $zero v128) (local $one v128) (local $C1 v128) (local $C0 v128)
    (local.set $maskv (i8x16.splat (local.get $mask)))
    (local.set $zero (f64x2.splat (f64.const 0)))
    (local.set $one (f64x2.splat (f64.const 1)))
    (local.set $C1 (f64x2.splat (local.get $c1)))
    (local.set $C0 (f64x2.splat (local.get $c0)))
    (local.set $rowBytes (i32.shl (local.get $stride) (i32.const ${size})))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $p01 (v128.load (i32.add (local.get $target) (i32.shl (local.get $i) (i32.const 3)))))
        (local.set $p23 (v128.load offset=16 (i32.add (local.get $target) (i32.shl (local.get $i) (i32.const 3)))))
        (local.set $ok (v128.and ${check('$p01')} ${check('$p23')}))
        (local.set $acc01 (local.get $zero))
        (local.set $acc23 (local.get $zero))
        (local.set $cnt01 (local.get $zero))
        (local.set $cnt23 (local.get $zero))
        (local.set $sp (i32.add (local.get $sig) (i32.shl (local.get $i) (i32.const ${size}))))
        (local.set $kp (i32.add (local.get $keep) (local.get $i)))
        (local.set $r (local.get $R))
        (loop $row
          ${loads}
          (local.set $ok (v128.and (local.get $ok) (v128.and ${check('$v01')} ${check('$v23')})))
          ;; byte masks 0xff where keep & mask = 0 (OUT), widened to 8 bytes per sample
          (local.set $m (i8x16.eq (v128.and (v128.load32_splat (local.get $kp)) (local.get $maskv)) (local.get $zero)))
          (local.set $m01 (i8x16.shuffle 0 0 0 0 0 0 0 0 1 1 1 1 1 1 1 1 (local.get $m) (local.get $m)))
          (local.set $m23 (i8x16.shuffle 2 2 2 2 2 2 2 2 3 3 3 3 3 3 3 3 (local.get $m) (local.get $m)))
          (local.set $acc01 (f64x2.add (local.get $acc01) (v128.and (local.get $v01) (local.get $m01))))
          (local.set $acc23 (f64x2.add (local.get $acc23) (v128.and (local.get $v23) (local.get $m23))))
          (local.set $cnt01 (i64x2.sub (local.get $cnt01) (local.get $m01)))
          (local.set $cnt23 (i64x2.sub (local.get $cnt23) (local.get $m23)))
          (local.set $sp (i32.add (local.get $sp) (local.get $rowBytes)))
          (local.set $kp (i32.add (local.get $kp) (local.get $stride)))
          (br_if $row (local.tee $r (i32.sub (local.get $r) (i32.const 1)))))
        ;; every value in [0, 1] and every count > 0
        (if (i32.eqz (i32.and (i32.and (i64x2.all_true (local.get $ok)) (i64x2.all_true (local.get $cnt01)))
                              (i64x2.all_true (local.get $cnt23))))
          (then (return (local.get $i))))
        (v128.store (i32.add (local.get $out) (i32.shl (local.get $i) (i32.const 3))) ${ratio('$acc01', '$cnt01', '$p01')})
        (v128.store offset=16 (i32.add (local.get $out) (i32.shl (local.get $i) (i32.const 3))) ${ratio('$acc23', '$cnt23', '$p23')})
        (local.set $i (i32.add (local.get $i) (i32.const 4)))
        (br $next)))
    (i32.const -1))`;
}

const LOW_F = String(1 - DELTA);
const HIGH_F = String(1 + DELTA);

/**
 * Part of bucketize (below), for both of its passes over the population: $v = zr[k]; when it is
 * finite, $b = its bucket, $a → start[$b], then `body`.
 */
function withBucketOfZ(body: string): string {
  return `(local.set $v (f64.load (i32.add (local.get $zr) (i32.shl (local.get $k) (i32.const 3)))))
      (if (f64.lt (local.get $v) (f64.const inf))
        (then
          (local.set $f (f64.mul (f64.sub (local.get $v) (local.get $min)) (local.get $inv)))
          (local.set $b (select (local.get $last) (i32.trunc_sat_f64_s (local.get $f)) (f64.ge (local.get $f) (local.get $lastF))))
          (local.set $a (i32.add (local.get $start) (i32.shl (local.get $b) (i32.const 2))))
          ${body}))`;
}

/**
 * The module: ratios_f64, ratios_f32 (above) and
 *   lookup(n, xs, out, s, start, min, inv, last, zn, gamma, ginv, slow): out[i] = count(xs[i]) / zn for
 *   i in [0, n) (two per step; an odd n reads one padded x; ginv = 1/γ when x · ginv is exactly x / γ,
 *   else 0; slow: room for the pairs left to the exact path), count as in rmiaCountScores over the sorted index
 *   (s with sentinels, bucket starts, bucket(v) = clamp(trunc((v − min)·inv), 0, last)). The SIMD step
 *   takes, per sample, its bucket's start k and s[k−1 … k+2] (the value below the bucket and the first
 *   three from it); when neither of the first two from k lies in t·(1 ± δ), the one below is under
 *   t(1 − δ) and the third is above t(1 + δ), the count is k plus those of the first two below t. Else
 *   $one scans the bucket and checks the two neighbours, and $exact binary-searches the exact predicate.
 *   Returns −1, or the first pair index holding a negative x (nothing computed for it).
 */
export const RMIA_KERNELS = `(module
  (memory (export "memory") 1)
  ${ratiosKernelText('f64')}
  ${ratiosKernelText('f32')}
  ;; bucket sort, first part (the caller zeroes start[0..nb)): bucket sizes of the finite values at zr,
  ;; the start of every bucket, and the values scattered to their buckets (sorted position p at
  ;; s + 8 + 8p). bucket(v) = f ≥ last ? last : trunc(f), f = (v − min)·inv ≥ 0 (the lookup's clamp
  ;; gives the same). Returns the number of buckets reaching ${LARGE_BUCKET} values, listed at $large (the
  ;; caller sorts those).
  (func $bucketize (export "bucketize")
    (param $zn i32) (param $zr i32) (param $s i32) (param $start i32) (param $nb i32) (param $min f64)
    (param $inv f64) (param $fin i32) (param $large i32) (result i32)
    (local $k i32) (local $b i32) (local $c i32) (local $a i32) (local $nl i32) (local $sum i32)
    (local $v f64) (local $f f64) (local $last i32) (local $lastF f64)
    (local.set $last (i32.sub (local.get $nb) (i32.const 1)))
    (local.set $lastF (f64.convert_i32_s (local.get $last)))
    (block $done (loop $next
      (br_if $done (i32.ge_u (local.get $k) (local.get $zn)))
      ${withBucketOfZ(`(local.set $c (i32.add (i32.load (local.get $a)) (i32.const 1)))
          (i32.store (local.get $a) (local.get $c))
          (if (i32.eq (local.get $c) (i32.const ${LARGE_BUCKET}))
            (then
              (i32.store (i32.add (local.get $large) (i32.shl (local.get $nl) (i32.const 2))) (local.get $b))
              (local.set $nl (i32.add (local.get $nl) (i32.const 1)))))`)}
      (local.set $k (i32.add (local.get $k) (i32.const 1)))
      (br $next)))
    ;; inclusive prefix sums: start[b] = end of bucket b
    (local.set $a (local.get $start))
    (local.set $c (i32.add (local.get $start) (i32.shl (local.get $nb) (i32.const 2))))
    (block $done (loop $next
      (br_if $done (i32.ge_u (local.get $a) (local.get $c)))
      (local.set $sum (i32.add (local.get $sum) (i32.load (local.get $a))))
      (i32.store (local.get $a) (local.get $sum))
      (local.set $a (i32.add (local.get $a) (i32.const 4)))
      (br $next)))
    ;; scatter from the end, so that start[b] ends at the beginning of bucket b
    (local.set $k (local.get $zn))
    (block $done (loop $next
      (br_if $done (i32.eqz (local.get $k)))
      (local.set $k (i32.sub (local.get $k) (i32.const 1)))
      ${withBucketOfZ(`(local.set $c (i32.sub (i32.load (local.get $a)) (i32.const 1)))
          (i32.store (local.get $a) (local.get $c))
          (f64.store offset=8 (i32.add (local.get $s) (i32.shl (local.get $c) (i32.const 3))) (local.get $v))`)}
      (br $next)))
    (i32.store (i32.add (local.get $start) (i32.shl (local.get $nb) (i32.const 2))) (local.get $fin))
    (local.get $nl))
  ;; bucket sort, last part: one insertion pass over the finite values s[1..fin] (s[0] = −∞ stops it);
  ;; every value moves only inside its bucket, which the caller has sorted when large
  (func $insertion (export "insertion") (param $s i32) (param $fin i32)
    (local $i i32) (local $p i32) (local $v f64) (local $w f64)
    (local.set $i (i32.const 2))
    (block $done (loop $next
      (br_if $done (i32.gt_s (local.get $i) (local.get $fin)))
      ;; p → s[i − 1]; v = s[i]
      (local.set $p (i32.add (local.get $s) (i32.shl (i32.sub (local.get $i) (i32.const 1)) (i32.const 3))))
      (local.set $v (f64.load offset=8 (local.get $p)))
      (local.set $w (f64.load (local.get $p)))
      (if (f64.gt (local.get $w) (local.get $v))
        (then
          (loop $shift
            (f64.store offset=8 (local.get $p) (local.get $w))
            (local.set $p (i32.sub (local.get $p) (i32.const 8)))
            (local.set $w (f64.load (local.get $p)))
            (br_if $shift (f64.gt (local.get $w) (local.get $v))))
          (f64.store offset=8 (local.get $p) (local.get $v))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $next))))
  ;; |{ k : x / sorted[k] > gamma }| by binary search (the predicate holds on a prefix)
  (func $exact (param $x f64) (param $s i32) (param $zn i32) (param $gamma f64) (result i32)
    (local $lo i32) (local $hi i32) (local $mid i32)
    (local.set $hi (local.get $zn))
    (block $done (loop $next
      (br_if $done (i32.ge_u (local.get $lo) (local.get $hi)))
      (local.set $mid (i32.shr_u (i32.add (local.get $lo) (local.get $hi)) (i32.const 1)))
      (if (f64.gt (f64.div (local.get $x) (f64.load offset=8 (i32.add (local.get $s) (i32.shl (local.get $mid) (i32.const 3)))))
                  (local.get $gamma))
        (then (local.set $lo (i32.add (local.get $mid) (i32.const 1))))
        (else (local.set $hi (local.get $mid))))
      (br $next)))
    (local.get $lo))
  ;; the count for one x ≥ 0 (or NaN): bucket start, scan of the bucket, neighbour check; else exact
  (func $one (param $x f64) (param $s i32) (param $start i32) (param $min f64) (param $inv f64)
             (param $last i32) (param $zn i32) (param $gamma f64) (result i32)
    (local $t f64) (local $b i32) (local $p i32)
    (local.set $t (f64.div (local.get $x) (local.get $gamma)))
    (if (i32.and (i32.and (f64.gt (local.get $t) (f64.const ${SAFE_MIN})) (f64.lt (local.get $t) (f64.const ${SAFE_MAX})))
                 (f64.lt (local.get $x) (f64.const ${SAFE_MAX})))
      (then
        (local.set $b (i32.trunc_sat_f64_s (f64.mul (f64.sub (local.get $t) (local.get $min)) (local.get $inv))))
        (local.set $b (select (i32.const 0) (local.get $b) (i32.lt_s (local.get $b) (i32.const 0))))
        (local.set $b (select (local.get $last) (local.get $b) (i32.gt_s (local.get $b) (local.get $last))))
        ;; p → s[k] with k = start[b]; advance while the next value is below t (a larger value or the
        ;; +∞ sentinel ends every bucket)
        (local.set $p (i32.add (local.get $s)
          (i32.shl (i32.load (i32.add (local.get $start) (i32.shl (local.get $b) (i32.const 2)))) (i32.const 3))))
        (block $done (loop $next
          (br_if $done (i32.eqz (f64.lt (f64.load offset=8 (local.get $p)) (local.get $t))))
          (local.set $p (i32.add (local.get $p) (i32.const 8)))
          (br $next)))
        (if (i32.and (f64.lt (f64.load (local.get $p)) (f64.mul (local.get $t) (f64.const ${LOW_F})))
                     (f64.gt (f64.load offset=8 (local.get $p)) (f64.mul (local.get $t) (f64.const ${HIGH_F}))))
          (then (return (i32.shr_u (i32.sub (local.get $p) (local.get $s)) (i32.const 3)))))))
    (call $exact (local.get $x) (local.get $s) (local.get $zn) (local.get $gamma)))
  (func $lookup (export "lookup")
    (param $n i32) (param $xs i32) (param $out i32) (param $s i32) (param $start i32)
    (param $min f64) (param $inv f64) (param $last i32) (param $zn i32) (param $gamma f64) (param $ginv f64)
    (param $slow i32) (result i32)
    (local $i i32) (local $o i32) (local $k0 i32) (local $k1 i32) (local $useMul i32) (local $ns i32)
    (local $LOWV v128) (local $HIGHV v128) (local $SMIN v128) (local $SMAX v128) (local $GINV v128)
    (local $X v128) (local $T v128) (local $TL v128) (local $TH v128) (local $B v128)
    (local $R0 v128) (local $R0b v128) (local $R1 v128) (local $R1b v128)
    (local $PV v128) (local $A v128) (local $BB v128) (local $CC v128) (local $LA v128) (local $LB v128)
    (local $MIN v128) (local $INV v128) (local $G v128) (local $LASTV v128) (local $ZN v128) (local $zero v128)
    (local.set $MIN (f64x2.splat (local.get $min)))
    (local.set $INV (f64x2.splat (local.get $inv)))
    (local.set $G (f64x2.splat (local.get $gamma)))
    (local.set $LASTV (i32x4.splat (local.get $last)))
    (local.set $ZN (f64x2.splat (f64.convert_i32_s (local.get $zn))))
    (local.set $zero (f64x2.splat (f64.const 0)))
    (local.set $LOWV (f64x2.splat (f64.const ${LOW_F})))
    (local.set $HIGHV (f64x2.splat (f64.const ${HIGH_F})))
    (local.set $SMIN (f64x2.splat (f64.const ${SAFE_MIN})))
    (local.set $SMAX (f64x2.splat (f64.const ${SAFE_MAX})))
    (local.set $GINV (f64x2.splat (local.get $ginv)))
    (local.set $useMul (f64.gt (local.get $ginv) (f64.const 0)))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $o (i32.shl (local.get $i) (i32.const 3)))
        (local.set $X (v128.load (i32.add (local.get $xs) (local.get $o))))
        ;; t = x / γ, as x · (1/γ) when that is exact (γ a power of two)
        (local.set $T (if (result v128) (local.get $useMul)
          (then (f64x2.mul (local.get $X) (local.get $GINV)))
          (else (f64x2.div (local.get $X) (local.get $G)))))
        (local.set $TL (f64x2.mul (local.get $T) (local.get $LOWV)))
        (local.set $TH (f64x2.mul (local.get $T) (local.get $HIGHV)))
        (local.set $B (i32x4.min_s (i32x4.max_s
          (i32x4.trunc_sat_f64x2_s_zero (f64x2.mul (f64x2.sub (local.get $T) (local.get $MIN)) (local.get $INV)))
          (v128.const i32x4 0 0 0 0)) (local.get $LASTV)))
        (local.set $k0 (i32.load (i32.add (local.get $start) (i32.shl (i32x4.extract_lane 0 (local.get $B)) (i32.const 2)))))
        (local.set $k1 (i32.load (i32.add (local.get $start) (i32.shl (i32x4.extract_lane 1 (local.get $B)) (i32.const 2)))))
        ;; s[k − 1], s[k] | s[k + 1], s[k + 2] of each sample (the array starts with the −∞ sentinel)
        (local.set $R0 (v128.load (i32.add (local.get $s) (i32.shl (local.get $k0) (i32.const 3)))))
        (local.set $R0b (v128.load offset=16 (i32.add (local.get $s) (i32.shl (local.get $k0) (i32.const 3)))))
        (local.set $R1 (v128.load (i32.add (local.get $s) (i32.shl (local.get $k1) (i32.const 3)))))
        (local.set $R1b (v128.load offset=16 (i32.add (local.get $s) (i32.shl (local.get $k1) (i32.const 3)))))
        (local.set $PV (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $R0) (local.get $R1)))
        (local.set $A (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $R0) (local.get $R1)))
        (local.set $BB (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $R0b) (local.get $R1b)))
        (local.set $CC (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $R0b) (local.get $R1b)))
        (local.set $LA (f64x2.lt (local.get $A) (local.get $TL)))
        (local.set $LB (f64x2.lt (local.get $BB) (local.get $TL)))
        (if (i64x2.all_true
              (v128.and
                (v128.and
                  (v128.and (f64x2.lt (local.get $PV) (local.get $TL)) (f64x2.gt (local.get $CC) (local.get $TH)))
                  (v128.and (v128.or (local.get $LA) (f64x2.gt (local.get $A) (local.get $TH)))
                            (v128.or (local.get $LB) (f64x2.gt (local.get $BB) (local.get $TH)))))
                (v128.and
                  (v128.and (f64x2.gt (local.get $T) (local.get $SMIN)) (f64x2.lt (local.get $T) (local.get $SMAX)))
                  (f64x2.lt (local.get $X) (local.get $SMAX)))))
          (then
            ;; count = k − (a < tl) − (b < tl) with the lane masks −1 / 0, low i32 halves → f64, / zn
            (v128.store (i32.add (local.get $out) (local.get $o))
              (f64x2.div
                (f64x2.convert_low_i32x4_s
                  (i8x16.shuffle 0 1 2 3 8 9 10 11 0 1 2 3 8 9 10 11
                    (i64x2.sub (i64x2.sub
                      (i64x2.replace_lane 1 (i64x2.splat (i64.extend_i32_u (local.get $k0))) (i64.extend_i32_u (local.get $k1)))
                      (local.get $LA)) (local.get $LB))
                    (local.get $zero)))
                (local.get $ZN))))
          (else
            ;; decided below, outside this loop (a call here would make every iteration spill)
            (i32.store (i32.add (local.get $slow) (i32.shl (local.get $ns) (i32.const 2))) (local.get $i))
            (local.set $ns (i32.add (local.get $ns) (i32.const 1)))))
        (local.set $i (i32.add (local.get $i) (i32.const 2)))
        (br $next)))
    ;; the pairs the fast path left: a negative x (which fails t > 1e-280) is reported, others counted
    (local.set $i (i32.const 0))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $ns)))
        (local.set $k0 (i32.load (i32.add (local.get $slow) (i32.shl (local.get $i) (i32.const 2)))))
        (local.set $o (i32.shl (local.get $k0) (i32.const 3)))
        (local.set $X (v128.load (i32.add (local.get $xs) (local.get $o))))
        (if (v128.any_true (f64x2.lt (local.get $X) (local.get $zero))) (then (return (local.get $k0))))
        (f64.store (i32.add (local.get $out) (local.get $o))
          (f64.div (f64.convert_i32_s (call $one (f64x2.extract_lane 0 (local.get $X)) (local.get $s) (local.get $start)
                                                (local.get $min) (local.get $inv) (local.get $last) (local.get $zn) (local.get $gamma)))
                   (f64.convert_i32_s (local.get $zn))))
        (f64.store offset=8 (i32.add (local.get $out) (local.get $o))
          (f64.div (f64.convert_i32_s (call $one (f64x2.extract_lane 1 (local.get $X)) (local.get $s) (local.get $start)
                                                (local.get $min) (local.get $inv) (local.get $last) (local.get $zn) (local.get $gamma)))
                   (f64.convert_i32_s (local.get $zn))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next)))
    (i32.const -1))
)`;
