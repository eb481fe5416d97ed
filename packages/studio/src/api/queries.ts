import type { Experiment, Job, Run, RunPage } from '@cairn/sdk';
import { keepPreviousData, useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { useWorkspace } from './workspace-context.js';

/**
 * Every server read the pages make, as React Query hooks. Each asks only for what its page shows
 * (sections of runs, a page of rows, a downsampled series). Keys start with the workspace, so switching
 * workspaces never shows another's cache. Add a hook here rather than calling the client in a component.
 */
export const keys = {
  experiments: (ws: string) => [ws, 'experiments'] as const,
  experiment: (ws: string, id: string) => [ws, 'experiment', id] as const,
  runs: (ws: string, request: object) => [ws, 'runs', request] as const,
  run: (ws: string, runId: string) => [ws, 'run', runId] as const,
  jobs: (ws: string, request: object) => [ws, 'jobs', request] as const,
};

export function useExperiments(options: { enabled?: boolean } = {}) {
  const { workspace, client } = useWorkspace();
  return useQuery({
    queryKey: keys.experiments(workspace),
    queryFn: async (): Promise<Experiment[]> =>
      (await client.experiments.search({ maxResults: 1000, orderBy: ['last_update_time DESC'] })).experiments,
    enabled: options.enabled ?? true,
  });
}

export function useExperiment(experimentId: string) {
  const { workspace, client } = useWorkspace();
  return useQuery({
    queryKey: keys.experiment(workspace, experimentId),
    queryFn: () => client.experiments.get(experimentId),
  });
}

/** The newest runs across these experiments (the home page's list). */
export function useRecentRuns(experimentIds: readonly string[], limit = 15) {
  const { workspace, client } = useWorkspace();
  const request = {
    experimentIds: experimentIds.slice(0, 1000),
    maxResults: limit,
    orderBy: ['start_time DESC'],
  };
  return useQuery({
    queryKey: keys.runs(workspace, request),
    queryFn: async (): Promise<Run[]> => (await client.runs.search(request)).runs,
    enabled: experimentIds.length > 0,
  });
}

export interface RunsTableRequest {
  experimentIds: string[];
  filter: string;
  orderBy: string[];
  include: ('metrics' | 'params' | 'tags')[];
}

/** Runs for the runs table, a page at a time (the table asks for the next page as it scrolls). */
export function useRunsTable(request: RunsTableRequest, pageSize = 500) {
  const { workspace, client } = useWorkspace();
  return useInfiniteQuery({
    queryKey: keys.runs(workspace, { ...request, pageSize }),
    queryFn: ({ pageParam }): Promise<RunPage> =>
      client.runs.search({
        ...request,
        maxResults: pageSize,
        ...(pageParam ? { pageToken: pageParam } : {}),
      }),
    initialPageParam: '',
    getNextPageParam: (last) => last.nextPageToken ?? undefined,
    // Keep the rows on screen while a new filter or sort loads, instead of flashing an empty table.
    placeholderData: keepPreviousData,
  });
}

export function useRun(runId: string) {
  const { workspace, client } = useWorkspace();
  return useQuery({ queryKey: keys.run(workspace, runId), queryFn: () => client.runs.get(runId) });
}

export function useRecentJobs(limit = 10) {
  const { workspace, client } = useWorkspace();
  const request = { maxResults: limit };
  return useQuery({
    queryKey: keys.jobs(workspace, request),
    queryFn: async (): Promise<Job[]> => (await client.jobs.list(request)).jobs,
  });
}

/**
 * Metric, param and tag keys for the column picker, from a sample of the newest runs (a key only older
 * runs have can still be typed in by hand).
 */
export function useRunKeySample(experimentIds: readonly string[], sample = 100) {
  const { workspace, client } = useWorkspace();
  const request = {
    experimentIds: [...experimentIds],
    maxResults: sample,
    include: ['metrics', 'params', 'tags'] as ('metrics' | 'params' | 'tags')[],
  };
  return useQuery({
    queryKey: keys.runs(workspace, { ...request, purpose: 'keys' }),
    queryFn: async (): Promise<Run[]> => (await client.runs.search(request)).runs,
    staleTime: 60_000,
    enabled: experimentIds.length > 0,
  });
}

/** A metric downsampled on the server to about `buckets` buckets over a step range (all by default). */
export function useMetricChart(
  runId: string,
  metricKey: string,
  range: { startStep: number; endStep: number } | null,
  buckets = 1000,
) {
  const { workspace, client } = useWorkspace();
  return useQuery({
    queryKey: [workspace, 'metric-chart', runId, metricKey, range, buckets],
    queryFn: () => client.runs.metricChart(runId, metricKey, { buckets, ...(range ?? {}) }),
    placeholderData: keepPreviousData,
  });
}

/** A metric's full history (for the time axis); only for series small enough to fetch whole. */
export function useMetricHistory(runId: string, metricKey: string, enabled: boolean) {
  const { workspace, client } = useWorkspace();
  return useQuery({
    queryKey: [workspace, 'metric-history', runId, metricKey],
    queryFn: async () => (await client.runs.metricHistory(runId, metricKey, { maxResults: 25_000 })).metrics,
    enabled,
  });
}

export function useArtifacts(runId: string, path: string) {
  const { workspace, client } = useWorkspace();
  return useQuery({
    queryKey: [workspace, 'artifacts', runId, path],
    queryFn: () => client.runs.listArtifacts(runId, path),
  });
}

/** The first `maxBytes` of an artifact (a preview), and whether the file is longer. */
export function useArtifactHead(runId: string, path: string | null, maxBytes: number) {
  const { workspace, client } = useWorkspace();
  return useQuery({
    queryKey: [workspace, 'artifact-head', runId, path, maxBytes],
    enabled: path !== null,
    queryFn: async () => {
      const download = await client.runs.downloadArtifact(runId, path ?? '', {
        range: { start: 0, end: maxBytes - 1 },
      });
      const bytes = new Uint8Array(await new Response(download.body).arrayBuffer());
      return { bytes, size: download.size ?? bytes.length, truncated: (download.size ?? 0) > bytes.length };
    },
    staleTime: 5 * 60_000,
  });
}

export function useJob(name: string | null) {
  const { workspace, client } = useWorkspace();
  return useQuery({
    queryKey: [workspace, 'job', name],
    queryFn: () => client.jobs.get(name ?? ''),
    enabled: name !== null,
  });
}
