import { got } from '@cairn/core';
import { z } from 'zod';
import { tryParseComputeRef } from './asset-ref.js';
import { nonEmptyString, nonNegativeInt, positiveInt, slurmTimeSeconds } from './schema-helpers.js';

const computeName = z.string().superRefine((name, ctx) => {
  const result = tryParseComputeRef(name);
  if (result.type === 'error' || result.value.syntax === 'azureml') {
    ctx.addIssue({
      code: 'custom',
      message: result.type === 'error' ? result.reason : `write the name without "azureml:"${got(name)}`,
      input: name,
    });
  }
});

const common = {
  $schema: z.string().optional(),
  name: computeName,
  description: z.string().optional(),
};

/** A process pool on the server's machine; jobs queue when its slots are full. */
export const localComputeSchema = z.strictObject({
  ...common,
  type: z.literal('local'),
  cpus: positiveInt.optional(),
  memory_gb: z.number().positive().optional(),
  /** A number of GPUs, or the device indices to hand out through CUDA_VISIBLE_DEVICES. */
  gpus: z
    .union([nonNegativeInt, z.array(nonNegativeInt)], {
      error: (iss) => `expected a number of GPUs or a list of device indices${got(iss.input)}`,
    })
    .optional(),
});

/** Submission with sbatch; every field left out falls back to the cluster's defaults. */
export const slurmComputeSchema = z.strictObject({
  ...common,
  type: z.literal('slurm'),
  partition: nonEmptyString.optional(),
  account: nonEmptyString.optional(),
  gpus_per_job: nonNegativeInt.optional(),
  /** Seconds. */
  time_limit: slurmTimeSeconds.optional(),
  /** Extra sbatch command-line arguments (e.g. `--qos=high`), which override Cairn's #SBATCH lines. */
  sbatch_args: z.array(nonEmptyString).optional(),
  /** Where to run sbatch/squeue through ssh; on the server's machine when left out. */
  submit_host: nonEmptyString.optional(),
});

/** A Ray cluster reached through its Jobs REST API (the dashboard address). */
export const rayComputeSchema = z.strictObject({
  ...common,
  type: z.literal('ray'),
  address: z.string().superRefine((address, ctx) => {
    let ok = false;
    try {
      const url = new URL(address);
      ok = url.protocol === 'http:' || url.protocol === 'https:';
    } catch {
      ok = false;
    }
    if (!ok) {
      ctx.addIssue({
        code: 'custom',
        message: `expected the Ray dashboard's http(s) URL, e.g. http://127.0.0.1:8265${got(address)}`,
        input: address,
      });
    }
  }),
});

/** Not run yet (a later issue); accepted so that compute YAML can be registered ahead. */
export const kubernetesComputeSchema = z.strictObject({
  ...common,
  type: z.literal('kubernetes'),
  namespace: nonEmptyString,
  kubeconfig: nonEmptyString.optional(),
});

export const computeSpecSchema = z.discriminatedUnion('type', [
  localComputeSchema,
  slurmComputeSchema,
  rayComputeSchema,
  kubernetesComputeSchema,
]);

export type ComputeSpec = z.output<typeof computeSpecSchema>;
export type LocalComputeSpec = z.output<typeof localComputeSchema>;
export type SlurmComputeSpec = z.output<typeof slurmComputeSchema>;
export type RayComputeSpec = z.output<typeof rayComputeSchema>;
export type KubernetesComputeSpec = z.output<typeof kubernetesComputeSchema>;
export type ComputeType = ComputeSpec['type'];
