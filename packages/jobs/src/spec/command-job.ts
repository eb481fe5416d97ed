import { z } from 'zod';
import { commonJobFields, servicesSchema, trialFields } from './job-common.js';
import { durationSeconds } from './schema-helpers.js';

/** `type: command` (the default when `type` is left out, as in Azure ML). */
export const commandJobSchema = z.strictObject({
  ...commonJobFields,
  ...trialFields,
  type: z.literal('command').default('command'),
  limits: z
    .strictObject({
      /** Seconds; the job is canceled when it runs longer. */
      timeout: durationSeconds.optional(),
    })
    .optional(),
  services: servicesSchema.optional(),
});

export type CommandJobSpec = z.output<typeof commandJobSchema>;
