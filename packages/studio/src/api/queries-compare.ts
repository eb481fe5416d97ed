import type { ChartSeries, Dashboard, DashboardLayout, Run } from '@cairn/sdk';
import { keepPreviousData, useMutation, useQueries, useQuery, useQueryClient } from '@tanstack/react-query';
import { useWorkspace } from './workspace-context.js';

/**
 * Server reads and writes of the compare page and the experiment dashboards. Charts ask the server for
 * downsampled series (min and max per bucket), one query per run, so each run's answer is cached alone.
 */

/** The selected runs, each with its params, latest metrics and tags (in the given order). */
export function useRunsByIds(runIds: readonly string[]) {
  const { workspace, client } = useWorkspace();
  return useQueries({
    queries: runIds.map((runId) => ({
      queryKey: [workspace, 'run', runId],
      queryFn: () => client.runs.get(runId),
    })),
  });
}

/** One metric of several runs, each downsampled on the server to about `buckets` buckets. */
export function useMetricCharts(runIds: readonly string[], metricKey: string, buckets = 500) {
  const { workspace, client } = useWorkspace();
  return useQueries({
    queries: runIds.map((runId) => ({
      queryKey: [workspace, 'metric-chart', runId, metricKey, null, buckets],
      queryFn: (): Promise<ChartSeries> => client.runs.metricChart(runId, metricKey, { buckets }),
      enabled: metricKey !== '',
      // A run without this metric answers NOT_FOUND: show it as absent rather than retrying.
      retry: false,
    })),
  });
}

/** Up to `limit` runs of an experiment matching `filter`, with params and metrics (a dashboard's runs). */
export function useDashboardRuns(experimentId: string, filter: string, limit = 200) {
  const { workspace, client } = useWorkspace();
  const request = {
    experimentIds: [experimentId],
    filter,
    maxResults: limit,
    orderBy: ['start_time DESC'],
    include: ['metrics', 'params'] as ('metrics' | 'params')[],
  };
  return useQuery({
    queryKey: [workspace, 'runs', { ...request, purpose: 'dashboard' }],
    queryFn: async (): Promise<Run[]> => (await client.runs.search(request)).runs,
    placeholderData: keepPreviousData,
    retry: false,
  });
}

const dashboardsKey = (ws: string, experimentId: string) => [ws, 'dashboards', experimentId] as const;

export function useDashboards(experimentId: string) {
  const { workspace, client } = useWorkspace();
  return useQuery({
    queryKey: dashboardsKey(workspace, experimentId),
    queryFn: () => client.dashboards.list(experimentId),
  });
}

/** Create, save (with the `updatedAt` read: CONFLICT when someone saved since) and delete dashboards. */
export function useDashboardMutations(experimentId: string) {
  const { workspace, client } = useWorkspace();
  const queryClient = useQueryClient();
  const refresh = () => queryClient.invalidateQueries({ queryKey: dashboardsKey(workspace, experimentId) });
  const store = (saved: Dashboard) =>
    queryClient.setQueryData<Dashboard[]>(dashboardsKey(workspace, experimentId), (old) =>
      old
        ? [...old.filter((d) => d.id !== saved.id), saved].sort((a, b) => a.name.localeCompare(b.name))
        : [saved],
    );
  const create = useMutation({
    mutationFn: (name: string) =>
      client.dashboards.create(experimentId, { name, layout: { version: 1, filter: '', charts: [] } }),
    onSuccess: store,
  });
  const save = useMutation({
    mutationFn: (d: { id: string; layout: DashboardLayout; updatedAt: number }) =>
      client.dashboards.update(experimentId, d.id, { layout: d.layout, updatedAt: d.updatedAt }),
    onSuccess: store,
  });
  const remove = useMutation({
    mutationFn: (id: string) => client.dashboards.delete(experimentId, id),
    onSuccess: refresh,
  });
  return { create, save, remove, refresh };
}
