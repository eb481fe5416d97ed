import { CairnApiError } from '@cairn/sdk';
import { describe, expect, it } from 'vitest';
import { issueLocation, lineOffset, specIssues } from './spec-errors.js';

describe('spec errors', () => {
  it('reads the located issues of a spec error', () => {
    const err = new CairnApiError('INVALID_ARGUMENT', 'job.yml:2:1: command: required', 400, {
      field: 'command',
      line: 2,
      issues: [
        { field: 'command', message: 'required', line: 2, column: 1 },
        { field: 'inputs.C', message: 'expected a number', line: 4, column: 6 },
      ],
    });
    const issues = specIssues(err);
    expect(issues).toHaveLength(2);
    expect(issueLocation(issues[1]!)).toBe('line 4, column 6 · inputs.C');
  });

  it('keeps an error without issues as one, with its field', () => {
    const err = new CairnApiError('NOT_FOUND', "Compute target 'gpu' does not exist", 404, {
      field: 'compute',
    });
    expect(specIssues(err)).toEqual([
      { field: 'compute', message: "Compute target 'gpu' does not exist", line: null, column: null },
    ]);
    expect(specIssues(new Error('offline'))[0]!.message).toBe('offline');
  });

  it('finds where a line starts and ends', () => {
    const text = 'a: 1\nbb: 2\nccc: 3';
    expect(lineOffset(text, 1)).toEqual({ start: 0, end: 4 });
    expect(lineOffset(text, 3)).toEqual({ start: 11, end: 17 });
    expect(lineOffset(text, 9)).toEqual({ start: 17, end: 17 });
  });
});
