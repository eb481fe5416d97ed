import { createReadStream, mkdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import type { BlobSink, FileSetProgress, HashCache } from '@cairn/fileset';
import { openHashCache } from '@cairn/fileset';
import type { CairnClient } from '@cairn/sdk';
import cliProgress from 'cli-progress';
import tar from 'tar-stream';
import { formatBytes } from './output.js';

/** Content goes to the server through its upload API: only what the workspace lacks is sent. */
export function remoteSink(client: CairnClient): BlobSink {
  return {
    concurrency: 8,
    missing: (sha256s) => client.blobs.missing(sha256s),
    put: (body: Readable, expected) => client.blobs.put(expected.sha256, body),
    putBatch: (files, onBytes) => client.blobs.putBatch(tarOf(files, onBytes)),
  };
}

/** A tar of the files, each entry named by its sha256, read as the request body is sent. */
function tarOf(
  files: readonly { absolutePath: string; size: number; sha256: string }[],
  onBytes: (n: number) => void,
): AsyncIterable<Uint8Array> {
  const pack = tar.pack();
  void (async () => {
    try {
      for (const file of files) {
        const entry = pack.entry({ name: file.sha256, size: file.size });
        for await (const chunk of createReadStream(file.absolutePath)) {
          const bytes = chunk as Buffer;
          onBytes(bytes.length);
          if (!entry.write(bytes)) await new Promise<void>((resolve) => entry.once('drain', () => resolve()));
        }
        await new Promise<void>((resolve, reject) =>
          entry.end((err?: Error | null) => (err ? reject(err) : resolve())),
        );
      }
      pack.finalize();
    } catch (err) {
      pack.destroy(err as Error);
    }
  })();
  return pack as unknown as AsyncIterable<Uint8Array>;
}

/**
 * The CLI's cache of file hashes by path, size, mtime and inode (`$XDG_CACHE_HOME/cairn`, else
 * `~/.cache/cairn`), so uploading an unchanged folder again reads no file. Null when it cannot be opened
 * (a read-only home): uploads still work, hashing every file.
 */
export function cliHashCache(env: NodeJS.ProcessEnv = process.env): HashCache | null {
  const dir = join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'cairn');
  try {
    mkdirSync(dir, { recursive: true });
    return openHashCache(join(dir, 'hashes.sqlite'));
  } catch {
    return null;
  }
}

/** Below this many bytes a pass ends before a bar would say anything useful. */
const BAR_THRESHOLD_BYTES = 8 * 1024 * 1024;

/**
 * A progress bar on stderr for one pass over a file set (hashing, uploading, downloading): files, bytes,
 * rate and ETA. Shown only on a terminal and only for passes worth watching.
 */
export class FileSetBar {
  readonly #label: string;
  #bar: cliProgress.SingleBar | null = null;
  #done = false;

  constructor(label: string) {
    this.#label = label;
  }

  readonly update = (p: FileSetProgress): void => {
    if (this.#done) return;
    if (!this.#bar) {
      if (!process.stderr.isTTY || p.bytesTotal < BAR_THRESHOLD_BYTES) return;
      this.#bar = new cliProgress.SingleBar(
        {
          format: `${this.#label.padEnd(10)} {bar} {percentage}% | {files} files | {done} / {size} | {rate} | ETA {eta_formatted}`,
          stream: process.stderr,
          hideCursor: true,
          etaBuffer: 50,
        },
        cliProgress.Presets.shades_classic,
      );
      this.#bar.start(p.bytesTotal, 0);
    }
    this.#bar.update(p.bytesDone, {
      files: `${p.filesDone}/${p.filesTotal}`,
      done: formatBytes(p.bytesDone),
      size: formatBytes(p.bytesTotal),
      rate: `${formatBytes(p.bytesPerSecond)}/s`,
    });
  };

  stop(): void {
    this.#done = true;
    this.#bar?.stop();
  }
}
