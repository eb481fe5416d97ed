import { expect } from 'vitest';
import { CairnError } from '../errors.js';

/** For tests: runs `fn`, expects an INVALID_ARGUMENT CairnError at `position` whose message contains every part. */
export function expectFilterError(fn: () => unknown, position: number, ...parts: string[]): CairnError {
  let caught: unknown;
  try {
    fn();
  } catch (err) {
    caught = err;
  }
  expect(caught).toBeInstanceOf(CairnError);
  const err = caught as CairnError;
  expect(err.code).toBe('INVALID_ARGUMENT');
  expect(err.details.position).toBe(position);
  for (const part of parts) expect(err.message).toContain(part);
  return err;
}
