/**
 * The Gaussian noise of DP-SGD, fast enough to noise every parameter of a model on every step: a
 * xoshiro128** stream (the generator of src/rng.ts, seeded from an Rng, the same seed giving the same
 * noise) and the polar Box–Muller transform (Marsaglia 1964) on 32-bit uniforms, in one tight loop with
 * the state in locals (Rng.normal costs ~10× more per value through its method calls).
 *
 * The uniforms have 2⁻³¹ resolution, so |z| ≤ √(2·ln 2⁶²) ≈ 9.3; the mass beyond is < 10⁻¹⁹. Like
 * Opacus without `secure_mode`, the stream is not cryptographically secure: fine for audits and
 * experiments, not for protecting data against an adversary who can recover the generator's state.
 */
import type { Rng } from '../../rng.js';

const rotl = (x: number, k: number): number => (x << k) | (x >>> (32 - k));
const INV31 = 1 / 2147483648;

/** A seeded stream of standard normal draws, written into arrays. */
export class GaussianStream {
  private s = new Uint32Array(4);

  /** Seeded from four draws of `rng`. */
  constructor(rng: Rng) {
    for (let i = 0; i < 4; i++) this.s[i] = rng.nextUint32();
    if ((this.s[0]! | this.s[1]! | this.s[2]! | this.s[3]!) === 0) this.s[0] = 1;
  }

  /**
   * g[i] = (g[i] + std·z_i) · scale for every i, z_i independent standard normal draws (std = 0: no
   * draws, only the scaling).
   */
  addScaled(g: Float32Array, std: number, scale: number): void {
    const n = g.length;
    if (std === 0) {
      for (let i = 0; i < n; i++) g[i] = g[i]! * scale;
      return;
    }
    let s0 = this.s[0]! | 0;
    let s1 = this.s[1]! | 0;
    let s2 = this.s[2]! | 0;
    let s3 = this.s[3]! | 0;
    let i = 0;
    while (i < n) {
      // two uniforms in [−1, 1) from two xoshiro128** outputs
      // int32 arithmetic throughout; a signed 32-bit output / 2³¹ is uniform on [−1, 1)
      let r = Math.imul(rotl(Math.imul(s1, 5), 7), 9);
      let t = s1 << 9;
      s2 ^= s0;
      s3 ^= s1;
      s1 ^= s2;
      s0 ^= s3;
      s2 ^= t;
      s3 = rotl(s3, 11);
      const u = r * INV31;
      r = Math.imul(rotl(Math.imul(s1, 5), 7), 9);
      t = s1 << 9;
      s2 ^= s0;
      s3 ^= s1;
      s1 ^= s2;
      s0 ^= s3;
      s2 ^= t;
      s3 = rotl(s3, 11);
      const v = r * INV31;
      const q = u * u + v * v;
      if (q >= 1 || q === 0) continue;
      const f = std * Math.sqrt((-2 * Math.log(q)) / q);
      g[i] = (g[i]! + u * f) * scale;
      i++;
      if (i < n) {
        g[i] = (g[i]! + v * f) * scale;
        i++;
      }
    }
    this.s[0] = s0 >>> 0;
    this.s[1] = s1 >>> 0;
    this.s[2] = s2 >>> 0;
    this.s[3] = s3 >>> 0;
  }
}
