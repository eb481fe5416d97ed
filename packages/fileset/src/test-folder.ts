// Test helpers: a fresh temporary folder per test, filled from a map of paths to contents.
import { mkdir, mkdtemp, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

export interface TestFolder {
  path: string;
  write(files: Record<string, string | Buffer>): Promise<void>;
  /** Sets mtime (and atime) `secondsAgo` in the past: older than the hash cache's racy window. */
  age(relativePath: string, secondsAgo?: number): Promise<void>;
  remove(): Promise<void>;
}

export async function testFolder(prefix: string): Promise<TestFolder> {
  const path = await mkdtemp(join(tmpdir(), `cairn-fileset-${prefix}-`));
  return {
    path,
    async write(files) {
      for (const [relative, content] of Object.entries(files)) {
        await mkdir(dirname(join(path, relative)), { recursive: true });
        await writeFile(join(path, relative), content);
      }
    },
    async age(relative, secondsAgo = 60) {
      const when = Date.now() / 1000 - secondsAgo;
      await utimes(join(path, relative), when, when);
    },
    remove: () => rm(path, { recursive: true, force: true }),
  };
}
