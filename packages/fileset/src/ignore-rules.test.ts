import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { IgnoreRules } from './ignore-rules.js';
import { walkFolder } from './walk-folder.js';

let root: string;

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'cairn-ignore-'));
});

afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

async function tree(files: Record<string, string>): Promise<void> {
  for (const [path, content] of Object.entries(files)) {
    await mkdir(dirname(join(root, path)), { recursive: true });
    await writeFile(join(root, path), content);
  }
}

async function walkedPaths(): Promise<string[]> {
  return (await walkFolder(root, { ignoreFiles: true })).entries.map((entry) => entry.path);
}

describe('IgnoreRules', () => {
  it('resolves patterns relative to the folder holding them, deeper folders winning', () => {
    const rules = IgnoreRules.empty().enter('', ['*.log\n/top.txt\n']).enter('sub', ['!keep.log\ntop.txt\n']);
    expect(rules.ignores('a.log', false)).toBe(true);
    expect(rules.ignores('sub/keep.log', false)).toBe(false);
    expect(rules.ignores('sub/other.log', false)).toBe(true);
    expect(rules.ignores('top.txt', false)).toBe(true);
    expect(rules.ignores('sub/top.txt', false)).toBe(true);
    expect(rules.ignores('sub/deeper/top.txt', false)).toBe(true);
  });

  it('applies directory-only patterns to folders only', () => {
    const rules = IgnoreRules.empty().enter('', ['build/\n']);
    expect(rules.ignores('build', true)).toBe(true);
    expect(rules.ignores('build', false)).toBe(false);
    expect(rules.ignores('src/build', true)).toBe(true);
  });

  it('always skips .git', () => {
    expect(IgnoreRules.empty().ignores('.git', true)).toBe(true);
    expect(IgnoreRules.empty().ignores('sub/.git', false)).toBe(true);
  });
});

describe('walkFolder with ignore files', () => {
  it('honours nested .gitignore files, negation and directory rules', async () => {
    await tree({
      '.gitignore': '*.log\nbuild/\n__pycache__/\n',
      'train.py': 'print(1)',
      'debug.log': 'x',
      'build/out.bin': 'x',
      'src/build': 'a file named build is kept',
      'src/__pycache__/m.pyc': 'x',
      'src/.gitignore': '!keep.log\n/local-only.txt\n',
      'src/keep.log': 'kept by negation',
      'src/drop.log': 'x',
      'src/local-only.txt': 'x',
      'local-only.txt': 'only ignored under src/',
    });
    expect(await walkedPaths()).toEqual([
      '.gitignore',
      'local-only.txt',
      'src/.gitignore',
      'src/build',
      'src/keep.log',
      'train.py',
    ]);
  });

  it('honours .amlignore and .cairnignore with the same syntax, later files overriding', async () => {
    await tree({
      '.gitignore': 'data/\n',
      '.amlignore': '*.ckpt\n!data/\n',
      '.cairnignore': 'notes.md\n',
      'data/train.csv': 'a,b',
      'model.ckpt': 'x',
      'notes.md': 'x',
      'run.sh': 'x',
      'deep/x/.amlignore': 'secret.txt\n',
      'deep/x/secret.txt': 'x',
      'deep/secret.txt': 'outside the subtree of that .amlignore',
    });
    expect(await walkedPaths()).toEqual([
      '.amlignore',
      '.cairnignore',
      '.gitignore',
      'data/train.csv',
      'deep/secret.txt',
      'deep/x/.amlignore',
      'run.sh',
    ]);
  });

  it('cannot re-include a file whose folder is excluded, as git does', async () => {
    await tree({ '.gitignore': 'out/\n!out/keep.txt\n', 'out/keep.txt': 'x', 'a.txt': 'x' });
    expect(await walkedPaths()).toEqual(['.gitignore', 'a.txt']);
  });

  it('skips .git and records symlinks inside the root, skipping those leaving it with a warning', async () => {
    await tree({ '.git/HEAD': 'ref', 'lib/util.py': 'x' });
    await symlink('lib/util.py', join(root, 'util.py'));
    await symlink('../../etc/passwd', join(root, 'lib/escape'));
    await symlink('/etc/hostname', join(root, 'absolute'));
    const walked = await walkFolder(root, { ignoreFiles: true });
    expect(walked.entries.map((e) => [e.path, e.kind])).toEqual([
      ['lib/util.py', 'file'],
      ['util.py', 'symlink'],
    ]);
    expect(walked.warnings).toHaveLength(2);
    expect(walked.warnings.join('\n')).toContain('lib/escape');
  });
});
