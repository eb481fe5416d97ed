import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * The job-side script every non-local adapter ships to its nodes (copied into the job folder on Slurm,
 * into the `working_dir` on Ray). It needs only a POSIX shell, tar, and curl or python3.
 */
export const LAUNCHER_SCRIPT_PATH = fileURLToPath(new URL('./cairn-launch.sh', import.meta.url));

/** The launcher finds the environment materializer beside itself; adapters copy this file along. */
export const LAUNCHER_SCRIPT_NAME = 'cairn-launch.sh';
export const MATERIALIZER_SCRIPT_NAME = 'materialize-env.sh';

/** `environments/materialize-env.sh` when that script is present in this checkout, else null. */
export function materializerScriptPath(): string | null {
  const path = fileURLToPath(new URL(`../environments/${MATERIALIZER_SCRIPT_NAME}`, import.meta.url));
  return existsSync(path) ? path : null;
}
