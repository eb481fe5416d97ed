import { CairnError } from '@cairn/core';

/** Prints an error in words (no stack trace for expected failures) and exits non-zero. */
export function reportErrorAndExit(err: unknown): never {
  if (err instanceof CairnError) {
    const field = err.details.field ? ` (field: ${err.details.field})` : '';
    process.stderr.write(`error: ${err.message}${field}\n`);
  } else if (err instanceof Error && 'code' in err && err.code === 'ECONNREFUSED') {
    process.stderr.write(
      `error: cannot reach the Cairn server (${err.message}); is it running? Start one with: cairn server start\n`,
    );
  } else {
    process.stderr.write(`error: ${err instanceof Error ? err.message : String(err)}\n`);
  }
  process.exit(1);
}
