/**
 * One Cairn measurement in a process of its own, as a CLI run would be: hashFolder over `--root` with the
 * hash cache at `--cache`, printing one JSON line with the time of the call and what it did.
 *
 *   node --import tsx bench/data/hash-folder-child.ts --root DIR --cache FILE
 */
import { hashFolder, openHashCache } from '@cairn/fileset';

const arg = (name: string): string => {
  const i = process.argv.indexOf(`--${name}`);
  const value = i > 0 ? process.argv[i + 1] : undefined;
  if (!value) throw new Error(`--${name} is required`);
  return value;
};

const cache = openHashCache(arg('cache'));
const started = performance.now();
const result = await hashFolder(arg('root'), { cache });
const ms = performance.now() - started;
cache.close();
process.stdout.write(
  `${JSON.stringify({ ms, files: result.files, bytes: result.totalBytes, counts: result.counts, rssMiB: Math.round(process.memoryUsage().rss / 2 ** 20) })}\n`,
);
