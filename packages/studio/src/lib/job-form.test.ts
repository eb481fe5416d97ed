// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${{inputs.x}} is Azure ML's placeholder syntax, not a template literal

import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import {
  dataAssetPath,
  emptyJobForm,
  formToSpec,
  formToYaml,
  issuesByField,
  literalValue,
  specCodeFolder,
} from './job-form.js';

describe('job form', () => {
  it('reads literal values as YAML would', () => {
    expect(literalValue('0.5')).toBe(0.5);
    expect(literalValue('-3')).toBe(-3);
    expect(literalValue('1e-3')).toBe(0.001);
    expect(literalValue('true')).toBe(true);
    expect(literalValue('adam')).toBe('adam');
    expect(literalValue('1.2.3')).toBe('1.2.3');
    expect(dataAssetPath(' iris:2 ')).toBe('azureml:iris:2');
    expect(dataAssetPath('azureml:iris@latest')).toBe('azureml:iris@latest');
  });

  it('builds the job spec and its YAML from the form', () => {
    const form = {
      ...emptyJobForm(),
      command: 'python train.py --lr ${{inputs.lr}} --data "${{inputs.train}}"',
      experimentName: 'exp',
      environment: 'sklearn:2',
      compute: 'slurm-cpu',
      inputs: [
        { name: 'lr', kind: 'value' as const, value: '0.01', type: 'uri_folder' as const },
        { name: 'train', kind: 'data' as const, value: 'iris@latest', type: 'uri_file' as const },
        { name: 'remote', kind: 'uri' as const, value: 's3://b/k', type: 'uri_folder' as const },
        { name: '', kind: 'value' as const, value: '', type: 'uri_folder' as const },
      ],
    };
    const spec = formToSpec(form);
    expect(spec).toEqual({
      type: 'command',
      command: form.command,
      experiment_name: 'exp',
      environment: 'azureml:sklearn:2',
      compute: 'azureml:slurm-cpu',
      inputs: {
        lr: 0.01,
        train: { type: 'uri_file', path: 'azureml:iris@latest' },
        remote: { type: 'uri_folder', path: 's3://b/k' },
      },
    });
    expect(parse(formToYaml(form))).toEqual(spec);
    expect(formToSpec(emptyJobForm())).toEqual({ type: 'command', command: '' });
  });

  it('maps the server issues onto the form fields', () => {
    const form = {
      ...emptyJobForm(),
      inputs: [{ name: 'lr', kind: 'value' as const, value: 'x', type: 'uri_folder' as const }],
    };
    const byField = issuesByField(
      [
        { field: 'command', message: 'required', line: 1, column: 1 },
        { field: 'inputs.lr', message: 'bad', line: 3, column: 3 },
        { field: 'limits', message: 'odd', line: null, column: null },
        { field: 'compute', message: 'no such compute', line: null, column: null },
      ],
      form,
    );
    expect(byField.get('command')).toEqual(['required']);
    expect(byField.get('input:0')).toEqual(['bad']);
    expect(byField.get('compute')).toEqual(['no such compute']);
    expect(byField.get('')).toEqual(['limits: odd']);
  });

  it('names the picked code folder in the spec, and maps code and snapshot issues to it', () => {
    const form = { ...emptyJobForm(), command: 'python train.py', code: 'src' };
    expect(formToSpec(form)).toEqual({ type: 'command', command: 'python train.py', code: './src' });
    const byField = issuesByField(
      [
        { field: 'code', message: 'no code folder', line: null, column: null },
        { field: 'snapshotId', message: 'not uploaded', line: null, column: null },
      ],
      form,
    );
    expect(byField.get('code')).toEqual(['no code folder', 'not uploaded']);
  });

  it("finds the code folder a pasted spec names (a sweep's in its trial)", () => {
    expect(specCodeFolder('command: python train.py\ncode: ./src\n')).toBe('./src');
    expect(specCodeFolder('type: sweep\ntrial:\n  code: .\n  command: x\n')).toBe('.');
    expect(specCodeFolder('command: python -c 1\n')).toBeNull();
    expect(specCodeFolder('code: [unclosed')).toBeNull();
    expect(specCodeFolder('just text')).toBeNull();
  });
});
