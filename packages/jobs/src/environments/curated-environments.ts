import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type EnvironmentSpec, parseEnvironmentSpec } from '../spec/index.js';
import { type NormalizedEnvironment, normalizeEnvironment } from './normalize-environment.js';

/** The folder of the curated definitions (one `<name>.yml` each), shipped beside this file. */
export const CURATED_DIR = fileURLToPath(new URL('./curated/', import.meta.url));

export interface CuratedEnvironment {
  spec: EnvironmentSpec;
  /** The YAML file it came from. */
  file: string;
  launch: NormalizedEnvironment;
}

/**
 * The environments Cairn ships (`minimal-py3.11`, `pytorch-2.15-cpu`, `sklearn-1.9`: named as Azure ML
 * names its curated ones), parsed and normalised, sorted by name. Each workspace gets them as registered
 * versions (`ensureCuratedEnvironments`), so jobs name them like any other environment.
 */
export async function curatedEnvironments(dir = CURATED_DIR): Promise<CuratedEnvironment[]> {
  const files = (await readdir(dir)).filter((name) => name.endsWith('.yml')).sort();
  return Promise.all(
    files.map(async (name) => {
      const file = join(dir, name);
      const { spec } = parseEnvironmentSpec(await readFile(file, 'utf8'), file);
      return { spec, file, launch: await normalizeEnvironment(spec, { baseDir: dir }) };
    }),
  );
}
