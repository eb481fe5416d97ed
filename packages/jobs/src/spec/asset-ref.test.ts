import { describe, expect, it } from 'vitest';
import {
  formatAssetRef,
  parseAssetRef,
  parseComputeRef,
  tryParseAssetRef,
  tryParseComputeRef,
  tryParseInputPath,
} from './asset-ref.js';

describe('asset references', () => {
  it.each([
    [
      'azureml:AzureML-sklearn-0.24-ubuntu18.04-py37-cpu:9',
      {
        kind: 'versioned',
        name: 'AzureML-sklearn-0.24-ubuntu18.04-py37-cpu',
        version: '9',
        syntax: 'azureml',
      },
    ],
    [
      'azureml:sklearn-1.0@latest',
      { kind: 'labeled', name: 'sklearn-1.0', label: 'latest', syntax: 'azureml' },
    ],
    ['sklearn:3', { kind: 'versioned', name: 'sklearn', version: '3', syntax: 'cairn' }],
    ['sklearn@latest', { kind: 'labeled', name: 'sklearn', label: 'latest', syntax: 'cairn' }],
    [
      'azureml://registries/azureml/environments/sklearn-1.5/labels/latest',
      {
        kind: 'labeled',
        name: 'sklearn-1.5',
        label: 'latest',
        registry: { name: 'azureml', assetType: 'environments' },
        syntax: 'azureml-uri',
      },
    ],
    [
      'azureml://registries/azureml/environments/sklearn-1.5/versions/7',
      {
        kind: 'versioned',
        name: 'sklearn-1.5',
        version: '7',
        registry: { name: 'azureml', assetType: 'environments' },
        syntax: 'azureml-uri',
      },
    ],
    [
      'azureml://datastores/workspaceblobstore/paths/data/iris/iris.csv',
      {
        kind: 'datastore-path',
        datastore: 'workspaceblobstore',
        path: 'data/iris/iris.csv',
        syntax: 'azureml-uri',
      },
    ],
  ])('parses %s and formats it back', (text, expected) => {
    const ref = parseAssetRef(text);
    expect(ref).toEqual(expected);
    expect(formatAssetRef(ref)).toBe(text);
  });

  it.each([
    ['azureml:sklearn', 'names no version: write azureml:sklearn:<version> or azureml:sklearn@latest'],
    ['sklearn', 'names no version: write sklearn:<version> or sklearn@latest'],
    ['azureml:sklearn:', 'has an empty or invalid version'],
    ['azureml:sklearn@', 'has an empty or invalid label'],
    ['azureml:-bad:1', 'is not a valid asset name'],
    ['azureml://registries/azureml/environments/x', 'is not a registry reference'],
    ['azureml://registries/azureml/widgets/x/versions/1', 'unknown asset type "widgets"'],
    ['azureml://datastores/store/files/x', 'is not a datastore path'],
    [
      'azureml://subscriptions/s/resourcegroups/r/workspaces/w/environments/e/versions/1',
      'for a workspace asset write azureml:<name>:<version>',
    ],
    ['  ', 'the reference is empty'],
  ])('rejects %s', (text, reason) => {
    const result = tryParseAssetRef(text);
    expect(result.type).toBe('error');
    if (result.type === 'error') expect(result.reason).toContain(reason);
  });

  it('throws INVALID_ARGUMENT naming the field', () => {
    expect(() => parseAssetRef('azureml:x', 'environment')).toThrow(
      /^environment: "azureml:x" names no version/,
    );
  });
});

describe('compute references', () => {
  it('reads Azure and Cairn forms', () => {
    expect(parseComputeRef('azureml:cpu-cluster')).toEqual({ name: 'cpu-cluster', syntax: 'azureml' });
    expect(parseComputeRef('local')).toEqual({ name: 'local', syntax: 'cairn' });
  });

  it.each(['azureml:cpu-cluster:1', '9lives', 'azureml://computes/x', ''])('rejects %j', (text) => {
    expect(tryParseComputeRef(text).type).toBe('error');
  });

  it('throws with the field', () => {
    expect(() => parseComputeRef('a b')).toThrow(/^compute: "a b" is not a valid compute name/);
  });
});

describe('input paths', () => {
  it('tells assets, URIs and local paths apart', () => {
    expect(tryParseInputPath('azureml:iris:1')).toMatchObject({ type: 'success', value: { kind: 'asset' } });
    expect(tryParseInputPath('wasbs://datasets@x.blob.core.windows.net/iris.csv')).toEqual({
      type: 'success',
      value: { kind: 'uri', scheme: 'wasbs', uri: 'wasbs://datasets@x.blob.core.windows.net/iris.csv' },
    });
    expect(tryParseInputPath('./data/run:1.csv')).toEqual({
      type: 'success',
      value: { kind: 'local', path: './data/run:1.csv' },
    });
    expect(tryParseInputPath('azureml:iris').type).toBe('error');
  });
});
