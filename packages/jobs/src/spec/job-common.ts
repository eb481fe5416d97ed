import { got } from '@cairn/core';
import { z } from 'zod';
import { tryParseAssetRef, tryParseComputeRef } from './asset-ref.js';
import { inlineEnvironmentSchema } from './environment.js';
import { jobInputsSchema, jobOutputsSchema } from './job-io.js';
import { checkedString, nonEmptyString, nonNegativeInt, positiveInt, stringMap } from './schema-helpers.js';

/** `environment:` in a job: a reference (`azureml:name:version`, `name@latest`, ...) or inline. */
export const jobEnvironmentSchema = z.union(
  [
    checkedString((text) => {
      const ref = tryParseAssetRef(text);
      if (ref.type === 'success' && ref.value.kind === 'datastore-path') {
        return { type: 'error', reason: `"${text}" is a datastore path, not an environment` };
      }
      return ref;
    }),
    inlineEnvironmentSchema,
  ],
  {
    error: (iss) =>
      `expected an environment reference (azureml:<name>:<version>, <name>@latest) or an inline environment${got(iss.input)}`,
  },
);

export const computeRefSchema = checkedString(tryParseComputeRef);

export const resourcesSchema = z.strictObject({
  instance_count: positiveInt.optional(),
  instance_type: nonEmptyString.optional(),
  /** Docker's size syntax (`2g`, `512m`). */
  shm_size: z
    .string()
    .regex(/^\d+[bkmg]?$/i, { error: (iss) => `expected a size like "2g" or "512m"${got(iss.input)}` })
    .optional(),
  docker_args: z.union([z.string(), z.array(z.string())]).optional(),
  locations: z.array(z.string()).optional(),
  max_instance_count: positiveInt.optional(),
  properties: z.record(z.string(), z.unknown()).optional(),
});

// Distribution settings are kept loose (Cairn does not use them all yet) but typed where known.
export const distributionSchema = z.discriminatedUnion('type', [
  z.looseObject({ type: z.literal('mpi'), process_count_per_instance: positiveInt.optional() }),
  z.looseObject({ type: z.literal('pytorch'), process_count_per_instance: positiveInt.optional() }),
  z.looseObject({
    type: z.literal('tensorflow'),
    worker_count: nonNegativeInt.optional(),
    parameter_server_count: nonNegativeInt.optional(),
  }),
  z.looseObject({
    type: z.literal('ray'),
    address: z.string().optional(),
    port: positiveInt.optional(),
    dashboard_port: positiveInt.optional(),
    include_dashboard: z.boolean().optional(),
    head_node_additional_args: z.string().optional(),
    worker_node_additional_args: z.string().optional(),
  }),
]);

export const queueSettingsSchema = z.looseObject({
  job_tier: z.string().optional(),
  priority: z.string().optional(),
});

export const servicesSchema = z.record(z.string(), z.looseObject({ type: z.string().optional() }));

export const identitySchema = z.looseObject({
  type: z.enum(['user_identity', 'managed', 'managed_identity', 'aml_token']),
});

const JOB_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,254}$/;

/** Keys every job type shares. */
export const commonJobFields = {
  $schema: z.string().optional(),
  name: z
    .string()
    .regex(JOB_NAME, {
      error: (iss) =>
        `expected a job name of letters, digits, "-" and "_", starting with a letter or digit${got(iss.input)}`,
    })
    .optional(),
  display_name: z.string().optional(),
  experiment_name: nonEmptyString.optional(),
  description: z.string().optional(),
  tags: stringMap.optional(),
  /** A compute target's name; `local` when left out. */
  compute: computeRefSchema.optional(),
  inputs: jobInputsSchema.optional(),
  outputs: jobOutputsSchema.optional(),
  identity: identitySchema.optional(),
  queue_settings: queueSettingsSchema.optional(),
};

/** What runs: shared by a command job and a sweep's `trial`. */
export const trialFields = {
  command: nonEmptyString,
  /** A local folder (relative to the YAML file) snapshotted with the job. */
  code: nonEmptyString.optional(),
  /** Left out, the job runs in the compute target's default Python. */
  environment: jobEnvironmentSchema.optional(),
  environment_variables: stringMap.optional(),
  distribution: distributionSchema.optional(),
  resources: resourcesSchema.optional(),
};

export const DEFAULT_COMPUTE = 'local';
