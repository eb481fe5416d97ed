import { didYouMean, got } from '@cairn/core';
import { z } from 'zod';
import { commonJobFields, trialFields } from './job-common.js';
import {
  durationSeconds,
  identifierKey,
  nonEmptyString,
  nonNegativeInt,
  positiveInt,
} from './schema-helpers.js';

type Literal = string | number | boolean;
type Range = { min_value: number; max_value: number };
type Gaussian = { mu: number; sigma: number };
/** One hyperparameter's distribution, as written in `search_space`. */
export type SearchExpressionSpec =
  | { type: 'choice'; values: (Literal | { [name: string]: Literal | SearchExpressionSpec })[] }
  | { type: 'randint'; upper: number }
  | ({ type: 'uniform' | 'loguniform' } & Range)
  | ({ type: 'quniform' | 'qloguniform'; q: number } & Range)
  | ({ type: 'normal' | 'lognormal' } & Gaussian)
  | ({ type: 'qnormal' | 'qlognormal'; q: number } & Gaussian);

const range = { min_value: z.number(), max_value: z.number() };
const gaussian = { mu: z.number(), sigma: z.number().positive() };
const step = { q: z.number().positive() };

const checkRange = (value: { min_value: number; max_value: number }, ctx: z.RefinementCtx) => {
  if (value.min_value >= value.max_value) {
    ctx.addIssue({
      code: 'custom',
      path: ['max_value'],
      message: `max_value must be greater than min_value (${value.min_value})${got(value.max_value)}`,
      input: value.max_value,
    });
  }
};

/**
 * One hyperparameter's distribution. `loguniform` and `qloguniform` take their bounds as natural
 * logarithms, as in Azure ML: the value is exp(uniform(min_value, max_value)).
 */
export const searchExpressionSchema: z.ZodType<SearchExpressionSpec> = z.lazy(() => searchExpressionUnion);

const literal = z.union([z.string(), z.number(), z.boolean()]);
/** A choice value may be a nested search space (conditional hyperparameters). */
const choiceValue = z.union([literal, z.record(z.string(), z.union([literal, searchExpressionSchema]))], {
  error: (iss) => `expected a number, string, true/false or a nested search space${got(iss.input)}`,
});

const searchExpressionUnion = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('choice'), values: z.array(choiceValue).min(1) }),
  z.strictObject({ type: z.literal('randint'), upper: positiveInt }),
  z.strictObject({ type: z.literal('uniform'), ...range }).superRefine(checkRange),
  z.strictObject({ type: z.literal('loguniform'), ...range }).superRefine(checkRange),
  z.strictObject({ type: z.literal('quniform'), ...range, ...step }).superRefine(checkRange),
  z.strictObject({ type: z.literal('qloguniform'), ...range, ...step }).superRefine(checkRange),
  z.strictObject({ type: z.literal('normal'), ...gaussian }),
  z.strictObject({ type: z.literal('lognormal'), ...gaussian }),
  z.strictObject({ type: z.literal('qnormal'), ...gaussian, ...step }),
  z.strictObject({ type: z.literal('qlognormal'), ...gaussian, ...step }),
]);

const SAMPLING = ['random', 'grid', 'bayesian'] as const;

const samplingObjectSchema = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('random'),
    seed: z.int().optional(),
    rule: z.enum(['random', 'sobol']).optional(),
  }),
  z.strictObject({ type: z.literal('grid') }),
  z.strictObject({ type: z.literal('bayesian') }),
]);

export type SweepSamplingAlgorithm = z.output<typeof samplingObjectSchema>;

/** `random` / `grid` / `bayesian`, or `{type: random, seed, rule}`; always an object once parsed. */
export const samplingAlgorithmSchema = z.union(
  [z.enum(SAMPLING).transform((type): SweepSamplingAlgorithm => ({ type })), samplingObjectSchema],
  {
    error: (iss) =>
      `expected "random", "grid", "bayesian" or {type: random, seed: 42}${got(iss.input)}${
        typeof iss.input === 'string' ? didYouMean(iss.input, SAMPLING) : ''
      }`,
  },
);

const intervals = {
  /** Apply the policy every this many metric reports. */
  evaluation_interval: positiveInt.default(1),
  /** Skip the first this many reports. */
  delay_evaluation: nonNegativeInt.default(0),
};

export const earlyTerminationSchema = z.discriminatedUnion('type', [
  z
    .strictObject({
      type: z.literal('bandit'),
      slack_factor: z.number().positive().optional(),
      slack_amount: z.number().positive().optional(),
      ...intervals,
    })
    .superRefine((policy, ctx) => {
      if ((policy.slack_factor === undefined) === (policy.slack_amount === undefined)) {
        ctx.addIssue({
          code: 'custom',
          path: [],
          message: 'a bandit policy takes exactly one of slack_factor or slack_amount',
          input: policy,
        });
      }
    }),
  z.strictObject({ type: z.literal('median_stopping'), ...intervals }),
  z.strictObject({
    type: z.literal('truncation_selection'),
    truncation_percentage: z.int().min(1).max(99),
    ...intervals,
  }),
]);

export const sweepLimitsSchema = z.strictObject({
  max_total_trials: positiveInt.default(1000),
  max_concurrent_trials: positiveInt.optional(),
  /** Seconds for the whole sweep (default 60 days, as in Azure ML). */
  timeout: durationSeconds.default(5_184_000),
  /** Seconds per trial. */
  trial_timeout: durationSeconds.optional(),
});

/** `type: sweep`: trials of `trial.command` with hyperparameters drawn from `search_space`. */
export const sweepJobSchema = z
  .strictObject({
    ...commonJobFields,
    type: z.literal('sweep'),
    sampling_algorithm: samplingAlgorithmSchema,
    search_space: z
      .record(identifierKey('hyperparameter'), searchExpressionSchema)
      .refine((space) => Object.keys(space).length > 0, {
        error: 'needs at least one hyperparameter',
      }),
    objective: z.strictObject({ primary_metric: nonEmptyString, goal: z.enum(['maximize', 'minimize']) }),
    early_termination: earlyTerminationSchema.optional(),
    limits: sweepLimitsSchema.prefault({}),
    trial: z.strictObject(trialFields),
  })
  .superRefine((job, ctx) => {
    if (job.sampling_algorithm.type !== 'grid') return;
    for (const [name, expression] of Object.entries(job.search_space)) {
      if (expression.type !== 'choice') {
        ctx.addIssue({
          code: 'custom',
          path: ['search_space', name, 'type'],
          message: `grid sampling takes only choice expressions; use random or bayesian sampling for ${expression.type}`,
          input: expression.type,
        });
      }
    }
  });

export type SweepJobSpec = z.output<typeof sweepJobSchema>;
export type EarlyTerminationSpec = z.output<typeof earlyTerminationSchema>;
export type SweepLimits = z.output<typeof sweepLimitsSchema>;
