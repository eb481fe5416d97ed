import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** What every benchmark's entry point shares: its results block in bench/README.md and how it ends. */

const README = join(import.meta.dirname, 'README.md');

/**
 * Replaces the block between `<!-- NAME:begin -->` and `<!-- NAME:end -->` in bench/README.md with
 * `section`, leaving the hand-written text around it alone.
 */
export function replaceReadmeResults(name: string, section: string): void {
  const begin = `<!-- ${name}:begin -->`;
  const end = `<!-- ${name}:end -->`;
  const text = readFileSync(README, 'utf8');
  const a = text.indexOf(begin);
  const b = text.indexOf(end);
  if (a < 0 || b < a) throw new Error(`bench/README.md has no ${begin} … ${end} block`);
  writeFileSync(README, `${text.slice(0, a)}${begin}\n${section}\n${text.slice(b)}`);
}

/**
 * Runs a benchmark's `main` and exits with its code; gives up (exit 2) after `maxMinutes`, when the
 * process exit hook of bench/tracking/servers.ts stops any servers it started.
 */
export function runMain(main: () => Promise<number>, maxMinutes: number, log: (msg: string) => void): void {
  const guard = setTimeout(() => {
    log(`giving up after ${maxMinutes} minutes`);
    process.exit(2);
  }, maxMinutes * 60_000);
  guard.unref();
  main().then(
    (code) => process.exit(code),
    (err: unknown) => {
      log(`benchmark failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
      process.exit(1);
    },
  );
}
