import { describe, expect, it } from 'vitest';
import { bestTrial } from './best-trial.js';

describe('bestTrial', () => {
  const trials = [
    { id: 'a', value: 0.5 },
    { id: 'b', value: 0.9 },
    { id: 'c' },
    { id: 'd', value: Number.NaN },
    { id: 'e', value: 0.9 },
    { id: 'f', value: 0.1 },
  ];

  it('picks by goal, earliest on ties, skipping trials without a finite value', () => {
    expect(bestTrial(trials, 'maximize')?.id).toBe('b');
    expect(bestTrial(trials, 'minimize')?.id).toBe('f');
    expect(
      bestTrial(
        [
          { id: 'x', value: 1 },
          { id: 'y', value: 1 },
        ],
        'minimize',
      )?.id,
    ).toBe('x');
  });

  it('is undefined when no trial has a value', () => {
    expect(bestTrial<{ id: string; value?: number }>([{ id: 'c' }], 'maximize')).toBeUndefined();
    expect(bestTrial([], 'minimize')).toBeUndefined();
  });
});
