/**
 * An in-place iterative radix-2 complex FFT over split real / imaginary Float64Arrays (length a power of
 * two), for the numerical privacy accountant's convolutions. `inverse` uses e^{+2πi/n} and divides by n,
 * so fft(fft(x), inverse) = x up to rounding (numpy.fft.fft / ifft's conventions).
 */
import { MiaError } from '../../errors.js';

export function fft(re: Float64Array, im: Float64Array, inverse = false): void {
  const n = re.length;
  if (im.length !== n || n === 0 || (n & (n - 1)) !== 0)
    throw new MiaError('E_ARGUMENT', 'fft needs two arrays of the same power-of-two length', {
      found: `${re.length} and ${im.length}`,
    });
  // bit-reversal permutation
  for (let i = 1, j = 0; i < n; i++) {
    let bit = n >> 1;
    for (; j & bit; bit >>= 1) j ^= bit;
    j ^= bit;
    if (i < j) {
      const tr = re[i]!;
      re[i] = re[j]!;
      re[j] = tr;
      const ti = im[i]!;
      im[i] = im[j]!;
      im[j] = ti;
    }
  }
  const sign = inverse ? 1 : -1;
  // twiddles for the largest stage, reused by the smaller ones with a stride
  const half = n >> 1;
  const cosT = new Float64Array(half);
  const sinT = new Float64Array(half);
  for (let k = 0; k < half; k++) {
    const a = (2 * Math.PI * k) / n;
    cosT[k] = Math.cos(a);
    sinT[k] = sign * Math.sin(a);
  }
  for (let len = 2; len <= n; len <<= 1) {
    const h = len >> 1;
    const stride = n / len;
    for (let i = 0; i < n; i += len) {
      for (let k = 0; k < h; k++) {
        const wr = cosT[k * stride]!;
        const wi = sinT[k * stride]!;
        const a = i + k;
        const b = a + h;
        const xr = re[b]! * wr - im[b]! * wi;
        const xi = re[b]! * wi + im[b]! * wr;
        re[b] = re[a]! - xr;
        im[b] = im[a]! - xi;
        re[a] = re[a]! + xr;
        im[a] = im[a]! + xi;
      }
    }
  }
  if (inverse) {
    for (let i = 0; i < n; i++) {
      re[i] = re[i]! / n;
      im[i] = im[i]! / n;
    }
  }
}
