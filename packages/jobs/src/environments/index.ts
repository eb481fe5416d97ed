export { type BuildContext, readBuildContext } from './build-context.js';
export { type CondaEnvironment, readCondaEnvironment } from './conda-file.js';
export { CURATED_DIR, type CuratedEnvironment, curatedEnvironments } from './curated-environments.js';
export {
  type EnvironmentToMaterialize,
  MATERIALIZE_ENV_SCRIPT,
  type MaterializedEnvironment,
  type MaterializeEnvironmentOptions,
  materializeEnvironment,
  pipErrorLines,
  READY_MARKER,
  REQUIREMENTS_FILE,
} from './materialize-environment.js';
export {
  ENVIRONMENT_HASH_FORMAT,
  environmentHash,
  type NormalizedEnvironment,
  type NormalizeEnvironmentOptions,
  normalizeEnvironment,
} from './normalize-environment.js';
export { normalizePackageName, normalizePipLine } from './pip-requirement.js';
