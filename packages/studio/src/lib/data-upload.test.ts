import { describe, expect, it } from 'vitest';
import { pickedFiles, uploadedFromOf } from './data-upload.js';

describe('pickedFiles', () => {
  const file = (name: string, webkitRelativePath = '') =>
    Object.assign(new Blob(['x']), { name, webkitRelativePath });
  it('keeps paths below a picked folder and plain names for single files', () => {
    const folder = [file('a.csv', 'raw/a.csv'), file('b.csv', 'raw/sub/b.csv')];
    expect(pickedFiles(folder).map((p) => p.path)).toEqual(['a.csv', 'sub/b.csv']);
    expect(uploadedFromOf(folder)).toBe('raw/');
    const single = [file('x.csv'), file('y.csv')];
    expect(pickedFiles(single).map((p) => p.path)).toEqual(['x.csv', 'y.csv']);
    expect(uploadedFromOf(single)).toBe('x.csv, y.csv');
  });
});
