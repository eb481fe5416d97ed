import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { invalidArgument } from '@cairn/core';
import type { EnvironmentLaunch } from '../compute/compute-adapter.js';
import type { InlineEnvironment } from '../spec/index.js';
import { type BuildContext, readBuildContext } from './build-context.js';
import { readCondaEnvironment } from './conda-file.js';
import { normalizePipLine, requirementFileOf } from './pip-requirement.js';

/** An environment ready to launch, with what the build log must say about it. */
export interface NormalizedEnvironment extends EnvironmentLaunch {
  /** Lines for the job's build log: what a virtualenv cannot carry over (conda-only packages, …). */
  warnings: string[];
  /** The Docker build context, recorded (and hashed) but not built here. */
  buildContext: BuildContext | null;
}

export interface NormalizeEnvironmentOptions {
  /** The folder the environment's relative paths (conda_file, build.path, `-r` files) are relative to. */
  baseDir: string;
}

/** Bump when the virtualenv layout or what the hash covers changes: old caches are then left alone. */
export const ENVIRONMENT_HASH_FORMAT = 'cairn.venv/1';

const MAX_INCLUDE_DEPTH = 10;

/**
 * Reads an environment spec into what a node needs to build its virtualenv: the pip requirements
 * (from the conda file's pip section and its pip-installable conda packages, plus Cairn's `pip`), the
 * Python version, the image, and the build context's hash. `-r file` lines are inlined.
 */
export async function normalizeEnvironment(
  spec: InlineEnvironment,
  options: NormalizeEnvironmentOptions,
): Promise<NormalizedEnvironment> {
  const warnings: string[] = [];
  const lines: string[] = [];
  let condaPython: string | null = null;
  if (spec.conda_file !== undefined) {
    const conda = await readCondaEnvironment(spec.conda_file, options.baseDir);
    warnings.push(...conda.warnings);
    condaPython = conda.pythonVersion;
    lines.push(...(await expandRequirements(conda.pip, conda.baseDir, 'conda_file', 0)));
  }
  if (spec.pip !== undefined) lines.push(...(await expandRequirements(spec.pip, options.baseDir, 'pip', 0)));
  const pythonVersion = choosePython(spec.python ?? null, condaPython, warnings);
  const buildContext = spec.build === undefined ? null : await readBuildContext(spec.build, options.baseDir);
  if (buildContext !== null) {
    warnings.push(
      `build context ${buildContext.path} (${buildContext.dockerfilePath}${buildContext.sha256 === null ? ', remote, not fetched' : `, sha256 ${buildContext.sha256.slice(0, 12)}`}) cannot be built here: Cairn has no Docker engine on this compute`,
    );
  }
  const pip = [...new Set(lines)].sort(compareCodePoints);
  return {
    hash: environmentHash({ pythonVersion, pip }),
    pythonVersion,
    pip,
    image: spec.image ?? null,
    warnings,
    buildContext,
  };
}

/**
 * The cache key of a virtualenv: sha256 over a canonical JSON of what goes into it. The image and the
 * build context are not part of it: a virtualenv built for them would be the same.
 */
export function environmentHash(env: { pythonVersion: string | null; pip: readonly string[] }): string {
  const canonical = JSON.stringify({
    format: ENVIRONMENT_HASH_FORMAT,
    pip: [...env.pip].sort(compareCodePoints),
    python: env.pythonVersion,
  });
  return createHash('sha256').update(canonical).digest('hex');
}

const compareCodePoints = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** Python major.minor: a node picks `python3.11`, never a patch release. */
function majorMinor(version: string): string {
  return version.split('.').slice(0, 2).join('.');
}

function choosePython(cairn: string | null, conda: string | null, warnings: string[]): string | null {
  const fromCairn = cairn === null ? null : majorMinor(cairn);
  const fromConda = conda === null ? null : majorMinor(conda);
  if (fromCairn !== null && fromConda !== null && fromCairn !== fromConda) {
    throw invalidArgument(
      `python: "${cairn}" disagrees with the conda file's python=${conda}; remove one or make them the same`,
      { field: 'python' },
    );
  }
  const written = cairn ?? conda;
  const chosen = fromCairn ?? fromConda;
  if (written !== null && chosen !== written) {
    warnings.push(`Python ${written}: the node's python${chosen} is used, whatever its patch release`);
  }
  return chosen;
}

async function expandRequirements(
  raw: readonly string[],
  baseDir: string,
  field: string,
  depth: number,
): Promise<string[]> {
  const out: string[] = [];
  for (const item of raw) {
    // A list item may hold several lines (a YAML block scalar pasted from requirements.txt).
    for (const line of item.split(/\r?\n/)) {
      const include = requirementFileOf(line);
      if (include === null) {
        const normalized = normalizePipLine(line);
        if (normalized !== null) out.push(normalized);
        continue;
      }
      if (depth >= MAX_INCLUDE_DEPTH) {
        throw invalidArgument(`${field}: "-r ${include}" nests more than ${MAX_INCLUDE_DEPTH} files deep`, {
          field,
        });
      }
      const path = resolve(baseDir, include);
      const text = await readFile(path, 'utf8').catch((err: NodeJS.ErrnoException) => {
        throw invalidArgument(
          `${field}: cannot read the requirements file ${path} named by "-r ${include}" (${err.code ?? String(err)}); the path is relative to ${baseDir}`,
          { field },
        );
      });
      out.push(...(await expandRequirements(text.split(/\r?\n/), resolve(path, '..'), field, depth + 1)));
    }
  }
  return out;
}
