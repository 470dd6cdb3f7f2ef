/**
 * The LiRA statistics kernel in the WebAssembly text format. `npm run build:wasm` assembles
 * LIRA_KERNELS with wabt into kernels.generated.ts, which ../lira.ts instantiates
 * (test/attacks/wasm-kernels.test.ts checks that the embedded bytes match this text).
 */

/**
 * stats4_<t>(n, G, stride, sig, keep, sumAll, sqAll, sumIn, sqIn, cnt): adds G reference rows (G a
 * multiple of 4; row r at sig + r·stride elements of type t and keep + r·stride bytes) to the
 * accumulators of samples [0, n) (n even; f64 arrays, i32 counts), two samples per SIMD step, rows four
 * at a time exactly as the plain loop did: sumAll += (x0 + x1) + (x2 + x3), sqAll += (x0² + x1²) +
 * (x2² + x3²), sumIn and sqIn the same with a = x for IN rows and +0 for OUT rows (the plain loop's k·x
 * differs from +0 only in the sign of a zero, which cannot change these sums), cnt += k0 + k1 + k2 + k3.
 */
function statsKernelText(t: 'f32' | 'f64'): string {
  const size = t === 'f64' ? 3 : 2;
  const load = (p: string) =>
    t === 'f64' ? `(v128.load ${p})` : `(f64x2.promote_low_f32x4 (v128.load64_zero ${p}))`;
  const row = (j: number) => (j === 0 ? '(local.get $sp)' : `(i32.add (local.get $sp) (local.get $rb${j}))`);
  const krow = (j: number) => (j === 0 ? '(local.get $kp)' : `(i32.add (local.get $kp) (local.get $kb${j}))`);
  const mask = (kb: string) =>
    `(i8x16.shuffle 0 0 0 0 0 0 0 0 1 1 1 1 1 1 1 1 (i8x16.eq (local.get ${kb}) (local.get $ones)) (local.get $ones))`;
  const add = (a: string, b: string) => `(f64x2.add ${a} ${b})`;
  const mul = (a: string, b: string) => `(f64x2.mul (local.get ${a}) (local.get ${b}))`;
  return `
  (func $stats4_${t} (export "stats4_${t}")
    (param $n i32) (param $G i32) (param $stride i32) (param $sig i32) (param $keep i32)
    (param $sumAll i32) (param $sqAll i32) (param $sumIn i32) (param $sqIn i32) (param $cnt i32)
    (local $i i32) (local $g i32) (local $sp i32) (local $kp i32) (local $o i32) (local $rowBytes i32)
    (local $rb1 i32) (local $rb2 i32) (local $rb3 i32) (local $kb1 i32) (local $kb2 i32) (local $kb3 i32)
    (local $SA v128) (local $SQ v128) (local $SI v128) (local $QI v128) (local $K v128) (local $ones v128)
    (local $x0 v128) (local $x1 v128) (local $x2 v128) (local $x3 v128)
    (local $k0 v128) (local $k1 v128) (local $k2 v128) (local $k3 v128)
    (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128)
    (local.set $ones (i8x16.splat (i32.const 1)))
    (local.set $rowBytes (i32.shl (local.get $stride) (i32.const ${size})))
    (local.set $rb1 (local.get $rowBytes))
    (local.set $rb2 (i32.add (local.get $rb1) (local.get $rowBytes)))
    (local.set $rb3 (i32.add (local.get $rb2) (local.get $rowBytes)))
    (local.set $kb1 (local.get $stride))
    (local.set $kb2 (i32.add (local.get $kb1) (local.get $stride)))
    (local.set $kb3 (i32.add (local.get $kb2) (local.get $stride)))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $o (i32.shl (local.get $i) (i32.const 3)))
        (local.set $SA (v128.load (i32.add (local.get $sumAll) (local.get $o))))
        (local.set $SQ (v128.load (i32.add (local.get $sqAll) (local.get $o))))
        (local.set $SI (v128.load (i32.add (local.get $sumIn) (local.get $o))))
        (local.set $QI (v128.load (i32.add (local.get $sqIn) (local.get $o))))
        (local.set $K (v128.const i32x4 0 0 0 0))
        (local.set $sp (i32.add (local.get $sig) (i32.shl (local.get $i) (i32.const ${size}))))
        (local.set $kp (i32.add (local.get $keep) (local.get $i)))
        (local.set $g (local.get $G))
        (loop $rows
          (local.set $x0 ${load(row(0))})
          (local.set $x1 ${load(row(1))})
          (local.set $x2 ${load(row(2))})
          (local.set $x3 ${load(row(3))})
          ;; keep bytes of samples i, i + 1 in byte lanes 0, 1; IN counts add up as bytes (G < 256)
          (local.set $k0 (v128.load16_splat ${krow(0)}))
          (local.set $k1 (v128.load16_splat ${krow(1)}))
          (local.set $k2 (v128.load16_splat ${krow(2)}))
          (local.set $k3 (v128.load16_splat ${krow(3)}))
          (local.set $K (i8x16.add (local.get $K)
            (i8x16.add (i8x16.add (local.get $k0) (local.get $k1)) (i8x16.add (local.get $k2) (local.get $k3)))))
          (local.set $a0 (v128.and (local.get $x0) ${mask('$k0')}))
          (local.set $a1 (v128.and (local.get $x1) ${mask('$k1')}))
          (local.set $a2 (v128.and (local.get $x2) ${mask('$k2')}))
          (local.set $a3 (v128.and (local.get $x3) ${mask('$k3')}))
          (local.set $SA ${add('(local.get $SA)', add(add('(local.get $x0)', '(local.get $x1)'), add('(local.get $x2)', '(local.get $x3)')))})
          (local.set $SQ ${add('(local.get $SQ)', add(add(mul('$x0', '$x0'), mul('$x1', '$x1')), add(mul('$x2', '$x2'), mul('$x3', '$x3'))))})
          (local.set $SI ${add('(local.get $SI)', add(add('(local.get $a0)', '(local.get $a1)'), add('(local.get $a2)', '(local.get $a3)')))})
          (local.set $QI ${add('(local.get $QI)', add(add(mul('$a0', '$x0'), mul('$a1', '$x1')), add(mul('$a2', '$x2'), mul('$a3', '$x3'))))})
          (local.set $sp (i32.add (local.get $sp) (i32.shl (local.get $rowBytes) (i32.const 2))))
          (local.set $kp (i32.add (local.get $kp) (i32.shl (local.get $stride) (i32.const 2))))
          (br_if $rows (local.tee $g (i32.sub (local.get $g) (i32.const 4)))))
        (v128.store (i32.add (local.get $sumAll) (local.get $o)) (local.get $SA))
        (v128.store (i32.add (local.get $sqAll) (local.get $o)) (local.get $SQ))
        (v128.store (i32.add (local.get $sumIn) (local.get $o)) (local.get $SI))
        (v128.store (i32.add (local.get $sqIn) (local.get $o)) (local.get $QI))
        (i64.store (i32.add (local.get $cnt) (i32.shl (local.get $i) (i32.const 2)))
          (i64x2.extract_lane 0
            (i32x4.add (v128.load64_zero (i32.add (local.get $cnt) (i32.shl (local.get $i) (i32.const 2))))
                       (i32x4.extend_low_i16x8_u (i16x8.extend_low_i8x16_u (local.get $K))))))
        (local.set $i (i32.add (local.get $i) (i32.const 2)))
        (br $next))))`;
}

export const LIRA_KERNELS = `(module
  (memory (export "memory") 1)
  ${statsKernelText('f64')}
  ${statsKernelText('f32')}
)`;
