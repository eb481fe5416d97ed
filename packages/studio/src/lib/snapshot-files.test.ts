import { describe, expect, it } from 'vitest';
import { defaultFile, folderEntries, folderTrail } from './snapshot-files.js';

const files = ['train.py', 'README.md', 'src/model.py', 'src/util/io.py', 'src/util/x.py', 'conf/a.yaml'].map(
  (path) => ({ path, size: 1 }),
);

describe('snapshot files', () => {
  it('lists one folder: subfolders with counts first, then files', () => {
    expect(
      folderEntries(files, '').map((e) => (e.kind === 'folder' ? `${e.name}/ ${e.files}` : e.name)),
    ).toEqual(['conf/ 1', 'src/ 3', 'README.md', 'train.py']);
    expect(folderEntries(files, 'src').map((e) => (e.kind === 'folder' ? e.path : e.file.path))).toEqual([
      'src/util',
      'src/model.py',
    ]);
  });

  it('gives breadcrumbs and the file to open first', () => {
    expect(folderTrail('src/util')).toEqual([
      { name: 'code', path: '' },
      { name: 'src', path: 'src' },
      { name: 'util', path: 'src/util' },
    ]);
    const paths = files.map((f) => f.path);
    expect(defaultFile(paths, 'python train.py --x 1')).toBe('train.py');
    expect(defaultFile(paths, 'bash run.sh')).toBe('README.md');
    expect(defaultFile(['a.py'], 'bash run.sh')).toBeNull();
  });
});
