import { CairnError, ErrorCode } from '@cairn/core';
import { describe, expect, it } from 'vitest';
import { parseDatastoreSpec, parseDatastoreYaml } from './datastore-spec.js';

function specFailure(fn: () => unknown): CairnError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(CairnError);
    expect((err as CairnError).code).toBe(ErrorCode.INVALID_ARGUMENT);
    return err as CairnError;
  }
  throw new Error('expected INVALID_ARGUMENT');
}

const yaml = (lines: string[]) => `${lines.join('\n')}\n`;

describe('parseDatastoreYaml', () => {
  it('reads each type, normalising the S3 prefix and keeping tags as strings', () => {
    expect(parseDatastoreYaml(yaml(['name: raw', 'type: local', 'path: /data/raw']), 'ds.yml')).toEqual({
      name: 'raw',
      type: 'local',
      path: '/data/raw',
    });
    const s3 = parseDatastoreYaml(
      yaml([
        '$schema: https://azuremlschemas.azureedge.net/latest/azureBlob.schema.json',
        'name: lake',
        'description: the lake',
        'type: s3',
        'bucket: cairn-data',
        'prefix: /team/a/',
        'endpoint_url: http://127.0.0.1:8333',
        'region: eu-west-1',
        'force_path_style: true',
        'credentials:',
        '  access_key_id: AKIA',
        '  secret_access_key: secret',
        'tags: {owner: ada, epoch: 3}',
      ]),
      'ds.yml',
    );
    expect(s3).toMatchObject({ type: 's3', prefix: 'team/a', tags: { owner: 'ada', epoch: '3' } });
    const http = parseDatastoreYaml(
      yaml([
        'name: web',
        'type: http',
        'url: https://example.com/data/',
        'headers: {Authorization: Bearer x}',
      ]),
      'ds.yml',
    );
    expect(http).toEqual({
      name: 'web',
      type: 'http',
      url: 'https://example.com/data/',
      headers: { Authorization: 'Bearer x' },
    });
  });

  it('reports every problem at its line and column', () => {
    const err = specFailure(() =>
      parseDatastoreYaml(
        yaml([
          'name: lake',
          'type: s3',
          'bucket: cairn/data',
          'prefix: a/../../b',
          'endpoint_url: ftp://host',
          'credentials:',
          '  access_key_id: AKIA',
          '  secret_acces_key: s',
        ]),
        'ds.yml',
      ),
    );
    const lines = err.message.split('\n');
    expect(lines[0]).toMatch(/^ds\.yml:3:9: bucket: "cairn\/data" is not a bucket name: .*prefix/);
    expect(lines[1]).toMatch(/^ds\.yml:4:9: prefix: "a\/..\/..\/b" leads outside the datastore/);
    expect(lines[2]).toMatch(/^ds\.yml:5:15: endpoint_url: "ftp:\/\/host" is not an http\(s\) URL/);
    expect(lines[3]).toBe('ds.yml:7:3: credentials.secret_access_key: is required');
    expect(lines[4]).toMatch(
      /^ds\.yml:8:3: credentials\.secret_acces_key: unknown field .*did you mean "secret_access_key"/,
    );
    expect(err.details).toMatchObject({ field: 'bucket', line: 3, column: 9 });
  });

  it('suggests a type and refuses Azure Storage types with a clear reason', () => {
    const typo = specFailure(() =>
      parseDatastoreYaml(yaml(['name: a', 'type: lokal', 'path: /x']), 'ds.yml'),
    );
    expect(typo.message).toMatch(
      /^ds\.yml:2:7: type: expected one of .*got "lokal" \(did you mean "local"\?\)/,
    );
    for (const type of ['azure_blob', 'azure_data_lake_gen2', 'azure_file']) {
      const err = specFailure(() =>
        parseDatastoreYaml(
          yaml(['name: a', `type: ${type}`, 'account_name: acct', 'container_name: c']),
          'ds.yml',
        ),
      );
      expect(err.message).toMatch(
        new RegExp(`^ds\\.yml:2:7: type: "${type}" datastores need Azure Storage.*not implemented.*type: s3`),
      );
      expect(err.details.field).toBe('type');
    }
  });

  it('refuses a URL carrying a password without echoing it', () => {
    const err = specFailure(() =>
      parseDatastoreYaml(yaml(['name: a', 'type: http', 'url: https://ada:hunter2@example.com/x']), 'ds.yml'),
    );
    expect(err.message).toMatch(/^ds\.yml:3:6: url: a URL cannot carry a user name or password/);
    expect(JSON.stringify({ message: err.message, details: err.details })).not.toContain('hunter2');
  });

  it('resolves a relative local path against baseDir, and refuses it without one', () => {
    const text = yaml(['name: a', 'type: local', 'path: ./data']);
    expect(parseDatastoreYaml(text, '/proj/ds.yml', { baseDir: '/proj' })).toMatchObject({
      path: '/proj/data',
    });
    expect(specFailure(() => parseDatastoreYaml(text, 'ds.yml')).message).toMatch(
      /^ds\.yml:3:7: path: "\.\/data" is relative: write the absolute path/,
    );
  });

  it('reports YAML syntax errors and non-mappings at their position', () => {
    expect(specFailure(() => parseDatastoreYaml('name: a\ntype: [local\n', 'ds.yml')).message).toMatch(
      /^ds\.yml:\d+:\d+: YAML syntax error/,
    );
    expect(specFailure(() => parseDatastoreYaml('', 'ds.yml')).message).toMatch(
      /^ds\.yml:1:1: expected a mapping of datastore fields/,
    );
    expect(specFailure(() => parseDatastoreYaml('- a\n', 'ds.yml')).message).toMatch(/got a list/);
  });
});

describe('parseDatastoreSpec', () => {
  it('validates an API body, prefixing messages with what it is', () => {
    expect(parseDatastoreSpec({ name: 'a', type: 's3', bucket: 'b' })).toEqual({
      name: 'a',
      type: 's3',
      bucket: 'b',
    });
    const err = specFailure(() => parseDatastoreSpec({ name: 'a', type: 's3' }, { what: 'body' }));
    expect(err.message).toBe('body: bucket: is required');
    expect(err.details.field).toBe('bucket');
  });
});
