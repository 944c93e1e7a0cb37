/**
 * Small, fast, seedable randomness. Every hour's records come from a generator seeded by
 * hash(seed, hour), so a window's records do not depend on how a range is cut into windows.
 */

/** A 32-bit hash of integers (murmur3-style finaliser over each part). */
export function hash32(...parts: number[]): number {
  let h = 0x9e3779b9;
  for (const part of parts) {
    // Numbers beyond 32 bits (hours since 1970 are fine, µs are not passed here) keep their high bits.
    let k = (part >>> 0) ^ Math.floor(part / 0x100000000);
    k = Math.imul(k, 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, 0x1b873593);
    h ^= k;
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** mulberry32: a uniform float in [0, 1) per call. */
export function randomSource(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** 32 lowercase hex characters (the shape of lti_user_id and block ids), from a hash of the parts. */
export function hex32(...parts: number[]): string {
  let out = "";
  for (let i = 0; i < 4; i++)
    out += hash32(...parts, i)
      .toString(16)
      .padStart(8, "0");
  return out;
}
