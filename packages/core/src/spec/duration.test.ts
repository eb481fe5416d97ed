import { describe, expect, it } from 'vitest';
import { formatDuration, parseDuration, parseSlurmTime } from './duration.js';

describe('durations', () => {
  it.each([
    [60, 60],
    ['60', 60],
    ['30m', 1800],
    ['2h', 7200],
    ['1h30m', 5400],
    ['1.5h', 5400],
    ['1d', 86_400],
    ['2 h', 7200],
  ])('%j is %d seconds', (text, seconds) => {
    expect(parseDuration(text)).toBe(seconds);
  });

  it.each([0, -5, 1.5, '', '1 hour', 'h', '5x', '1h foo', true, null])('rejects %j', (value) => {
    expect(parseDuration(value)).toBeUndefined();
  });

  it("reads Slurm's formats as well", () => {
    expect(parseSlurmTime('10:00')).toBe(600);
    expect(parseSlurmTime('01:00:00')).toBe(3600);
    expect(parseSlurmTime('1-00')).toBe(86_400);
    expect(parseSlurmTime('1-02:30:00')).toBe(95_400);
    expect(parseSlurmTime('2h')).toBe(7200);
    expect(parseSlurmTime('a:b')).toBeUndefined();
  });

  it('formats seconds back', () => {
    expect(formatDuration(5400)).toBe('1h30m');
    expect(formatDuration(45)).toBe('45s');
    expect(parseDuration(formatDuration(93_784))).toBe(93_784);
  });
});
