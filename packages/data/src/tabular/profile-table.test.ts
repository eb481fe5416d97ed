import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { binBounds, type ColumnProfile, profileTable } from './profile-table.js';

let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cairn-profile-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function csv(name: string, text: string): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, text);
  return path;
}

const column = (columns: ColumnProfile[], name: string): ColumnProfile =>
  columns.find((c) => c.name === name)!;

describe('profileTable', () => {
  it('summarises numbers, strings, dates and booleans, with nulls', async () => {
    const path = await csv(
      'mixed.csv',
      [
        'n,x,label,day,ok',
        '1,0.5,cat,2024-01-01,true',
        '2,,dog,2024-01-03,false',
        '3,2.5,cat,,true',
        '4,1.0,,2024-01-02,true',
        ',4.0,cat,2024-01-01,',
      ].join('\n'),
    );
    const profile = await profileTable({ source: { kind: 'files', paths: [path] } });
    expect(profile.rowCount).toBe(5);
    expect(profile.truncated).toBe(false);
    expect(profile.omittedColumns).toBe(0);
    expect(JSON.parse(JSON.stringify(profile))).toEqual(profile);

    const n = column(profile.columns, 'n');
    expect(n).toMatchObject({
      type: 'BIGINT',
      kind: 'numeric',
      count: 4,
      nulls: 1,
      distinct: 4,
      min: 1,
      max: 4,
      mean: 2.5,
    });
    expect(n.stddev).toBeCloseTo(1.29099, 4);
    expect(n.quartiles).toHaveLength(3);
    // An integer column spanning fewer values than bins gets one bin per value.
    expect(n.histogram).toEqual({
      kind: 'bins',
      bins: [1, 2, 3, 4].map((v) => ({ lower: v, upper: v, count: 1 })),
    });

    const x = column(profile.columns, 'x');
    expect(x).toMatchObject({ type: 'DOUBLE', count: 4, nulls: 1, min: 0.5, max: 4, mean: 2, nonFinite: 0 });
    expect(x.histogram?.kind).toBe('bins');
    if (x.histogram?.kind === 'bins') {
      expect(x.histogram.bins).toHaveLength(20);
      expect(x.histogram.bins[0]).toMatchObject({ lower: 0.5, count: 1 });
      expect(x.histogram.bins.at(-1)).toMatchObject({ upper: 4, count: 1 });
      expect(x.histogram.bins.reduce((s, b) => s + b.count, 0)).toBe(4);
    }

    expect(column(profile.columns, 'label')).toEqual({
      name: 'label',
      type: 'VARCHAR',
      kind: 'string',
      count: 4,
      nulls: 1,
      distinct: 2,
      min: 'cat',
      max: 'dog',
      minLength: 3,
      maxLength: 3,
      histogram: {
        kind: 'top-values',
        values: [
          { value: 'cat', count: 3 },
          { value: 'dog', count: 1 },
        ],
        otherCount: 0,
      },
    });

    const day = column(profile.columns, 'day');
    expect(day).toMatchObject({ type: 'DATE', kind: 'temporal', count: 4, nulls: 1, distinct: 3 });
    expect(day.min).toBe('2024-01-01');
    expect(day.max).toBe('2024-01-03');
    expect(day.histogram).toEqual({
      kind: 'time-bins',
      bins: [
        { lower: '2024-01-01', upper: '2024-01-01', count: 2 },
        { lower: '2024-01-02', upper: '2024-01-02', count: 1 },
        { lower: '2024-01-03', upper: '2024-01-03', count: 1 },
      ],
    });

    expect(column(profile.columns, 'ok')).toMatchObject({
      type: 'BOOLEAN',
      count: 4,
      nulls: 1,
      distinct: 2,
      trueCount: 3,
      histogram: {
        kind: 'top-values',
        values: [
          { value: true, count: 3 },
          { value: false, count: 1 },
        ],
        otherCount: 0,
      },
    });
  });

  it('keeps the top values and counts the rest', async () => {
    const rows = ['v', ...Array.from({ length: 30 }, (_, i) => `v${i % 12}`)];
    const profile = await profileTable({
      source: { kind: 'files', paths: [await csv('v.csv', rows.join('\n'))] },
      topK: 3,
    });
    const histogram = profile.columns[0]!.histogram;
    expect(histogram).toEqual({
      kind: 'top-values',
      values: [
        { value: 'v0', count: 3 },
        { value: 'v1', count: 3 },
        { value: 'v2', count: 3 },
      ],
      otherCount: 21,
    });
  });

  it('profiles only the first maxRows rows and says so', async () => {
    const rows = ['a', ...Array.from({ length: 100 }, (_, i) => String(i))];
    const profile = await profileTable({
      source: { kind: 'files', paths: [await csv('a.csv', rows.join('\n'))] },
      maxRows: 10,
    });
    expect(profile.rowCount).toBe(10);
    expect(profile.truncated).toBe(true);
    expect(profile.columns[0]).toMatchObject({ count: 10, min: 0, max: 9 });
  });

  it('leaves NaN and infinities out of the statistics and counts them', async () => {
    const path = await csv('f.csv', 'f\n1.5\nnan\ninf\n-2.5\n');
    const f = (await profileTable({ source: { kind: 'files', paths: [path] } })).columns[0]!;
    expect(f).toMatchObject({ type: 'DOUBLE', count: 4, nonFinite: 2, min: -2.5, max: 1.5, mean: -0.5 });
  });

  it('profiles a header-only CSV as zero rows', async () => {
    const profile = await profileTable({ source: { kind: 'files', paths: [await csv('h.csv', 'a,b\n')] } });
    expect(profile.rowCount).toBe(0);
    expect(profile.columns.map((c) => [c.name, c.count, c.nulls, c.histogram])).toEqual([
      ['a', 0, 0, { kind: 'top-values', values: [], otherCount: 0 }],
      ['b', 0, 0, { kind: 'top-values', values: [], otherCount: 0 }],
    ]);
  });

  it('profiles an MLTable after its transformations, and at most maxColumns columns', async () => {
    await csv('d.csv', 'a,b,c\n1,x,10\n2,y,20\n3,z,30\n');
    await writeFile(
      join(dir, 'MLTable'),
      'paths: [{file: d.csv}]\ntransformations:\n  - read_delimited\n  - filter: \'col("a") >= 2\'\n',
    );
    const profile = await profileTable({ source: { kind: 'mltable', path: dir }, maxColumns: 2 });
    expect(profile.rowCount).toBe(2);
    expect(profile.columns.map((c) => c.name)).toEqual(['a', 'b']);
    expect(profile.omittedColumns).toBe(1);
    expect(profile.source).toMatchObject({ format: 'mltable', fileFormat: 'csv' });
  });

  it('checks its options', async () => {
    const path = await csv('a.csv', 'a\n1\n');
    await expect(profileTable({ source: { kind: 'files', paths: [path] }, bins: 0 })).rejects.toThrow(
      'bins must be an integer from 1 to 1000, got 0',
    );
  });
});

describe('binBounds', () => {
  it('splits a range into equal widths ending exactly at the maximum', () => {
    expect(binBounds(0, 1, 4)).toEqual({ bounds: [0.25, 0.5, 0.75, 1], unit: false });
    expect(binBounds(0, 0.3, 3).bounds.at(-1)).toBe(0.3);
  });

  it('gives small integer ranges one bin per value, and a constant one bin', () => {
    expect(binBounds(3, 6, 20, 1)).toEqual({ bounds: [3, 4, 5, 6], unit: true });
    expect(binBounds(0, 100, 20, 1).unit).toBe(false);
    expect(binBounds(5, 5, 20)).toEqual({ bounds: [5], unit: false });
  });
});
