import { describe, expect, it } from 'vitest';
import { datastoreUri, parseTags, referenceRequest } from './data-form.js';

describe('register form', () => {
  const fields = {
    name: 'iris',
    type: 'uri_folder' as const,
    version: '',
    description: '',
    tags: '',
    path: 'azureml://datastores/raw/paths/iris/',
    refresh: '',
  };
  it('builds a reference request with tags and a refresh interval', () => {
    expect(referenceRequest({ ...fields, tags: 'team=vision, stage = raw\nfresh', refresh: '3600' })).toEqual(
      {
        type: 'success',
        value: {
          name: 'iris',
          type: 'uri_folder',
          path: 'azureml://datastores/raw/paths/iris/',
          tags: { team: 'vision', stage: 'raw', fresh: '' },
          refreshIntervalSeconds: 3600,
        },
      },
    );
  });
  it('names the field that is wrong', () => {
    expect(referenceRequest({ ...fields, name: '-bad' })).toMatchObject({ type: 'error', field: 'name' });
    expect(referenceRequest({ ...fields, version: 'latest' })).toMatchObject({
      type: 'error',
      field: 'version',
    });
    expect(referenceRequest({ ...fields, path: ' ' })).toMatchObject({ type: 'error', field: 'path' });
    expect(parseTags('=x')).toMatchObject({ type: 'error', field: 'tags' });
    expect(datastoreUri('raw', 'a/')).toBe('azureml://datastores/raw/paths/a/');
  });
});
