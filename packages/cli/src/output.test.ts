import { CairnApiError } from '@cairn/sdk';
import { describe, expect, it } from 'vitest';
import { describeError, formatBytes, formatDuration, formatNumber, formatTable } from './output.js';

describe('formatTable', () => {
  it('aligns columns, right-aligning numbers and cutting long values', () => {
    const rows = [
      { name: 'a', n: 1 },
      { name: 'a-much-longer-name', n: 100 },
    ];
    const text = formatTable(
      [
        { header: 'NAME', value: (r: (typeof rows)[number]) => r.name, maxWidth: 10 },
        { header: 'N', value: (r) => String(r.n), align: 'right' },
      ],
      rows,
    );
    expect(text.split('\n')).toEqual(['NAME          N', 'a             1', 'a-much-lo…  100']);
  });
});

describe('formatters', () => {
  it('formats durations, bytes and metric values for people', () => {
    expect(formatDuration(12_400)).toBe('12.4s');
    expect(formatDuration(187_000)).toBe('3m 07s');
    expect(formatDuration(3_720_000)).toBe('1h 02m');
    expect(formatBytes(1536)).toBe('1.5 KiB');
    expect(formatNumber(Number.NaN)).toBe('NaN');
    expect(formatNumber(-Infinity)).toBe('-Infinity');
    expect(formatNumber(0.123456789)).toBe('0.123457');
  });

  it('describes API errors in words, naming the field of bad input', () => {
    expect(
      describeError(new CairnApiError('NOT_FOUND', 'Run with id=x not found', 404, { field: 'runId' })),
    ).toBe('Run with id=x not found');
    expect(describeError(new CairnApiError('INVALID_ARGUMENT', 'Bad filter', 400, { field: 'filter' }))).toBe(
      'Bad filter (field: filter)',
    );
  });
});
