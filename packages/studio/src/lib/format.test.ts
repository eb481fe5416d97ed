import { describe, expect, it } from 'vitest';
import { formatBytes, formatDuration, formatNumber, formatRelative, runDuration } from './format.js';

describe('formatNumber', () => {
  it('keeps integers and rounds to 4 significant digits', () => {
    expect(formatNumber(42)).toBe('42');
    expect(formatNumber(0.123456)).toBe('0.1235');
    expect(formatNumber(-1.23456)).toBe('-1.235');
  });
  it('uses exponents for very large and very small values', () => {
    expect(formatNumber(1.5e-7)).toBe('1.5e-7');
    expect(formatNumber(12_345_678.9)).toBe('1.235e+7');
  });
  it('names non-finite values and leaves missing ones empty', () => {
    expect(formatNumber(Number.NaN)).toBe('NaN');
    expect(formatNumber(Number.POSITIVE_INFINITY)).toBe('∞');
    expect(formatNumber(undefined)).toBe('');
  });
});

describe('formatDuration', () => {
  it('picks the unit by size', () => {
    expect(formatDuration(850)).toBe('850 ms');
    expect(formatDuration(12_340)).toBe('12.3 s');
    expect(formatDuration(245_000)).toBe('4 min 05 s');
    expect(formatDuration(2 * 3600_000 + 7 * 60_000)).toBe('2 h 07 min');
    expect(formatDuration(3 * 86_400_000 + 4 * 3600_000)).toBe('3 d 4 h');
    expect(formatDuration(null)).toBe('');
  });
  it('measures a running run until now', () => {
    expect(runDuration({ startTime: 1000, endTime: null }, 4000)).toBe(3000);
    expect(runDuration({ startTime: 1000, endTime: 2000 }, 4000)).toBe(1000);
  });
});

describe('formatRelative', () => {
  const now = 1_700_000_000_000;
  it('says how long ago', () => {
    expect(formatRelative(now - 10_000, now)).toBe('just now');
    expect(formatRelative(now - 5 * 60_000, now)).toBe('5 min ago');
    expect(formatRelative(now - 3 * 3600_000, now)).toBe('3 h ago');
    expect(formatRelative(now - 2 * 86_400_000, now)).toBe('2 d ago');
  });
});

describe('formatBytes', () => {
  it('uses binary units', () => {
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(1536)).toBe('1.5 KiB');
    expect(formatBytes(50 * 1024 * 1024)).toBe('50 MiB');
  });
});
