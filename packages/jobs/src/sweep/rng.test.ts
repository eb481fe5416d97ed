import { describe, expect, it } from 'vitest';
import { inverseNormalCdf, logSumExp, normalCdf } from './gaussian.js';
import { createRng } from './rng.js';

describe('createRng', () => {
  it('is reproducible from its seed words and differs across them', () => {
    const draw = (...seed: number[]) => {
      const rng = createRng(...seed);
      return Array.from({ length: 5 }, () => rng.next());
    };
    expect(draw(42, 3)).toEqual(draw(42, 3));
    expect(draw(42, 3)).not.toEqual(draw(42, 4));
    expect(draw(42, 3)).not.toEqual(draw(43, 3));
    // Seeds that differ only above 32 bits stay distinct.
    expect(draw(2 ** 40)).not.toEqual(draw(0));
  });

  it('draws uniform values in [0, 1) and standard normals', () => {
    const rng = createRng(7);
    const n = 20000;
    const u = Array.from({ length: n }, () => rng.next());
    expect(Math.min(...u)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...u)).toBeLessThan(1);
    expect(u.reduce((a, b) => a + b, 0) / n).toBeCloseTo(0.5, 1);
    const z = Array.from({ length: n }, () => rng.normal());
    const mean = z.reduce((a, b) => a + b, 0) / n;
    const variance = z.reduce((a, b) => a + (b - mean) ** 2, 0) / n;
    expect(mean).toBeCloseTo(0, 1);
    expect(variance).toBeCloseTo(1, 1);
    const ints = new Set(Array.from({ length: 1000 }, () => rng.nextInt(5)));
    expect([...ints].sort()).toEqual([0, 1, 2, 3, 4]);
  });
});

describe('gaussian helpers', () => {
  it('computes Φ and Φ⁻¹ accurately', () => {
    expect(normalCdf(0)).toBeCloseTo(0.5, 7);
    expect(normalCdf(1.959964)).toBeCloseTo(0.975, 6);
    expect(inverseNormalCdf(0.975)).toBeCloseTo(1.959964, 5);
    expect(inverseNormalCdf(0.01)).toBeCloseTo(-2.326348, 5);
    expect(inverseNormalCdf(0.5)).toBeCloseTo(0, 9);
    for (const p of [0.001, 0.1, 0.3, 0.7, 0.99]) expect(normalCdf(inverseNormalCdf(p))).toBeCloseTo(p, 6);
    expect(inverseNormalCdf(0)).toBe(Number.NEGATIVE_INFINITY);
  });

  it('sums exponentials without overflow', () => {
    expect(logSumExp([1000, 1000])).toBeCloseTo(1000 + Math.log(2), 9);
    expect(logSumExp([])).toBe(Number.NEGATIVE_INFINITY);
  });
});
