import { execFileSync } from 'node:child_process';

/**
 * Indices of the GPUs `nvidia-smi -L` lists, or [] where there is no nvidia-smi (or it fails): a
 * machine without GPUs is a normal case, not an error.
 */
export function detectGpus(): number[] {
  try {
    const out = execFileSync('nvidia-smi', ['-L'], {
      encoding: 'utf8',
      timeout: 5_000,
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    return out
      .split('\n')
      .map((line) => /^GPU (\d+):/.exec(line.trim()))
      .filter((m): m is RegExpExecArray => m !== null)
      .map((m) => Number(m[1]));
  } catch {
    return [];
  }
}
