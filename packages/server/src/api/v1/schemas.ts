import { LifecycleStage, RunStatus, ViewType } from '@cairn/core';
import { z } from 'zod';

/**
 * The native API's wire schemas: what requests carry and responses return. One schema per shape; the
 * route definitions validate with them and the OpenAPI document is generated from them. The TypeScript
 * SDK declares the same shapes as plain types (tests check they agree).
 */

const NON_FINITE = ['NaN', 'Infinity', '-Infinity'] as const;

/** A metric value: a JSON number, or one of the strings for the values JSON cannot carry. */
export const MetricValue = z
  .union([z.number(), z.enum(NON_FINITE)], { error: 'must be a number, or "NaN", "Infinity" or "-Infinity"' })
  .meta({ id: 'MetricValue', description: 'A number, or "NaN", "Infinity", "-Infinity"' });

/** Encodes a number for the wire: non-finite values become their names. */
export const wireNumber = (v: number): z.input<typeof MetricValue> =>
  Number.isFinite(v) ? v : Number.isNaN(v) ? 'NaN' : v > 0 ? 'Infinity' : '-Infinity';

/** Decodes a wire metric value (bare NaN/Infinity tokens in JSON bodies already arrive as numbers). */
export const fromWireNumber = (v: z.output<typeof MetricValue>): number =>
  typeof v === 'number' ? v : v === 'NaN' ? Number.NaN : v === 'Infinity' ? Infinity : -Infinity;

export const StringMap = z.record(z.string(), z.string());
/** Tags to set (a string) or delete (null). */
export const StringPatch = z.record(z.string(), z.string().nullable());

export const Message = z
  .string()
  .max(2000)
  .optional()
  .describe('Why the change is made; recorded in the audit log (or send the X-Cairn-Message header)');

export const Experiment = z
  .object({
    experimentId: z.string(),
    name: z.string(),
    artifactLocation: z.string(),
    lifecycleStage: z.enum(LifecycleStage),
    creationTime: z.number().int(),
    lastUpdateTime: z.number().int(),
    tags: StringMap,
  })
  .meta({ id: 'Experiment' });

export const LatestMetric = z
  .object({ value: MetricValue, step: z.number().int(), timestamp: z.number().int() })
  .meta({ id: 'LatestMetric' });

export const Run = z
  .object({
    runId: z.string(),
    experimentId: z.string(),
    runName: z.string(),
    userId: z.string(),
    status: z.enum(RunStatus),
    startTime: z.number().int(),
    endTime: z.number().int().nullable(),
    artifactUri: z.string(),
    lifecycleStage: z.enum(LifecycleStage),
    parentRunId: z.string().nullable(),
    params: StringMap.optional().describe('Present when asked for (always on GET /runs/{runId})'),
    metrics: z
      .record(z.string(), LatestMetric)
      .optional()
      .describe('Latest value of each metric; present when asked for'),
    tags: StringMap.optional().describe('Present when asked for'),
  })
  .meta({ id: 'Run' });

export const MetricPoint = z
  .object({ value: MetricValue, step: z.number().int(), timestamp: z.number().int() })
  .meta({ id: 'MetricPoint' });

export const MetricBucket = z
  .object({
    stepStart: z.number().int(),
    stepEnd: z.number().int(),
    count: z.number().int(),
    min: MetricValue,
    max: MetricValue,
    last: MetricValue,
    minStep: z.number().int(),
    maxStep: z.number().int(),
  })
  .meta({ id: 'MetricBucket', description: 'A bucket of steps, keeping its extremes and their steps' });

export const ArtifactEntry = z
  .object({
    path: z.string().describe("Relative to the run's artifact root"),
    isDir: z.boolean(),
    fileSize: z.number().int().nullable(),
  })
  .meta({ id: 'ArtifactEntry' });

export const ArtifactFile = z
  .object({ path: z.string(), size: z.number().int(), sha256: z.string() })
  .meta({ id: 'ArtifactFile' });

// ── request pieces ──

export const ViewTypeParam = z.enum(ViewType).default('ACTIVE_ONLY');
export const PageToken = z.string().max(4096).optional().describe('nextPageToken of the previous page');

/** A query parameter given once or repeated (`orderBy=a&orderBy=b`). */
export const RepeatedString = z
  .union([z.string(), z.array(z.string())])
  .optional()
  .transform((v) => (v === undefined ? [] : Array.isArray(v) ? v : [v]));

/** A positive integer sent as a query string. */
export const queryInt = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

export const WorkspaceParam = z.string().min(1).describe('Workspace name');
export const ExperimentId = z
  .string()
  .regex(/^\d+$/, 'must be a decimal experiment id such as 12')
  .transform(Number);
export const RunId = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be a run id (32 hex characters)');
