import { describe, expect, it } from 'vitest';
import { normalizePipLine, requirementFileOf } from './pip-requirement.js';

describe('normalizePipLine', () => {
  it.each([
    ['scikit-learn==1.5.2', 'scikit-learn==1.5.2'],
    ['Scikit_Learn == 1.5.2', 'scikit-learn==1.5.2'],
    ['  numpy >= 1.26 , <2  ', 'numpy<2,>=1.26'],
    ['numpy<2,>=1.26', 'numpy<2,>=1.26'],
    ['requests[socks, Security]>=2', 'requests[security,socks]>=2'],
    ['zope.interface', 'zope-interface'],
    ['pandas  # for frames', 'pandas'],
    ['tomli; python_version < "3.11"', 'tomli; python_version < "3.11"'],
    ['tomli ;python_version <  "3.11"', 'tomli; python_version < "3.11"'],
    ['--index-url=https://example.org/simple', '--index-url https://example.org/simple'],
    ['--extra-index-url   https://x.org/s', '--extra-index-url https://x.org/s'],
    ['git+https://github.com/a/b.git#egg=b', 'git+https://github.com/a/b.git#egg=b'],
    ['mypkg @ https://example.org/mypkg-1.0.tar.gz', 'mypkg @ https://example.org/mypkg-1.0.tar.gz'],
  ])('%s → %s', (line, expected) => {
    expect(normalizePipLine(line)).toBe(expected);
  });

  it('drops empty and comment-only lines', () => {
    expect(normalizePipLine('')).toBeNull();
    expect(normalizePipLine('   # just a comment')).toBeNull();
  });
});

describe('requirementFileOf', () => {
  it('reads -r and --requirement in their spellings', () => {
    expect(requirementFileOf('-r requirements.txt')).toBe('requirements.txt');
    expect(requirementFileOf('-rrequirements.txt')).toBe('requirements.txt');
    expect(requirementFileOf('--requirement=dev.txt  # dev')).toBe('dev.txt');
    expect(requirementFileOf('requests')).toBeNull();
    expect(requirementFileOf('--index-url x')).toBeNull();
  });
});
