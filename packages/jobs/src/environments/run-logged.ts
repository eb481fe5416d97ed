import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

export interface LoggedRun {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  /** The last stderr lines (at most TAIL_LINES). */
  stderrTail: string[];
  /** The last lines of stdout and stderr together (at most TAIL_LINES). */
  outputTail: string[];
}

const TAIL_LINES = 40;

/**
 * Runs a command, passing each line of its stdout and stderr to `log` as it is produced. Resolves with
 * how it ended; rejects only when it could not be started (ENOENT) or `signal` aborted it.
 */
export function runLogged(
  command: string,
  args: readonly string[],
  options: { log: (line: string) => void; signal?: AbortSignal | undefined; cwd?: string },
): Promise<LoggedRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      stdio: ['ignore', 'pipe', 'pipe'],
      cwd: options.cwd,
      signal: options.signal,
    });
    const stderrTail: string[] = [];
    const outputTail: string[] = [];
    const keep = (tail: string[], line: string) => {
      tail.push(line);
      if (tail.length > TAIL_LINES) tail.shift();
    };
    let open = 2;
    let ended: { exitCode: number | null; signal: NodeJS.Signals | null } | null = null;
    const settle = () => {
      if (open === 0 && ended !== null) resolve({ ...ended, stderrTail, outputTail });
    };
    const follow = (stream: NodeJS.ReadableStream, isStderr: boolean) => {
      const lines = createInterface({ input: stream, crlfDelay: Number.POSITIVE_INFINITY });
      lines.on('line', (line) => {
        keep(outputTail, line);
        if (isStderr) keep(stderrTail, line);
        options.log(line);
      });
      lines.on('close', () => {
        open -= 1;
        settle();
      });
    };
    follow(child.stdout, false);
    follow(child.stderr, true);
    child.on('error', reject);
    child.on('close', (exitCode, signal) => {
      if (options.signal?.aborted) {
        reject(options.signal.reason);
        return;
      }
      ended = { exitCode, signal };
      settle();
    });
  });
}
