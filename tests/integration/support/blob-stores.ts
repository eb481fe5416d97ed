import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BlobStore, LocalBlobStore } from '@cairn/store';
import { S3BlobStore, type S3BlobStoreOptions } from '@cairn/store/s3';
import { type Disposable, testS3 } from './env.js';

export type BlobKind = BlobStore['kind'];

/** Every blob backend; suites loop over this with `describe.each(BLOB_KINDS)`. */
export const BLOB_KINDS: readonly BlobKind[] = ['local', 's3'];

type S3Tuning = Partial<
  Pick<S3BlobStoreOptions, 'partBytes' | 'queueSize' | 'copyThresholdBytes' | 'copyPartBytes'>
>;

/**
 * A fresh, empty blob store of `kind`: a new temporary folder, or a new random prefix in the SeaweedFS
 * test bucket. `dispose` closes it (and removes the folder; the bucket goes with the SeaweedFS instance).
 */
export async function openTestBlobStore(
  kind: BlobKind,
  s3Tuning: S3Tuning = {},
): Promise<{ blobs: BlobStore } & Disposable> {
  if (kind === 'local') {
    const dir = await mkdtemp(join(tmpdir(), 'cairn-test-blobs-'));
    return { blobs: new LocalBlobStore(dir), dispose: () => rm(dir, { recursive: true, force: true }) };
  }
  const blobs = openTestS3BlobStore(`test-${randomUUID()}`, s3Tuning);
  await blobs.verify();
  return { blobs, dispose: () => blobs.close() };
}

/** An S3 blob store on the test bucket under `prefix`, with overrides of the test settings. */
export function openTestS3BlobStore(
  prefix: string,
  tuning: S3Tuning = {},
  overrides: Partial<{ endpoint: string; bucket: string; accessKeyId: string; secretAccessKey: string }> = {},
): S3BlobStore {
  const s3 = { ...testS3(), ...overrides };
  return S3BlobStore.fromUri(
    `s3://${s3.bucket}/${prefix}`,
    {
      endpoint: s3.endpoint,
      region: s3.region,
      accessKeyId: s3.accessKeyId,
      secretAccessKey: s3.secretAccessKey,
    },
    tuning,
  );
}
