import { got } from '@cairn/core';
import { z } from 'zod';
import { nonEmptyString, stringMap, versionString } from './schema-helpers.js';

const pythonVersion = z
  .union([z.string(), z.number()], {
    error: (iss) => `expected a Python version like "3.11"${got(iss.input)}`,
  })
  .superRefine((value, ctx) => {
    if (typeof value === 'number') {
      ctx.addIssue({
        code: 'custom',
        message: `write the version in quotes, e.g. python: "${value}" (YAML reads 3.10 as the number 3.1)`,
        input: value,
      });
    } else if (!/^\d+(\.\d+){0,2}$/.test(value)) {
      ctx.addIssue({
        code: 'custom',
        message: `expected a Python version like "3.11"${got(value)}`,
        input: value,
      });
    }
  })
  .transform(String);

const environmentFields = {
  $schema: z.string().optional(),
  name: nonEmptyString.optional(),
  version: versionString.optional(),
  description: z.string().optional(),
  tags: stringMap.optional(),
  /** A container image; on local and Slurm compute Cairn builds a virtualenv and ignores it. */
  image: nonEmptyString.optional(),
  /** A conda file's path (relative to the YAML file), or the conda environment inline. */
  conda_file: z
    .union([nonEmptyString, z.record(z.string(), z.unknown())], {
      error: (iss) =>
        `expected a path to a conda file, or the conda environment as a mapping${got(iss.input)}`,
    })
    .optional(),
  build: z
    .strictObject({
      path: nonEmptyString,
      dockerfile_path: nonEmptyString.default('Dockerfile'),
    })
    .optional(),
  os_type: z.enum(['linux', 'windows']).optional(),
  inference_config: z.looseObject({}).optional(),
  /** Cairn: the Python version of the virtualenv. */
  python: pythonVersion.optional(),
  /** Cairn: requirement lines for pip (`scikit-learn==1.5.2`). */
  pip: z.array(nonEmptyString).optional(),
};

type EnvironmentFields = { image?: unknown; build?: unknown; conda_file?: unknown; pip?: unknown };

const checkSource = (env: EnvironmentFields, ctx: z.RefinementCtx) => {
  if (
    env.image === undefined &&
    env.build === undefined &&
    env.conda_file === undefined &&
    env.pip === undefined
  ) {
    ctx.addIssue({
      code: 'custom',
      path: [],
      message:
        'an environment needs one of image, build, conda_file or pip (e.g. pip: ["scikit-learn"]); add one',
      input: env,
    });
  }
  if (env.image !== undefined && env.build !== undefined) {
    ctx.addIssue({
      code: 'custom',
      path: ['build'],
      message: 'give either image or build, not both',
      input: env.build,
    });
  }
};

/** An environment registered from its own YAML file (`cairn environment create -f env.yml`). */
export const environmentSpecSchema = z
  .strictObject({ ...environmentFields, name: nonEmptyString })
  .superRefine(checkSource);

/** An environment written inline in a job (`environment: {image: ..., conda_file: ...}`). */
export const inlineEnvironmentSchema = z.strictObject(environmentFields).superRefine(checkSource);

export type EnvironmentSpec = z.output<typeof environmentSpecSchema>;
export type InlineEnvironment = z.output<typeof inlineEnvironmentSchema>;
