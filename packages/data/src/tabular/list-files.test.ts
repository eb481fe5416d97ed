import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { globToRegExp, listFiles } from './list-files.js';

describe('globToRegExp', () => {
  it.each([
    ['*.csv', 'a.csv', true],
    ['*.csv', 'sub/a.csv', false],
    ['**/*.csv', 'a.csv', true],
    ['**/*.csv', 'x/y/a.csv', true],
    ['data/**', 'data/x/y.parquet', true],
    ['part-?.parquet', 'part-1.parquet', true],
    ['part-?.parquet', 'part-10.parquet', false],
    ['[a-c]*.csv', 'b1.csv', true],
    ['[!a-c]*.csv', 'b1.csv', false],
    ['a+b(1).csv', 'a+b(1).csv', true],
    ['a.csv', 'abcsv', false],
  ])('%s matches %s: %s', (glob, path, expected) => {
    expect(globToRegExp(glob).test(path)).toBe(expected);
  });
});

describe('listFiles', () => {
  it('lists files recursively, sorted, without hidden entries, and refuses too many', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cairn-list-'));
    try {
      await mkdir(join(dir, 'b', '.git'), { recursive: true });
      await writeFile(join(dir, 'b', 'z.csv'), '');
      await writeFile(join(dir, 'b', '.git', 'HEAD'), '');
      await writeFile(join(dir, 'a.csv'), '');
      await writeFile(join(dir, '.DS_Store'), '');
      expect(await listFiles(dir)).toEqual([join(dir, 'a.csv'), join(dir, 'b', 'z.csv')]);
      await expect(listFiles(dir, 1)).rejects.toThrow('holds more than 1 files');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
