import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CairnError, ErrorCode } from '@cairn/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { inlineEnvironmentSchema } from '../spec/index.js';
import { environmentHash, normalizeEnvironment } from './normalize-environment.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cairn-env-normalize-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const normalize = (spec: unknown) =>
  normalizeEnvironment(inlineEnvironmentSchema.parse(spec), { baseDir: dir });

async function expectError(promise: Promise<unknown>, field: string, message: RegExp): Promise<void> {
  const err = await promise.then(
    () => new Error('expected an error'),
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(CairnError);
  expect((err as CairnError).code).toBe(ErrorCode.INVALID_ARGUMENT);
  expect((err as CairnError).details.field).toBe(field);
  expect((err as CairnError).message).toMatch(message);
}

describe('normalizeEnvironment', () => {
  it('gives the same hash to one environment written four ways', async () => {
    await writeFile(
      join(dir, 'conda.yml'),
      [
        'name: train',
        'channels: [conda-forge]',
        'dependencies:',
        '  - python=3.11',
        '  - pip',
        '  - pip:',
        '      - scikit-learn==1.5.2',
        '      - numpy>=1.26,<2',
        '',
      ].join('\n'),
    );
    await writeFile(join(dir, 'requirements.txt'), '# pinned\nnumpy <2, >=1.26\nScikit_Learn == 1.5.2\n');
    const fromFile = await normalize({ conda_file: 'conda.yml' });
    const inline = await normalize({
      conda_file: { dependencies: ['python==3.11', { pip: ['NumPy < 2 , >= 1.26', 'scikit-learn==1.5.2'] }] },
    });
    const cairn = await normalize({
      python: '3.11',
      pip: ['scikit-learn==1.5.2', 'numpy>=1.26,<2', 'numpy<2,>=1.26'],
    });
    const included = await normalize({ python: '3.11', pip: ['-r requirements.txt'] });

    expect(fromFile).toMatchObject({
      pythonVersion: '3.11',
      pip: ['numpy<2,>=1.26', 'scikit-learn==1.5.2'],
      image: null,
      buildContext: null,
    });
    expect(fromFile.hash).toMatch(/^[0-9a-f]{64}$/);
    for (const other of [inline, cairn, included]) {
      expect(other.pip).toEqual(fromFile.pip);
      expect(other.hash).toBe(fromFile.hash);
    }
  });

  it('changes the hash when the Python version or a requirement changes', async () => {
    const base = await normalize({ python: '3.11', pip: ['six==1.16.0'] });
    expect((await normalize({ python: '3.12', pip: ['six==1.16.0'] })).hash).not.toBe(base.hash);
    expect((await normalize({ pip: ['six==1.16.0'] })).hash).not.toBe(base.hash);
    expect((await normalize({ python: '3.11', pip: ['six==1.17.0'] })).hash).not.toBe(base.hash);
    expect((await normalize({ python: '3.11.7', pip: ['six==1.16.0'] })).hash).toBe(base.hash);
  });

  it('hashes a canonical JSON of the format, the sorted pip lines and the Python version', () => {
    const expected = createHash('sha256')
      .update('{"format":"cairn.venv/1","pip":["a==1","b==2"],"python":"3.11"}')
      .digest('hex');
    expect(environmentHash({ pythonVersion: '3.11', pip: ['b==2', 'a==1'] })).toBe(expected);
  });

  it('installs pip-installable conda packages with pip and warns about the conda-only ones', async () => {
    const env = await normalize({
      conda_file: {
        dependencies: ['python=3.10', 'numpy=1.26', 'cudatoolkit=11.8', { pip: ['torch==2.3.0'] }],
      },
    });
    expect(env.pythonVersion).toBe('3.10');
    expect(env.pip).toEqual(['numpy==1.26.*', 'torch==2.3.0']);
    expect(env.warnings.join('\n')).toMatch(/"cudatoolkit=11.8" cannot be installed with pip/);
    expect(env.warnings.join('\n')).toMatch(/numpy==1\.26\.\* \(conda: numpy=1\.26\)/);
  });

  it('records the image without letting it change the virtualenv hash', async () => {
    const plain = await normalize({ pip: ['six==1.16.0'] });
    const withImage = await normalize({ image: 'python:3.11-slim', pip: ['six==1.16.0'] });
    expect(withImage.image).toBe('python:3.11-slim');
    expect(withImage.hash).toBe(plain.hash);
  });

  it('records the build context with the sha256 of its content, which follows its files', async () => {
    await mkdir(join(dir, 'docker'));
    await writeFile(join(dir, 'docker', 'Dockerfile'), 'FROM python:3.11-slim\n');
    await writeFile(join(dir, 'docker', 'requirements.txt'), 'six\n');
    const first = await normalize({ build: { path: 'docker' } });
    expect(first.buildContext).toMatchObject({ path: join(dir, 'docker'), dockerfilePath: 'Dockerfile' });
    expect(first.buildContext?.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(first.warnings.join('\n')).toMatch(/cannot be built here: Cairn has no Docker engine/);
    expect((await normalize({ build: { path: 'docker' } })).buildContext?.sha256).toBe(
      first.buildContext?.sha256,
    );
    await writeFile(join(dir, 'docker', 'requirements.txt'), 'six==1.16.0\n');
    expect((await normalize({ build: { path: 'docker' } })).buildContext?.sha256).not.toBe(
      first.buildContext?.sha256,
    );
  });

  it('says which field is wrong', async () => {
    await expectError(normalize({ conda_file: 'missing.yml' }), 'conda_file', /cannot read .*missing\.yml/);
    await expectError(
      normalize({ python: '3.12', conda_file: { dependencies: ['python=3.11'] } }),
      'python',
      /disagrees with the conda file's python=3.11/,
    );
    await expectError(normalize({ pip: ['-r nope.txt'] }), 'pip', /cannot read the requirements file/);
    await expectError(normalize({ build: { path: 'nowhere' } }), 'build.path', /is not a folder/);
    await mkdir(join(dir, 'ctx'));
    await expectError(
      normalize({ build: { path: 'ctx', dockerfile_path: 'Dockerfile.gpu' } }),
      'build.dockerfile_path',
      /no file Dockerfile\.gpu/,
    );
  });

  it('locates a bad conda file by file, line and field', async () => {
    await writeFile(join(dir, 'conda.yml'), 'dependencies:\n  - python=3.11\n  - 42\n');
    const err = await normalize({ conda_file: 'conda.yml' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CairnError);
    expect((err as CairnError).message).toMatch(
      /conda\.yml:3:5: dependencies\[1\]: expected a conda package/,
    );
  });
});
