import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { invalidArgument } from '@cairn/core';
import { z } from 'zod';
import { type SpecLocator, validateWith, YamlSource } from '../spec/index.js';
import { readCondaDependency } from './conda-package.js';

/** What a virtualenv can take from a conda environment file. */
export interface CondaEnvironment {
  /** As written (`3.11`, `3.11.5`), or null when the file does not pin Python. */
  pythonVersion: string | null;
  /** Requirement lines: the `pip:` section, then conda packages pip can install under their PyPI names. */
  pip: string[];
  /** The folder `-r file` lines in the pip section are relative to. */
  baseDir: string;
  warnings: string[];
}

const condaFileSchema = z.looseObject({
  name: z.string().optional(),
  channels: z.array(z.string()).optional(),
  dependencies: z
    .array(
      z.union([z.string(), z.strictObject({ pip: z.array(z.string()) })], {
        error: 'expected a conda package ("numpy=1.26") or a pip section ({pip: ["package==1.0"]})',
      }),
    )
    .optional(),
});

/** Where the inline conda environment's problems are reported: under the environment's `conda_file`. */
const inlineLocator: SpecLocator = {
  file: 'conda_file',
  locate: () => ({ line: 1, column: 1 }),
  label: () => 'conda_file (inline)',
};

/** Reads `conda_file`: a path relative to `baseDir`, or the conda environment written inline. */
export async function readCondaEnvironment(
  condaFile: string | Record<string, unknown>,
  baseDir: string,
): Promise<CondaEnvironment> {
  if (typeof condaFile !== 'string') {
    return fromDefinition(validateWith(condaFileSchema, condaFile, inlineLocator), baseDir);
  }
  const path = resolve(baseDir, condaFile);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw invalidArgument(
      `conda_file: cannot read ${path} (${(err as NodeJS.ErrnoException).code ?? String(err)}); the path is relative to the environment's YAML file`,
      { field: 'conda_file' },
    );
  }
  const source = YamlSource.parse(text, path);
  return fromDefinition(validateWith(condaFileSchema, source.value ?? {}, source), dirname(path));
}

function fromDefinition(definition: z.output<typeof condaFileSchema>, baseDir: string): CondaEnvironment {
  const pip: string[] = [];
  const fromConda: string[] = [];
  const warnings: string[] = [];
  let pythonVersion: string | null = null;
  for (const dependency of definition.dependencies ?? []) {
    if (typeof dependency !== 'string') {
      pip.push(...dependency.pip);
      continue;
    }
    const read = readCondaDependency(dependency);
    switch (read.kind) {
      case 'python':
        if (read.version === null && read.spec.trim() !== 'python') {
          warnings.push(
            `conda file: "${read.spec}" does not pin one Python version; the node's default python3 is used`,
          );
        }
        pythonVersion = read.version;
        break;
      case 'pip-itself':
        break;
      case 'pip':
        pip.push(read.requirement);
        fromConda.push(`${read.requirement} (conda: ${read.spec})`);
        break;
      case 'conda-only':
        warnings.push(
          `conda package "${read.spec}" cannot be installed with pip and is left out; install it on the node, or run on compute that uses the environment's image`,
        );
        break;
      case 'untranslatable':
        warnings.push(`conda package "${read.spec}" is left out: ${read.reason}; list it under pip: instead`);
        break;
    }
  }
  if (fromConda.length > 0) {
    warnings.push(`conda packages installed with pip instead (no conda here): ${fromConda.join(', ')}`);
  }
  return { pythonVersion, pip, baseDir, warnings };
}
