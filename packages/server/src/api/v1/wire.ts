import type { Experiment as ExperimentEntity, Run as RunEntity, Tag } from '@cairn/core';
import type { z } from 'zod';
import { type Experiment, type Run, wireNumber } from './schemas.js';

export type RunSection = 'params' | 'metrics' | 'tags';

const toMap = (entries: readonly Tag[]): Record<string, string> =>
  Object.fromEntries(entries.map((e) => [e.key, e.value]));

export function wireExperiment(e: ExperimentEntity): z.input<typeof Experiment> {
  return {
    experimentId: e.experimentId,
    name: e.name,
    artifactLocation: e.artifactLocation,
    lifecycleStage: e.lifecycleStage,
    creationTime: e.creationTime,
    lastUpdateTime: e.lastUpdateTime,
    tags: toMap(e.tags),
  };
}

/** A run with the sections asked for (all of them by default). */
export function wireRun(
  run: RunEntity,
  sections: readonly RunSection[] = ['params', 'metrics', 'tags'],
): z.input<typeof Run> {
  const i = run.info;
  const out: z.input<typeof Run> = {
    runId: i.runId,
    experimentId: i.experimentId,
    runName: i.runName,
    userId: i.userId,
    status: i.status,
    startTime: i.startTime,
    endTime: i.endTime,
    artifactUri: i.artifactUri,
    lifecycleStage: i.lifecycleStage,
    parentRunId: i.parentRunId,
  };
  if (sections.includes('params')) out.params = toMap(run.data.params);
  if (sections.includes('tags')) out.tags = toMap(run.data.tags);
  if (sections.includes('metrics')) {
    out.metrics = Object.fromEntries(
      run.data.metrics.map((m) => [
        m.key,
        { value: wireNumber(m.value), step: m.step, timestamp: m.timestamp },
      ]),
    );
  }
  return out;
}
