import { describe, expect, it } from 'vitest';
import { imageType, looksLikeText, prettyJson, previewKind } from './artifact-preview.js';

describe('artifact previews', () => {
  it('picks a preview by file name', () => {
    expect(previewKind('config.json')).toBe('json');
    expect(previewKind('model/MLmodel')).toBe('yaml');
    expect(previewKind('conf/params.YML')).toBe('yaml');
    expect(previewKind('metrics.csv')).toBe('csv');
    expect(previewKind('plots/loss.png')).toBe('image');
    expect(previewKind('train.py')).toBe('text');
    expect(previewKind('model.pkl')).toBe('binary');
    expect(imageType('a/b.svg')).toBe('image/svg+xml');
  });
  it('tells text from binary and pretty-prints JSON', () => {
    expect(looksLikeText(new TextEncoder().encode('hello'))).toBe(true);
    expect(looksLikeText(new Uint8Array([1, 0, 2]))).toBe(false);
    expect(prettyJson('{"a":1}')).toBe('{\n  "a": 1\n}');
    expect(prettyJson('{"a":')).toBeNull();
  });
});
