import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  diffManifests,
  isTargetInsideRoot,
  type Manifest,
  manifestDigest,
  parseManifest,
  serializeManifest,
} from './manifest.js';

const sha = (c: string) => c.repeat(64);
const serialize = (m: Manifest) => Buffer.concat([...serializeManifest(m)]).toString();
const subject = { subject: 'Snapshot x', field: 'snapshot' };

describe('manifest', () => {
  const manifest: Manifest = {
    version: 1,
    entries: [
      { path: 'a.py', size: 3, sha256: sha('a'), mode: 0o644 },
      { path: 'bin/run', size: 5, sha256: sha('b'), mode: 0o755 },
      { path: 'link', symlink: 'a.py' },
    ],
  };

  it('serialises canonically and parses back', () => {
    const json = serialize(manifest);
    expect(json).toBe(
      `{"version":1,"entries":[{"path":"a.py","size":3,"sha256":"${sha('a')}","mode":420},` +
        `{"path":"bin/run","size":5,"sha256":"${sha('b')}","mode":493},{"path":"link","symlink":"a.py"}]}`,
    );
    expect(parseManifest(json, subject)).toEqual(manifest);
  });

  it.each([
    ['an escaping path', [{ path: '../x', size: 1, sha256: sha('a'), mode: 420 }]],
    ['an absolute path', [{ path: '/etc/x', size: 1, sha256: sha('a'), mode: 420 }]],
    [
      'unsorted paths',
      [
        { path: 'b', size: 1, sha256: sha('a'), mode: 420 },
        { path: 'a', size: 1, sha256: sha('a'), mode: 420 },
      ],
    ],
    [
      'a path beneath a symlink',
      [
        { path: 'd', symlink: 'e' },
        { path: 'd/x', size: 1, sha256: sha('a'), mode: 420 },
      ],
    ],
    ['an escaping symlink', [{ path: 'd/l', symlink: '../../x' }]],
    ['an odd mode', [{ path: 'a', size: 1, sha256: sha('a'), mode: 0o4755 }]],
  ])('rejects %s', (_, entries) => {
    expect(() => parseManifest(JSON.stringify({ version: 1, entries }), subject)).toThrow(
      /^Snapshot x has an invalid manifest/,
    );
  });

  it('names the canonical bytes by their sha256', () => {
    const bytes = Buffer.from(serialize(manifest));
    expect(manifestDigest(manifest)).toEqual({
      sha256: createHash('sha256').update(bytes).digest('hex'),
      size: bytes.length,
    });
  });

  it('keeps symlink targets inside the root', () => {
    expect(isTargetInsideRoot('a/b/link', '../c')).toBe(true);
    expect(isTargetInsideRoot('a/link', '../../c')).toBe(false);
    expect(isTargetInsideRoot('link', '/etc')).toBe(false);
  });

  it('diffs two manifests', () => {
    const next: Manifest = {
      version: 1,
      entries: [
        { path: 'a.py', size: 3, sha256: sha('a'), mode: 0o755 },
        { path: 'c.py', size: 1, sha256: sha('c'), mode: 0o644 },
        { path: 'link', symlink: 'c.py' },
      ],
    };
    expect(diffManifests(manifest, next)).toEqual({
      added: ['c.py'],
      changed: ['a.py', 'link'],
      removed: ['bin/run'],
    });
  });
});
