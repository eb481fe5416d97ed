import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { hashFolder, manifestDigest } from '@cairn/fileset';
import { type SnapshotManifest, serializeManifest } from '@cairn/jobs';
import { afterEach, describe, expect, it } from 'vitest';
import type { PickedFile } from './blob-upload.js';
import { buildSnapshotManifest, CODE_LIMITS, codeLimitProblem, selectCodeFiles } from './code-upload.js';
import { sha256Hex } from './data-manifest.js';

// @cairn/fileset and @cairn/jobs are imported here only, to prove the browser snapshots a folder as the CLI does.

const folders: string[] = [];
afterEach(async () => {
  for (const f of folders.splice(0)) await rm(f, { recursive: true, force: true });
});

/** Writes `files` under a fresh folder and returns them as a folder pick would (paths below it). */
async function onDisk(files: Record<string, string>): Promise<{ root: string; picked: PickedFile[] }> {
  const root = await mkdtemp(join(tmpdir(), 'cairn-code-upload-'));
  folders.push(root);
  const picked: PickedFile[] = [];
  for (const [path, text] of Object.entries(files)) {
    await mkdir(dirname(join(root, path)), { recursive: true });
    await writeFile(join(root, path), text);
    picked.push({ path, file: new Blob([await readFile(join(root, path))]) });
  }
  return { root, picked };
}

describe('buildSnapshotManifest', () => {
  it('writes the bytes and digest of serializeManifest / manifestDigest for the same files', async () => {
    const files: Record<string, string> = {
      'train.py': 'print("hi")\n',
      'src/model.py': 'x = 1\n',
      'src/a-b.py': '',
      'Zebra.txt': 'upper',
      'zebra.txt': 'lower',
      'quote"and\\backslash.txt': 'escapes',
      'café/naïve.txt': 'accents',
      '😀.txt': 'astral',
      '\uff5e.txt': 'BMP above the surrogates',
    };
    const entries = await Promise.all(
      Object.entries(files).map(async ([path, text]) => {
        const bytes = new TextEncoder().encode(text);
        return { path, size: bytes.length, sha256: await sha256Hex(bytes) };
      }),
    );
    const studio = await buildSnapshotManifest(entries);
    const reference: SnapshotManifest = {
      version: 1,
      entries: [...entries]
        .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))
        .map((e) => ({ ...e, mode: 0o644 })),
    };
    expect(Buffer.from(studio.bytes).equals(Buffer.concat([...serializeManifest(reference)]))).toBe(true);
    expect({ sha256: studio.id, size: studio.bytes.length }).toEqual(manifestDigest(reference));
  });

  it("matches the CLI's snapshot of a folder on disk (files without an x bit)", async () => {
    const { root, picked } = await onDisk({ 'train.py': 'print(1)\n', 'lib/util.py': 'y = 2\n' });
    const folder = await hashFolder(root, { ignoreFiles: true });
    const cli: SnapshotManifest = {
      version: 1,
      entries: folder.entries.map((e) =>
        e.kind === 'file'
          ? { path: e.path, size: e.size, sha256: e.sha256, mode: e.mode }
          : { path: e.path, symlink: e.target },
      ),
    };
    const { files } = await selectCodeFiles(picked);
    const entries = await Promise.all(
      files.map(async (f) => ({
        path: f.path,
        size: f.file.size,
        sha256: await sha256Hex(await f.file.arrayBuffer()),
      })),
    );
    expect((await buildSnapshotManifest(entries)).id).toBe(manifestDigest(cli).sha256);
  });
});

describe('selectCodeFiles', () => {
  it('leaves out what the CLI leaves out: nested ignore files, negations, ignored folders, .git', async () => {
    const { root, picked } = await onDisk({
      '.gitignore': '*.log\nbuild/\ndata/*\n!data/keep.csv\n',
      '.cairnignore': 'secrets.env\n',
      'train.py': 'print(1)\n',
      'run.log': 'noise',
      'secrets.env': 'KEY=1',
      'build/out.bin': 'x',
      'build/.gitignore': '!out.bin\n',
      'data/big.csv': 'big',
      'data/keep.csv': 'keep',
      'src/.amlignore': 'scratch/\n/local.py\n',
      'src/model.py': 'm',
      'src/local.py': 'l',
      'src/scratch/tmp.py': 't',
      'src/deep/local.py': 'kept: the pattern is anchored to src/',
      'src/deep/.gitignore': '!*.log\n',
      'src/deep/debug.log': 'kept: re-included by the deeper folder',
      'src/other.log': 'ignored by the root .gitignore',
      '.git/HEAD': 'ref',
      'pkg/.git': 'gitdir: elsewhere',
    });
    const folder = await hashFolder(root, { ignoreFiles: true });
    const { files, ignored } = await selectCodeFiles(picked);
    expect(files.map((f) => f.path)).toEqual(folder.entries.map((e) => e.path));
    expect(files.map((f) => f.path)).toContain('src/deep/debug.log');
    expect(ignored).toEqual(
      [
        '.git/HEAD',
        'build/.gitignore',
        'build/out.bin',
        'data/big.csv',
        'pkg/.git',
        'run.log',
        'secrets.env',
        'src/local.py',
        'src/other.log',
        'src/scratch/tmp.py',
      ].sort(),
    );
  });
});

describe('codeLimitProblem', () => {
  const file = (path: string, size: number): PickedFile => ({ path, file: new Blob([new Uint8Array(size)]) });
  it('says which limit a folder is over and what to do', () => {
    const limits = { ...CODE_LIMITS, maxFiles: 2, maxFileBytes: 10, maxBytes: 15 };
    expect(codeLimitProblem([file('a', 1)], limits)).toBeNull();
    expect(codeLimitProblem([], limits)).toMatch(/no files to upload/);
    expect(codeLimitProblem([file('a', 1), file('b', 1), file('c', 1)], limits)).toMatch(
      /3 files after the ignore rules, more than the 2.*\.cairnignore.*cairn job create/,
    );
    expect(codeLimitProblem([file('model.bin', 11)], limits)).toMatch(/'model.bin' is 11 B.*data asset/);
    expect(codeLimitProblem([file('a', 8), file('b', 8)], limits)).toMatch(/holds 16 B/);
  });
});
