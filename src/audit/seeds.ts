/**
 * A seed for one purpose derived from the run seed: FNV-1a (32 bit) of `${seed}:${purpose}`. Fixed
 * forever, so that e.g. model 3's seed does not change when more models are added.
 */
export function deriveSeed(seed: number, purpose: string): number {
  let h = 0x811c9dc5;
  const s = `${seed}:${purpose}`;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 1; // a non-negative int32
}
