import { CairnError } from '@cairn/core';
import { describe, expect, it } from 'vitest';
import { rangeUnder, validateArtifactPath } from './artifact-path.js';

describe('validateArtifactPath', () => {
  it('accepts canonical relative paths', () => {
    for (const p of ['a', 'model/MLmodel', '1/abc/artifacts/x y/z.txt', 'a..b', '.hidden/..c']) {
      expect(validateArtifactPath(p)).toBe(p);
    }
  });

  it.each([
    ['../x'],
    ['a/../../b'],
    ['a/..'],
    ['/etc/passwd'],
    ['C:/Windows'],
    ['a\\b'],
    ['..\\x'],
    ['a\0b'],
    ['a//b'],
    ['a/'],
    [''],
    ['./a'],
  ])('rejects %j as INVALID_ARGUMENT naming path', (p) => {
    try {
      validateArtifactPath(p);
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(CairnError);
      expect((err as CairnError).code).toBe('INVALID_ARGUMENT');
      expect((err as CairnError).details.field).toBe('path');
    }
  });

  it('lets folders end in one slash and be the root when allowed', () => {
    expect(validateArtifactPath('a/b/', { folder: true })).toBe('a/b');
    expect(validateArtifactPath('', { folder: true, allowRoot: true })).toBe('');
    expect(() => validateArtifactPath('a//', { folder: true })).toThrow(/empty segment/);
    expect(() => validateArtifactPath('', { folder: true })).toThrow(/empty/);
  });

  it('names the field it was given', () => {
    expect(() => validateArtifactPath('../x', { field: 'toDir' })).toThrow(/toDir/);
  });
});

describe('rangeUnder', () => {
  it('covers exactly the paths below a folder in byte order', () => {
    const r = rangeUnder('a')!;
    const inside = (p: string) => p >= r.lower && p < r.upper;
    expect(['a/b', 'a/b/c', 'a/'].every(inside)).toBe(true);
    expect(['a', 'a.txt', 'a-b/c', 'a0', 'ab', 'b'].some(inside)).toBe(false);
    expect(rangeUnder('')).toBeNull();
  });
});
