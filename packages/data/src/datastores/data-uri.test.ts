import { describe, expect, it } from 'vitest';
import { type DataUri, formatDataUri, parseDataUri, tryParseDataUri } from './data-uri.js';
import { normaliseDatastorePath } from './datastore-path.js';

const reason = (text: string): string => {
  const result = tryParseDataUri(text);
  if (result.type === 'success') throw new Error(`expected "${text}" to be refused`);
  return result.reason;
};

describe('parseDataUri', () => {
  it('reads Azure ML and Cairn datastore URIs to the same location', () => {
    const azure = parseDataUri('azureml://datastores/lake/paths/raw/2024/');
    const cairn = parseDataUri('cairn://datastores/lake/paths/raw/2024/');
    const expected = { kind: 'datastore', datastore: 'lake', path: 'raw/2024', trailingSlash: true };
    expect(azure).toEqual({ ...expected, syntax: 'azureml' });
    expect(cairn).toEqual({ ...expected, syntax: 'cairn' });
    expect(parseDataUri('azureml://datastores/lake/paths/iris.csv')).toMatchObject({
      path: 'iris.csv',
      trailingSlash: false,
    });
    expect(parseDataUri('cairn://datastores/lake/paths/')).toMatchObject({ path: '' });
  });

  it('reads the long forms that name a workspace', () => {
    expect(
      parseDataUri(
        'azureml://subscriptions/0000/resourcegroups/rg/workspaces/ws1/datastores/workspaceblobstore/paths/a/b.csv',
      ),
    ).toEqual({
      kind: 'datastore',
      datastore: 'workspaceblobstore',
      path: 'a/b.csv',
      trailingSlash: false,
      workspace: 'ws1',
      syntax: 'azureml',
    });
    expect(parseDataUri('cairn://workspaces/ws1/datastores/lake/paths/x')).toMatchObject({
      workspace: 'ws1',
      datastore: 'lake',
      path: 'x',
    });
  });

  it('reads s3, http(s), file: URIs and absolute paths', () => {
    expect(parseDataUri('s3://bucket/a/b/')).toEqual({
      kind: 's3',
      bucket: 'bucket',
      key: 'a/b',
      trailingSlash: true,
    });
    expect(parseDataUri('s3://bucket')).toEqual({
      kind: 's3',
      bucket: 'bucket',
      key: '',
      trailingSlash: false,
    });
    expect(parseDataUri('https://example.com/d/iris.csv?x=1')).toEqual({
      kind: 'http',
      url: 'https://example.com/d/iris.csv?x=1',
    });
    expect(parseDataUri('file:///data/my%20file.csv')).toEqual({ kind: 'local', path: '/data/my file.csv' });
    expect(parseDataUri('/data/./raw/')).toEqual({ kind: 'local', path: '/data/raw' });
    expect(parseDataUri('raw/x.csv', { baseDir: '/proj' })).toEqual({
      kind: 'local',
      path: '/proj/raw/x.csv',
    });
  });

  it('refuses what it cannot read, saying what to write instead', () => {
    expect(reason('azureml://datastores/lake/raw')).toMatch(
      /expected azureml:\/\/datastores\/<datastore>\/paths\/<path>/,
    );
    expect(reason('azureml://datastores//paths/x')).toMatch(/is not a datastore URI/);
    expect(reason('cairn://datastores/lake/paths/../etc/passwd')).toMatch(/leads outside the datastore/);
    expect(reason('azureml:iris:1')).toMatch(/names a data asset, not a storage location/);
    expect(reason('wasbs://c@acct.blob.core.windows.net/x')).toMatch(/Azure Storage URI, which needs Azure/);
    expect(reason('gs://bucket/x')).toMatch(/unsupported scheme "gs:"/);
    expect(reason('data/x.csv')).toMatch(/relative path/);
    expect(reason('https://ada:pw@example.com/x')).toMatch(/cannot carry a user name or password/);
    expect(reason('  ')).toBe('the path is empty');
    expect(() => parseDataUri('gs://b', { field: 'inputs.x.path' })).toThrow(/^inputs\.x\.path: /);
  });

  it('formats every location back to text that parses to the same value', () => {
    const texts = [
      'azureml://datastores/lake/paths/raw/2024/',
      'cairn://datastores/lake/paths/iris.csv',
      'cairn://workspaces/ws1/datastores/lake/paths/x/',
      'azureml://subscriptions/s/resourcegroups/rg/workspaces/ws1/datastores/lake/paths/a',
      's3://bucket/a/b/',
      'https://example.com/x.csv',
      '/data/raw',
    ];
    for (const text of texts) {
      const uri: DataUri = parseDataUri(text);
      expect(parseDataUri(formatDataUri(uri))).toEqual(uri);
    }
  });
});

describe('normaliseDatastorePath', () => {
  it('gives one form per path and refuses escapes', () => {
    expect(normaliseDatastorePath('')).toBe('');
    expect(normaliseDatastorePath('/')).toBe('');
    expect(normaliseDatastorePath('./a//b/./c/')).toBe('a/b/c');
    expect(normaliseDatastorePath('a/../b')).toBe('b');
    expect(() => normaliseDatastorePath('a/../../b')).toThrow(/leads outside the datastore/);
    expect(() => normaliseDatastorePath('..')).toThrow(/leads outside/);
    expect(() => normaliseDatastorePath('a\0b')).toThrow(/NUL/);
  });
});
