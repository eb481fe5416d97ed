import { describe, expect, it } from 'vitest';
import { parseComputeSpec, parseEnvironmentSpec, specToYaml } from './job-spec.js';

const messageOf = (fn: () => unknown): string => {
  try {
    fn();
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error('expected an error');
};

describe('environment YAML', () => {
  it('reads the Azure ML examples', () => {
    expect(
      parseEnvironmentSpec(`$schema: https://azuremlschemas.azureedge.net/latest/environment.schema.json
name: docker-image-plus-conda-example
image: mcr.microsoft.com/azureml/openmpi4.1.0-ubuntu20.04:latest
conda_file: conda-yamls/pydata.yml
description: Environment created from a Docker image plus Conda environment.
`).spec,
    ).toMatchObject({ name: 'docker-image-plus-conda-example', conda_file: 'conda-yamls/pydata.yml' });
    expect(
      parseEnvironmentSpec('name: docker-context-example\nbuild: {path: docker-contexts/python-and-pip}\n')
        .spec.build,
    ).toEqual({
      path: 'docker-contexts/python-and-pip',
      dockerfile_path: 'Dockerfile',
    });
  });

  it("reads Cairn's python and pip, an inline conda file, and numeric versions", () => {
    const { spec } = parseEnvironmentSpec(`name: sklearn
version: 1
python: "3.11"
pip: [scikit-learn==1.5.2, mlflow]
conda_file:
  dependencies: [python=3.11, {pip: [pandas]}]
`);
    expect(spec).toEqual({
      name: 'sklearn',
      version: '1',
      python: '3.11',
      pip: ['scikit-learn==1.5.2', 'mlflow'],
      conda_file: { dependencies: ['python=3.11', { pip: ['pandas'] }] },
    });
    expect(parseEnvironmentSpec(specToYaml(spec)).spec).toEqual(spec);
  });

  it('names what is wrong, where', () => {
    expect(messageOf(() => parseEnvironmentSpec('name: e\ndescription: nothing to build\n', 'env.yml'))).toBe(
      'env.yml:1:1: an environment needs one of image, build, conda_file or pip (e.g. pip: ["scikit-learn"]); add one',
    );
    expect(messageOf(() => parseEnvironmentSpec('name: e\nimage: x\nbuild: {path: .}\n', 'env.yml'))).toBe(
      'env.yml:3:8: build: give either image or build, not both',
    );
    expect(
      messageOf(() => parseEnvironmentSpec('name: e\npython: 3.10\npip: [x]\nos_typ: linux\n', 'env.yml')),
    ).toBe(
      [
        'env.yml:2:9: python: write the version in quotes, e.g. python: "3.1" (YAML reads 3.10 as the number 3.1)',
        'env.yml:4:1: os_typ: unknown field "os_typ" (did you mean "os_type"?); remove it or fix its name',
      ].join('\n'),
    );
    expect(messageOf(() => parseEnvironmentSpec('image: x\n', 'env.yml'))).toBe(
      'env.yml:1:1: name: is required',
    );
  });
});

describe('compute YAML', () => {
  it('reads each type', () => {
    expect(parseComputeSpec('name: local\ntype: local\ncpus: 8\nmemory_gb: 32\ngpus: [0, 1]\n').spec).toEqual(
      {
        name: 'local',
        type: 'local',
        cpus: 8,
        memory_gb: 32,
        gpus: [0, 1],
      },
    );
    expect(
      parseComputeSpec(
        'name: hpc\ntype: slurm\npartition: gpu\naccount: ml\ngpus_per_job: 1\ntime_limit: "1-02:00:00"\n',
      ).spec,
    ).toMatchObject({ type: 'slurm', time_limit: 93_600 });
    expect(parseComputeSpec('name: ray\ntype: ray\naddress: http://127.0.0.1:8265\n').spec).toMatchObject({
      address: 'http://127.0.0.1:8265',
    });
    expect(parseComputeSpec('name: k8s\ntype: kubernetes\nnamespace: ml\n').spec).toMatchObject({
      namespace: 'ml',
    });
  });

  it('names what is wrong, where', () => {
    expect(messageOf(() => parseComputeSpec('name: c\ntype: slurrm\n', 'c.yml'))).toBe(
      'c.yml:2:7: type: expected one of "local", "slurm", "ray", "kubernetes", got "slurrm" (did you mean "slurm"?)',
    );
    expect(messageOf(() => parseComputeSpec('name: c\n', 'c.yml'))).toBe(
      'c.yml:1:1: type: is required: one of "local", "slurm", "ray", "kubernetes"',
    );
    expect(messageOf(() => parseComputeSpec('name: r\ntype: ray\naddress: 127.0.0.1:8265\n', 'c.yml'))).toBe(
      'c.yml:3:10: address: expected the Ray dashboard\'s http(s) URL, e.g. http://127.0.0.1:8265, got "127.0.0.1:8265"',
    );
    expect(messageOf(() => parseComputeSpec('name: azureml:x\ntype: local\npartition: a\n', 'c.yml'))).toBe(
      [
        'c.yml:1:7: name: write the name without "azureml:", got "azureml:x"',
        'c.yml:3:1: partition: unknown field "partition"; remove it or fix its name',
      ].join('\n'),
    );
  });
});

describe('JSON Schema', () => {
  it('is generated from every spec schema (input side)', async () => {
    const { z } = await import('zod');
    const specs = await import('./index.js');
    for (const schema of [
      specs.commandJobSchema,
      specs.sweepJobSchema,
      specs.environmentSpecSchema,
      specs.computeSpecSchema,
    ]) {
      const json = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' });
      expect(json.type ?? json.oneOf ?? json.anyOf).toBeDefined();
    }
  });
});
