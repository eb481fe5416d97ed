import { execFile } from 'node:child_process';
import { CairnError, ErrorCode } from '@cairn/core';

export interface FoundPython {
  /** The command to run (`python3.11`, or the path the caller gave). */
  command: string;
  /** Its full version, e.g. `3.11.7`. */
  version: string;
}

/** Runs `command` and reads its version; null when it is missing or does not run (a pyenv shim for an uninstalled version exits 127). */
export function probePython(command: string): Promise<FoundPython | null> {
  return new Promise((resolve) => {
    execFile(
      command,
      ['-c', 'import sys; print("%d.%d.%d" % sys.version_info[:3])'],
      { timeout: 30_000 },
      (err, stdout) => {
        const version = stdout.trim();
        resolve(err === null && /^\d+\.\d+\.\d+$/.test(version) ? { command, version } : null);
      },
    );
  });
}

const matches = (found: FoundPython, wanted: string): boolean =>
  found.version === wanted || found.version.startsWith(`${wanted}.`);

/**
 * The interpreter a virtualenv is created with: `explicit` when given; else `python<version>` from
 * PATH when the spec names a version and it exists; else `python3`, with a warning when it is not the
 * version the spec asked for.
 */
export async function choosePython(
  wanted: string | null,
  explicit: string | undefined,
  warn: (line: string) => void,
): Promise<FoundPython> {
  const candidates =
    explicit !== undefined ? [explicit] : wanted !== null ? [`python${wanted}`, 'python3'] : ['python3'];
  const missing: string[] = [];
  for (const command of candidates) {
    const found = await probePython(command);
    if (found === null) {
      missing.push(command);
      continue;
    }
    if (wanted !== null && !matches(found, wanted)) {
      const notFound = missing.length > 0 ? `${missing.join(', ')} not found; ` : '';
      warn(
        `the environment asks for Python ${wanted}: ${notFound}using ${command}, which is Python ${found.version}`,
      );
    }
    return found;
  }
  throw new CairnError(
    ErrorCode.UNAVAILABLE,
    `no Python interpreter to build the environment with: tried ${candidates.join(', ')}; install Python 3 on this node`,
  );
}
