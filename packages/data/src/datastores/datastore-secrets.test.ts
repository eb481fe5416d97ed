import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { SecretBox } from '../secrets/secret-box.js';
import {
  type DatastoreSecrets,
  redactDatastore,
  splitDatastoreSecrets,
  withDatastoreSecrets,
} from './datastore-secrets.js';
import type { DatastoreSpec } from './datastore-spec.js';

const s3: DatastoreSpec = {
  name: 'lake',
  type: 's3',
  bucket: 'b',
  endpoint_url: 'http://127.0.0.1:8333',
  credentials: {
    access_key_id: 'AKIA-SECRET-ID',
    secret_access_key: 'very-secret-key',
    session_token: 'tok-123',
  },
};
const http: DatastoreSpec = {
  name: 'web',
  type: 'http',
  url: 'https://example.com/x.csv',
  headers: { Authorization: 'Bearer sekrit-token', 'X-Api-Key': 'key-456' },
};
const SECRET_VALUES = ['AKIA-SECRET-ID', 'very-secret-key', 'tok-123', 'sekrit-token', 'key-456'];

const showsNoSecret = (value: unknown) => {
  const text = JSON.stringify(value);
  for (const secret of SECRET_VALUES) expect(text).not.toContain(secret);
};

describe('datastore secrets', () => {
  it('redacts every secret value, keeping which fields and header names are set', () => {
    const redacted = redactDatastore(s3);
    expect(redacted).toEqual({
      ...s3,
      credentials: { access_key_id: '***', secret_access_key: '***', session_token: '***' },
    });
    expect(redactDatastore(http)).toEqual({ ...http, headers: { Authorization: '***', 'X-Api-Key': '***' } });
    showsNoSecret([redactDatastore(s3), redactDatastore(http)]);
    const local: DatastoreSpec = { name: 'l', type: 'local', path: '/data' };
    expect(redactDatastore(local)).toEqual(local);
  });

  it('splits secrets from the rest, seals them, and puts them back', () => {
    const box = new SecretBox(randomBytes(32));
    for (const spec of [s3, http]) {
      const { spec: publicPart, secrets } = splitDatastoreSecrets(spec);
      showsNoSecret(publicPart);
      expect(secrets).not.toBeNull();
      const sealed = box.encrypt(secrets);
      showsNoSecret(sealed);
      const opened = box.decrypt<DatastoreSecrets>(sealed);
      expect(withDatastoreSecrets(publicPart, opened)).toEqual(spec);
      // The API shows the stored (split) form redacted too.
      expect(redactDatastore(publicPart, opened)).toEqual(redactDatastore(spec));
    }
    expect(splitDatastoreSecrets({ name: 'l', type: 'local', path: '/d' }).secrets).toBeNull();
  });
});
