import { CairnError } from '@cairn/core';
import { describe, expect, it } from 'vitest';
import { S3BlobStore, type S3Settings } from './s3-blob-store.js';

// Behaviour against a real S3 API is in tests/integration/store/blob-store.test.ts; these cover what is
// decided before any request is sent.
const s3: S3Settings = {
  endpoint: 'http://127.0.0.1:1',
  region: 'us-east-1',
  accessKeyId: 'a',
  secretAccessKey: 'b',
};

function fieldOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    if (err instanceof CairnError) return err.details.field as string | undefined;
    throw err;
  }
  throw new Error('expected a CairnError');
}

describe('S3BlobStore.fromUri', () => {
  it('accepts a bucket with or without a prefix', async () => {
    for (const uri of ['s3://bucket', 's3://bucket/', 's3://bucket/a/b/', 's3://bucket//a']) {
      const store = S3BlobStore.fromUri(uri, s3);
      expect(store.kind).toBe('s3');
      await store.close();
    }
  });

  it('names blobUri for a malformed URI', () => {
    expect(fieldOf(() => S3BlobStore.fromUri('s3:/bucket', s3))).toBe('blobUri');
    expect(fieldOf(() => S3BlobStore.fromUri('s3://', s3))).toBe('blobUri');
  });

  it('names the missing half of the credentials', () => {
    expect(fieldOf(() => S3BlobStore.fromUri('s3://b', { ...s3, secretAccessKey: null }))).toBe(
      's3.secretAccessKey',
    );
    expect(fieldOf(() => S3BlobStore.fromUri('s3://b', { ...s3, accessKeyId: null }))).toBe('s3.accessKeyId');
  });

  it('names s3.endpoint when it is not an http(s) URL', () => {
    expect(fieldOf(() => S3BlobStore.fromUri('s3://b', { ...s3, endpoint: 'localhost:9000' }))).toBe(
      's3.endpoint',
    );
  });

  it('rejects a malformed digest before any request', async () => {
    const store = S3BlobStore.fromUri('s3://b', s3);
    await expect(store.get('not-a-digest')).rejects.toThrow(/not a sha256 digest/);
    await store.close();
  });
});
