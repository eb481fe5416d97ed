import type { Environment } from '@cairn/sdk';
import { describe, expect, it } from 'vitest';
import { compareVersions, environmentSummary, groupEnvironments } from './environment-versions.js';

const env = (name: string, version: string, spec: Record<string, unknown> = {}): Environment => ({
  name,
  version,
  spec,
  hash: `${name}${version}`,
  createdBy: 'u',
  createdAt: 1,
});

describe('environment versions', () => {
  it('compares versions by their numeric parts', () => {
    expect(compareVersions('10', '9')).toBeGreaterThan(0);
    expect(compareVersions('1.10', '1.9')).toBeGreaterThan(0);
    expect(compareVersions('1.2', '1.2.1')).toBeLessThan(0);
    expect(compareVersions('beta', 'alpha')).toBeGreaterThan(0);
  });

  it('groups by name with the newest version first', () => {
    const groups = groupEnvironments([
      env('torch', '2'),
      env('sklearn', '1'),
      env('torch', '10'),
      env('torch', '9'),
    ]);
    expect(groups.map((g) => [g.name, g.versions.map((v) => v.version)])).toEqual([
      ['sklearn', ['1']],
      ['torch', ['10', '9', '2']],
    ]);
  });

  it('summarises a spec', () => {
    expect(environmentSummary({ pip: ['a', 'b', 'c', 'd', 'e'], python: '3.11' })).toBe(
      'pip: a, b, c +2 · python 3.11',
    );
    expect(environmentSummary({ image: 'python:3.11-slim' })).toBe('image python:3.11-slim');
    expect(environmentSummary({})).toBe('empty');
  });
});
