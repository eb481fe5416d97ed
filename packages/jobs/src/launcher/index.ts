import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { MATERIALIZE_ENV_SCRIPT } from '../environments/materialize-environment.js';

/**
 * The job-side script every non-local adapter ships to its nodes (copied into the job folder on Slurm,
 * into the `working_dir` on Ray). It needs only a POSIX shell, tar, and curl or python3.
 */
export const LAUNCHER_SCRIPT_PATH = fileURLToPath(new URL('./cairn-launch.sh', import.meta.url));

/** The launcher finds the environment materializer beside itself; adapters copy this file along. */
export const LAUNCHER_SCRIPT_NAME = 'cairn-launch.sh';
export const MATERIALIZER_SCRIPT_NAME = 'materialize-env.sh';

/**
 * `environments/materialize-env.sh` when present, else null. Its path comes from the environments
 * module's own `import.meta.url`, so it also resolves inside the bundle (`dist/`), where both scripts
 * are copied beside `cairn.mjs`.
 */
export function materializerScriptPath(): string | null {
  return existsSync(MATERIALIZE_ENV_SCRIPT) ? MATERIALIZE_ENV_SCRIPT : null;
}
