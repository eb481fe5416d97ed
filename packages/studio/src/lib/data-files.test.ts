import { describe, expect, it } from 'vitest';
import { dataFileUrl, folderCrumbs, folderEntries, looksTabular } from './data-files.js';

describe('folderEntries', () => {
  const f = (path: string, size = 1) => ({ path, size, sha256: 'a'.repeat(64) });
  it('shows one level: subfolders once with their counts, then files', () => {
    const entries = folderEntries(
      [f('a.csv', 5), f('img/1.png', 2), f('img/2.png', 3), f('img/x/3.png')],
      '',
    );
    expect(entries).toEqual([
      { kind: 'folder', name: 'img', path: 'img', files: 3, bytes: 6 },
      { kind: 'file', name: 'a.csv', path: 'a.csv', file: f('a.csv', 5) },
    ]);
    expect(folderEntries([f('img/1.png'), f('img/x/3.png')], 'img').map((e) => e.name)).toEqual([
      'x',
      '1.png',
    ]);
  });
  it('makes breadcrumbs and spots tabular files', () => {
    expect(folderCrumbs('a/b')).toEqual([
      { name: 'a', path: 'a' },
      { name: 'b', path: 'a/b' },
    ]);
    expect(folderCrumbs('')).toEqual([]);
    expect(looksTabular('x/train.csv.gz')).toBe(true);
    expect(looksTabular('t/MLTable')).toBe(true);
    expect(looksTabular('img.png')).toBe(false);
    expect(dataFileUrl('w s', 'a', 'latest', 'x/y z.csv')).toBe(
      '/api/v1/workspaces/w%20s/data/a/versions/latest/files/content?path=x%2Fy%20z.csv',
    );
  });
});
