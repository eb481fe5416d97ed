/**
 * A small seeded PRNG (xoshiro128**, seeded through murmur3's finaliser) so that every sampler is
 * reproducible from its seed and the trial index alone, with no state carried between calls.
 */

const TWO_POW_32 = 4294967296;

function fmix32(input: number): number {
  let h = input >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

const rotl = (x: number, k: number): number => ((x << k) | (x >>> (32 - k))) >>> 0;

export interface Rng {
  /** Uniform in [0, 1) with 53 bits of resolution. */
  next(): number;
  /** Uniform 32-bit unsigned integer. */
  nextUint32(): number;
  /** Uniform integer in [0, n). */
  nextInt(n: number): number;
  /** Standard normal (Box–Muller). */
  normal(): number;
}

/**
 * Builds a generator from any number of integer seed words (a user seed, a trial index, a salt).
 * Words beyond 32 bits are folded in by their high and low halves, so large seeds stay distinct.
 */
export function createRng(...words: readonly number[]): Rng {
  let h = 0x9e3779b9;
  for (const word of words) {
    const w = Number.isFinite(word) ? Math.trunc(word) : 0;
    const low = w >>> 0;
    const high = Math.floor(w / TWO_POW_32) >>> 0;
    h = fmix32(h ^ fmix32(low + 0x7f4a7c15));
    h = fmix32(h ^ fmix32(high + 0x2545f491));
  }
  let s0 = fmix32(h + 0x9e3779b9);
  let s1 = fmix32(s0 + 0x9e3779b9);
  let s2 = fmix32(s1 + 0x9e3779b9);
  let s3 = fmix32(s2 + 0x9e3779b9);
  if ((s0 | s1 | s2 | s3) === 0) s0 = 1;

  const nextUint32 = (): number => {
    const result = Math.imul(rotl(Math.imul(s1, 5) >>> 0, 7), 9) >>> 0;
    const t = (s1 << 9) >>> 0;
    s2 ^= s0;
    s3 ^= s1;
    s1 ^= s2;
    s0 ^= s3;
    s2 ^= t;
    s3 = rotl(s3 >>> 0, 11);
    s0 >>>= 0;
    s1 >>>= 0;
    s2 >>>= 0;
    return result;
  };
  const next = (): number => {
    const a = nextUint32() >>> 5; // 27 bits
    const b = nextUint32() >>> 6; // 26 bits
    return (a * 67108864 + b) / 9007199254740992;
  };
  return {
    next,
    nextUint32,
    nextInt: (n) => Math.min(n - 1, Math.floor(next() * n)),
    normal: () => {
      const u1 = 1 - next(); // (0, 1], so the log is finite
      const u2 = next();
      return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
    },
  };
}
