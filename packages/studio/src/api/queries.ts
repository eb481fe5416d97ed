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

export function useExperiments() {
  const { workspace, client } = useWorkspace();
  return useQuery({
    queryKey: keys.experiments(workspace),
    queryFn: async (): Promise<Experiment[]> =>
      (await client.experiments.search({ maxResults: 1000, orderBy: ['last_update_time DESC'] })).experiments,
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
