import { describe, expect, it } from 'vitest';
import { curatedEnvironments } from './curated-environments.js';

describe('curatedEnvironments', () => {
  it('ships sklearn-1.9, pytorch-2.15-cpu and minimal-py3.11, valid and normalised', async () => {
    const curated = await curatedEnvironments();
    expect(curated.map((c) => c.spec.name)).toEqual(['minimal-py3.11', 'pytorch-2.15-cpu', 'sklearn-1.9']);
    const byName = new Map(curated.map((c) => [c.spec.name, c.launch]));
    expect(byName.get('minimal-py3.11')?.pip).toEqual(['mlflow==3.17.2']);
    expect(byName.get('pytorch-2.15-cpu')?.pip).toEqual(['mlflow==3.17.2', 'torch==2.15.0']);
    expect(byName.get('sklearn-1.9')).toMatchObject({
      pythonVersion: '3.11',
      pip: ['mlflow==3.17.2', 'pandas==3.1.1', 'scikit-learn==1.9.1'],
      warnings: [],
    });
    for (const { launch, spec } of curated) {
      expect(launch.hash, spec.name).toMatch(/^[0-9a-f]{64}$/);
      expect(spec.tags?.curated).toBe('true');
    }
    expect(new Set(curated.map((c) => c.launch.hash)).size).toBe(curated.length);
  });
});
