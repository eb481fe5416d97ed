// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${{inputs.x}} is Azure ML's placeholder syntax, not a template literal
import { describe, expect, it } from 'vitest';
import {
  dataRef,
  dataVersionHref,
  describeEnvironment,
  rerunInputs,
  rerunOverrides,
  specCommand,
  specInputs,
  specOutputs,
} from './job-spec-view.js';

describe('job spec view', () => {
  it('reads data references', () => {
    expect(dataRef('azureml:iris:3')).toEqual({ name: 'iris', version: '3' });
    expect(dataRef('azureml:iris@latest')).toEqual({ name: 'iris', version: 'latest' });
    expect(dataRef('azureml://datastores/s3/paths/x')).toBeNull();
    expect(dataRef('./data')).toBeNull();
    expect(dataVersionHref({ name: 'my data', version: '1' })).toBe('/data/my%20data/1');
  });

  it('lists inputs of every form with their values', () => {
    const inputs = specInputs({
      inputs: {
        C: 0.5,
        name: 'x',
        epochs: { type: 'integer', default: 3 },
        train: { type: 'uri_folder', path: 'azureml:iris:2', mode: 'download' },
        remote: { type: 'uri_file', path: 's3://bucket/a.csv' },
        local: { path: '/data/a' },
      },
    });
    expect(inputs.map((i) => [i.name, i.kind, i.value, i.type])).toEqual([
      ['C', 'literal', '0.5', null],
      ['name', 'literal', 'x', null],
      ['epochs', 'literal', '3', 'integer'],
      ['train', 'data', 'azureml:iris:2', 'uri_folder'],
      ['remote', 'uri', 's3://bucket/a.csv', 'uri_file'],
      ['local', 'path', '/data/a', 'uri_folder'],
    ]);
    expect(inputs[3]!.data).toEqual({ name: 'iris', version: '2' });
    expect(inputs[3]!.mode).toBe('download');
    expect(specInputs({})).toEqual([]);
  });

  it('lists outputs and the data asset each registers as', () => {
    expect(specOutputs({ outputs: { model: null, preds: { type: 'uri_file', name: 'preds' } } })).toEqual([
      { name: 'model', type: 'uri_folder', registersAs: null },
      { name: 'preds', type: 'uri_file', registersAs: { name: 'preds', version: 'latest' } },
    ]);
  });

  it('describes environments and finds a sweep command in its trial', () => {
    expect(describeEnvironment('azureml:torch:2')).toBe('azureml:torch:2');
    expect(describeEnvironment({ pip: ['numpy', 'pandas'], python: '3.11' })).toBe(
      'inline: 2 pip requirement(s), python 3.11',
    );
    expect(describeEnvironment(undefined)).toMatch(/^none/);
    expect(specCommand({ trial: { command: 'python t.py' } })).toBe('python t.py');
  });

  it('turns edited inputs and extra lines into set overrides', () => {
    const inputs = specInputs({ inputs: { C: 0.5, data: { path: 'azureml:iris:1' } } });
    expect(rerunOverrides(inputs, { C: '0.5', data: 'azureml:iris:2' }, '\n limits.timeout=1h \n')).toEqual({
      type: 'success',
      set: ['inputs.data=azureml:iris:2', 'limits.timeout=1h'],
    });
    const bad = rerunOverrides(inputs, {}, 'compute=local\noops');
    expect(bad).toEqual({
      type: 'error',
      reason: expect.stringContaining("Line 2 of the other changes ('oops')"),
    });
  });
});

describe('rerun inputs', () => {
  it("adds a trial's drawn values as the inputs its rerun will have", () => {
    const inputs = rerunInputs({
      command: 'python t.py ${{search_space.lr}} ${{search_space.model.depth}} ${{inputs.data}}',
      inputs: { data: { path: '/d' } },
      trial_params: { lr: 0.01, model: { depth: 3 }, unused: 1 },
    });
    expect(inputs.map((i) => [i.name, i.value])).toEqual([
      ['data', '/d'],
      ['lr', '0.01'],
      ['model_depth', '3'],
    ]);
    expect(rerunInputs({ command: 'x', inputs: { a: 1 } }).map((i) => i.name)).toEqual(['a']);
  });
});
