import { describe, expect, it } from 'vitest';
import { readCondaDependency } from './conda-package.js';

describe('readCondaDependency', () => {
  it.each([
    ['numpy', 'numpy'],
    ['numpy=1.26', 'numpy==1.26.*'],
    ['numpy=1.26.*', 'numpy==1.26.*'],
    ['numpy==1.26.4', 'numpy==1.26.4'],
    ['numpy=1.26.4=py311h64a7726_0', 'numpy==1.26.4.*'],
    ['numpy >=1.26,<2', 'numpy>=1.26,<2'],
    ['numpy 1.26.*', 'numpy==1.26.*'],
    ['conda-forge::scikit-learn=1.5', 'scikit-learn==1.5.*'],
    ['pytorch=2.3', 'torch==2.3.*'],
    ['py-xgboost', 'xgboost'],
  ])('%s is installed with pip as %s', (spec, requirement) => {
    expect(readCondaDependency(spec)).toEqual({ kind: 'pip', requirement, spec });
  });

  it.each([
    'cudatoolkit=11.8',
    'cudnn',
    'nvidia::cuda-toolkit',
    'mkl',
    'libgcc-ng',
    '_openmp_mutex',
    'openmpi',
  ])('%s is conda-only', (spec) => {
    expect(readCondaDependency(spec).kind).toBe('conda-only');
  });

  it('reads the Python version, or null for a range', () => {
    expect(readCondaDependency('python=3.11')).toMatchObject({ kind: 'python', version: '3.11' });
    expect(readCondaDependency('python==3.10.4')).toMatchObject({ kind: 'python', version: '3.10.4' });
    expect(readCondaDependency('python 3.12.*')).toMatchObject({ kind: 'python', version: '3.12' });
    expect(readCondaDependency('python>=3.9')).toMatchObject({ kind: 'python', version: null });
    expect(readCondaDependency('python')).toMatchObject({ kind: 'python', version: null });
  });

  it('ignores pip itself and reports what it cannot translate', () => {
    expect(readCondaDependency('pip=24.0')).toEqual({ kind: 'pip-itself' });
    expect(readCondaDependency('numpy 1.26|1.27')).toMatchObject({ kind: 'untranslatable' });
  });
});
