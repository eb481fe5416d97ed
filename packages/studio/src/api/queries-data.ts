import type { CreateDataVersionRequest, DataVersion } from '@cairn/sdk';
import {
  keepPreviousData,
  type UseQueryResult,
  useMutation,
  useQueries,
  useQuery,
  useQueryClient,
} from '@tanstack/react-query';
import { useCallback } from 'react';
import type { RunData } from '../lib/data-lineage.js';
import { asTablePreview, asTableProfile } from '../lib/data-table.js';
import { type PickedFile, type UploadProgress, uploadDataFiles } from '../lib/data-upload.js';
import { useWorkspace } from './workspace-context.js';

/**
 * The data pages' server reads and writes as React Query hooks (see queries.ts for the conventions):
 * keys start with the workspace, then 'data'; a write invalidates the asset's reads.
 */
const dataKey = (ws: string, ...rest: unknown[]) => [ws, 'data', ...rest] as const;

export function useDataAssets(includeArchived = false) {
  const { workspace, client } = useWorkspace();
  return useQuery({
    queryKey: dataKey(workspace, 'assets', includeArchived),
    queryFn: () => client.data.list({ includeArchived }),
  });
}

export function useDatastores() {
  const { workspace, client } = useWorkspace();
  return useQuery({
    queryKey: [workspace, 'datastores'],
    queryFn: () => client.datastores.list(),
  });
}

export function useDataAsset(name: string) {
  const { workspace, client } = useWorkspace();
  return useQuery({ queryKey: dataKey(workspace, 'asset', name), queryFn: () => client.data.get(name) });
}

export function useDataVersions(name: string, includeArchived: boolean) {
  const { workspace, client } = useWorkspace();
  return useQuery({
    queryKey: dataKey(workspace, 'asset', name, 'versions', includeArchived),
    queryFn: () => client.data.versions(name, { includeArchived }),
    placeholderData: keepPreviousData,
  });
}

/** One version; `latest` resolves on the server to the newest unarchived one. */
export function useDataVersion(name: string, version: string) {
  const { workspace, client } = useWorkspace();
  return useQuery({
    queryKey: dataKey(workspace, 'asset', name, 'version', version),
    queryFn: () => client.data.version(name, version),
  });
}

/** One page of a version's files under a folder (`prefix`), after the path `after`. */
export function useDataFilesPage(
  name: string,
  version: string,
  prefix: string,
  after: string | null,
  pageSize: number,
) {
  const { workspace, client } = useWorkspace();
  return useQuery({
    queryKey: dataKey(workspace, 'asset', name, 'files', version, prefix, after, pageSize),
    queryFn: () =>
      client.data.filesPage(name, version, {
        ...(prefix ? { prefix } : {}),
        ...(after ? { after } : {}),
        maxResults: pageSize,
      }),
    placeholderData: keepPreviousData,
    staleTime: Number.POSITIVE_INFINITY, // a version's files never change
  });
}

/** Whether a referenced version's source changed since it was registered (only asked for those). */
export function useDataSourceCheck(version: DataVersion | undefined) {
  const { workspace, client } = useWorkspace();
  return useQuery({
    queryKey: dataKey(workspace, 'asset', version?.name, 'check', version?.version),
    queryFn: () => client.data.check(version?.name ?? '', version?.version ?? ''),
    enabled: version?.storage === 'referenced',
  });
}

export function useDataDiff(name: string, from: string | null, to: string | null) {
  const { workspace, client } = useWorkspace();
  return useQuery({
    queryKey: dataKey(workspace, 'asset', name, 'diff', from, to),
    queryFn: () => client.data.diff(name, from ?? '', to ?? ''),
    enabled: from !== null && to !== null,
    staleTime: Number.POSITIVE_INFINITY,
  });
}

export function useDataPreview(name: string, version: string, path: string | null, rows = 100) {
  const { workspace, client } = useWorkspace();
  return useQuery({
    queryKey: dataKey(workspace, 'asset', name, 'preview', version, path, rows),
    queryFn: async () =>
      asTablePreview(await client.data.preview(name, version, { rows, ...(path ? { path } : {}) })),
    staleTime: 5 * 60_000,
  });
}

export function useDataProfile(name: string, version: string, path: string | null) {
  const { workspace, client } = useWorkspace();
  return useQuery({
    queryKey: dataKey(workspace, 'asset', name, 'profile', version, path),
    queryFn: async () => asTableProfile(await client.data.profile(name, version, path ? { path } : {})),
    staleTime: 5 * 60_000,
  });
}

export function useDataLineage(name: string, version: string) {
  const { workspace, client } = useWorkspace();
  return useQuery({
    queryKey: dataKey(workspace, 'asset', name, 'lineage', version),
    queryFn: () => client.data.lineage(name, version),
  });
}

/** The inputs and outputs of each of these runs (one request per run), as a map of those answered. */
export function useRunsData(runIds: readonly string[]) {
  const { workspace, client } = useWorkspace();
  const joined = runIds.join('\n');
  // A stable combine keeps the map's identity until an answer changes, so the graph is not rebuilt per render.
  const combine = useCallback(
    (results: UseQueryResult<RunData>[]) => {
      const ids = joined === '' ? [] : joined.split('\n');
      const map = new Map<string, RunData>();
      results.forEach((r, i) => {
        if (r.data) map.set(ids[i] as string, r.data);
      });
      return {
        data: map,
        isPending: results.some((r) => r.isPending),
        error: results.find((r) => r.error)?.error ?? null,
      };
    },
    [joined],
  );
  return useQueries({
    queries: runIds.map((runId) => ({
      queryKey: [workspace, 'run-data', runId],
      queryFn: (): Promise<RunData> => client.data.runData(runId),
    })),
    combine,
  });
}

/** Archive or restore a version, or the whole asset when `version` is left out. */
export function useSetDataArchived(name: string) {
  const { workspace, client } = useWorkspace();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ version, archived }: { version?: string; archived: boolean }) =>
      archived
        ? client.data.archive(name, version ? { version } : {})
        : client.data.restore(name, version ? { version } : {}),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: dataKey(workspace) }),
  });
}

/** Register a version referencing a datastore path or URL. */
export function useCreateData() {
  const { workspace, client } = useWorkspace();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (request: CreateDataVersionRequest) => client.data.create(request),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: dataKey(workspace) }),
  });
}

/** Upload files picked in the browser (only the contents the workspace lacks) and register them. */
export function useUploadData(onProgress: (progress: UploadProgress) => void) {
  const { workspace, client } = useWorkspace();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({
      files,
      request,
    }: {
      files: PickedFile[];
      request: Omit<CreateDataVersionRequest, 'path' | 'manifestId'>;
    }) => uploadDataFiles(client, files, request, onProgress),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: dataKey(workspace) }),
  });
}

export function useDataSamples() {
  const { workspace, client } = useWorkspace();
  return useQuery({
    queryKey: [workspace, 'data-samples'],
    queryFn: () => client.data.samples(),
    staleTime: Number.POSITIVE_INFINITY,
  });
}

/** Register one of the built-in sample datasets. */
export function useRegisterSample() {
  const { workspace, client } = useWorkspace();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ sample, name }: { sample: string; name?: string }) =>
      client.data.registerSample(sample, name ? { name } : {}),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: dataKey(workspace) }),
  });
}

/** Look at a referenced asset's source now; a new version when files were added, changed or removed. */
export function useRefreshData(name: string) {
  const { workspace, client } = useWorkspace();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: () => client.data.refresh(name),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: dataKey(workspace) }),
  });
}
