/**
 * The Sobol low-discrepancy sequence with Joe & Kuo's direction numbers (new-joe-kuo-6.21201, the set
 * SciPy uses), first 32 dimensions, 32-bit resolution. Points are computed directly from their index
 * (Gray code), and randomised by a seeded digital shift, which keeps the (t, m, s)-net structure.
 */
import { invalidArgument } from '@cairn/core';
import { createRng } from './rng.js';

/** Rows for dimensions 2..32: [s (degree), a (polynomial coefficients), m_1 … m_s]. */
const JOE_KUO: readonly (readonly number[])[] = [
  [1, 0, 1],
  [2, 1, 1, 3],
  [3, 1, 1, 3, 1],
  [3, 2, 1, 1, 1],
  [4, 1, 1, 1, 3, 3],
  [4, 4, 1, 3, 5, 13],
  [5, 2, 1, 1, 5, 5, 17],
  [5, 4, 1, 1, 5, 5, 5],
  [5, 7, 1, 1, 7, 11, 19],
  [5, 11, 1, 1, 5, 1, 1],
  [5, 13, 1, 1, 1, 3, 11],
  [5, 14, 1, 3, 5, 5, 31],
  [6, 1, 1, 3, 3, 9, 7, 49],
  [6, 13, 1, 1, 1, 15, 21, 21],
  [6, 16, 1, 3, 1, 13, 27, 49],
  [6, 19, 1, 1, 1, 15, 7, 5],
  [6, 22, 1, 3, 1, 15, 13, 25],
  [6, 25, 1, 1, 5, 5, 19, 61],
  [7, 1, 1, 3, 7, 11, 23, 15, 103],
  [7, 4, 1, 3, 7, 13, 13, 15, 69],
  [7, 7, 1, 1, 3, 13, 7, 35, 63],
  [7, 8, 1, 3, 5, 9, 1, 25, 53],
  [7, 14, 1, 3, 1, 13, 9, 35, 107],
  [7, 19, 1, 3, 1, 5, 27, 61, 31],
  [7, 21, 1, 1, 5, 11, 19, 41, 61],
  [7, 28, 1, 3, 5, 3, 3, 13, 69],
  [7, 31, 1, 1, 7, 13, 1, 19, 1],
  [7, 32, 1, 3, 7, 5, 13, 19, 59],
  [7, 37, 1, 1, 3, 9, 25, 29, 41],
  [7, 41, 1, 3, 5, 13, 23, 1, 55],
  [7, 42, 1, 3, 7, 3, 13, 59, 17],
];

export const SOBOL_MAX_DIMENSIONS = JOE_KUO.length + 1;
const BITS = 32;

function directionNumbers(dimension: number): Uint32Array {
  const v = new Uint32Array(BITS + 1); // 1-based
  if (dimension === 0) {
    for (let i = 1; i <= BITS; i++) v[i] = (1 << (BITS - i)) >>> 0;
    return v;
  }
  const [s, a, ...m] = JOE_KUO[dimension - 1];
  for (let i = 1; i <= Math.min(s, BITS); i++) v[i] = (m[i - 1] << (BITS - i)) >>> 0;
  for (let i = s + 1; i <= BITS; i++) {
    let value = (v[i - s] ^ (v[i - s] >>> s)) >>> 0;
    for (let k = 1; k < s; k++) if ((a >>> (s - 1 - k)) & 1) value = (value ^ v[i - k]) >>> 0;
    v[i] = value;
  }
  return v;
}

export interface SobolSequence {
  readonly dimensions: number;
  /** The index-th point, each coordinate in [0, 1). */
  point(index: number): number[];
}

/** With a seed the sequence is scrambled by a digital shift; without one it is the plain sequence. */
export function createSobolSequence(dimensions: number, options: { seed?: number } = {}): SobolSequence {
  if (dimensions > SOBOL_MAX_DIMENSIONS) {
    throw invalidArgument(
      `sampling rule sobol supports at most ${SOBOL_MAX_DIMENSIONS} search dimensions (this space has ${dimensions}); ` +
        'use rule: random for larger spaces',
      { field: 'sampling_algorithm.rule' },
    );
  }
  const directions = Array.from({ length: dimensions }, (_, d) => directionNumbers(d));
  const rng = options.seed === undefined ? undefined : createRng(options.seed, 0x50b01);
  const shifts = Array.from({ length: dimensions }, () => rng?.nextUint32() ?? 0);
  return {
    dimensions,
    point(index) {
      if (!Number.isInteger(index) || index < 0 || index >= 2 ** BITS) {
        throw invalidArgument(`Sobol point index must be an integer in [0, 2^32) (got ${index})`);
      }
      // Bits of the Gray code of `index` select the direction numbers to XOR together.
      const gray = (index ^ Math.floor(index / 2)) >>> 0;
      return directions.map((v, d) => {
        let x = 0;
        for (let bit = 0; bit < BITS; bit++) if ((gray >>> bit) & 1) x ^= v[bit + 1];
        return ((x ^ shifts[d]) >>> 0) / 2 ** BITS;
      });
    },
  };
}
