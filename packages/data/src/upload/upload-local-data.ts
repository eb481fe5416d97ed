import { createHash } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import { Readable } from 'node:stream';
import { invalidArgument } from '@cairn/core';
import {
  type BlobSink,
  type HashCache,
  type HashedFile,
  hashFiles,
  hashFolder,
  type ProgressListener,
  uploadFileSet,
} from '@cairn/fileset';
import type { DataType } from '../assets/data-records.js';
import { type DataManifest, dataManifest, serializeDataManifest } from '../manifest/data-manifest.js';

export interface UploadLocalDataOptions {
  /** A file (uri_file) or folder (uri_folder, mltable). */
  path: string;
  type: DataType;
  sink: BlobSink;
  /** Reuse hashes of files whose stat is unchanged (re-registering an unchanged folder reads nothing). */
  cache?: HashCache;
  onHashProgress?: ProgressListener;
  onUploadProgress?: ProgressListener;
}

export interface UploadLocalDataResult {
  manifestId: string;
  manifest: DataManifest;
  /** Files read and hashed, and those whose hash came from the cache. */
  hashed: number;
  fromCache: number;
  /** Contents the destination lacked and that were sent. */
  uploaded: number;
  bytesUploaded: number;
}

/**
 * Hashes a local file or folder (all cores, stat cache), uploads only the contents the destination
 * lacks, and uploads the data manifest naming them. Symbolic links are not followed: data is files.
 */
export async function uploadLocalData(options: UploadLocalDataOptions): Promise<UploadLocalDataResult> {
  const path = resolve(options.path);
  const info = await stat(path).catch(() => null);
  if (!info) throw invalidArgument(`'${options.path}' does not exist`, { field: 'path' });
  let files: HashedFile[];
  let hashed: number;
  let fromCache: number;
  if (options.type === 'uri_file') {
    if (!info.isFile()) {
      throw invalidArgument(
        `'${options.path}' is not a file: a uri_file asset is one file (use uri_folder for a folder)`,
        {
          field: 'path',
        },
      );
    }
    const [hash] = await hashFiles([{ absolutePath: path, size: info.size }], {
      onProgress: options.onHashProgress,
    });
    files = [
      {
        kind: 'file',
        path: basename(path),
        absolutePath: path,
        size: info.size,
        mtimeMs: info.mtimeMs,
        ctimeMs: info.ctimeMs,
        inode: info.ino,
        dev: info.dev,
        mode: 0o644,
        sha256: (hash as { sha256: string }).sha256,
      } as HashedFile,
    ];
    hashed = 1;
    fromCache = 0;
  } else {
    if (!info.isDirectory()) {
      throw invalidArgument(`'${options.path}' is not a folder: use type uri_file for a single file`, {
        field: 'path',
      });
    }
    const result = await hashFolder(path, {
      ignoreFiles: false,
      cache: options.cache,
      onProgress: options.onHashProgress,
    });
    files = result.entries.filter((e): e is HashedFile => e.kind === 'file');
    hashed = result.counts.hashed;
    fromCache = result.counts.fromCache;
    if (files.length === 0) throw invalidArgument(`'${options.path}' has no files`, { field: 'path' });
    if (options.type === 'mltable' && !files.some((f) => f.path === 'MLTable')) {
      throw invalidArgument(
        `'${options.path}' has no file named 'MLTable': an mltable asset is a folder with an MLTable file`,
        {
          field: 'path',
        },
      );
    }
  }
  const uploaded = await uploadFileSet(files, options.sink, {
    onProgress: options.onUploadProgress,
    cache: options.cache,
  });
  const manifest = dataManifest(
    files.map((f) => ({
      path: f.path,
      size: f.size,
      sha256: f.sha256,
      mtimeMs: null,
      etag: null,
      inode: null,
    })),
  );
  const bytes = Buffer.concat([...serializeDataManifest(manifest)]);
  const manifestSha = createHash('sha256').update(bytes).digest('hex');
  const stored = await options.sink.put(Readable.from([bytes]), { sha256: manifestSha, size: bytes.length });
  return {
    manifestId: stored.sha256,
    manifest,
    hashed,
    fromCache,
    uploaded: uploaded.uploaded,
    bytesUploaded: uploaded.bytesUploaded,
  };
}
