import type { CreateJobRequest, Job, JobPage, JobStatus } from '@cairn/sdk';
import {
  keepPreviousData,
  useInfiniteQuery,
  useMutation,
  useQuery,
  useQueryClient,
} from '@tanstack/react-query';
import type { PickedFile } from '../lib/blob-upload.js';
import { type CodeUploadProgress, uploadCodeFolder } from '../lib/code-upload.js';
import { pollInterval } from '../lib/job-status.js';
import { useWorkspace } from './workspace-context.js';

/**
 * Server reads and writes of the jobs, compute and environment pages. Pages that show jobs still going
 * poll while they do (every 2 s) and stop once every job shown has ended; the job page's log follows the
 * job over server-sent events instead (use-job-log.ts). Keys start with the workspace; `[ws, 'jobs']`
 * and `[ws, 'job', name]` are shared with queries.ts, so a submit or cancel refreshes every list.
 */
export const jobKeys = {
  jobs: (ws: string, request: object) => [ws, 'jobs', request] as const,
  job: (ws: string, name: string | null) => [ws, 'job', name] as const,
  snapshot: (ws: string, name: string) => [ws, 'job-snapshot', name] as const,
  counts: (ws: string) => [ws, 'jobs', 'counts'] as const,
  computes: (ws: string) => [ws, 'computes'] as const,
  environments: (ws: string) => [ws, 'environments'] as const,
};

/** Jobs newest first, a page at a time (`Load more`), optionally of one status. */
export function useJobsList(status: JobStatus | null, pageSize = 50) {
  const { workspace, client } = useWorkspace();
  const request = { ...(status ? { status } : {}), maxResults: pageSize };
  return useInfiniteQuery({
    queryKey: jobKeys.jobs(workspace, { ...request, view: 'list' }),
    queryFn: ({ pageParam }): Promise<JobPage> =>
      client.jobs.list({ ...request, ...(pageParam ? { pageToken: pageParam } : {}) }),
    initialPageParam: '',
    getNextPageParam: (last) => last.nextPageToken ?? undefined,
    placeholderData: keepPreviousData,
    refetchInterval: (query) =>
      pollInterval(query.state.data?.pages.flatMap((p) => p.jobs.map((j) => j.status)) ?? []),
  });
}

/** A job with its status history (and a sweep with its trials); polled while it has not ended. */
export function useJobDetail(name: string) {
  const { workspace, client } = useWorkspace();
  return useQuery({
    queryKey: jobKeys.job(workspace, name),
    queryFn: () => client.jobs.get(name),
    refetchInterval: (query) => {
      const data = query.state.data;
      if (!data) return false;
      // A sweep's answer reads every trial's metric history on the server: poll it less often.
      const trials = data.sweep?.trials.map((t) => t.status) ?? [];
      return pollInterval([data.job.status, ...trials], data.sweep ? 5000 : 2000);
    },
  });
}

/**
 * How many jobs that have not ended are in each status on each compute target, counted by the server
 * (`GET jobs/counts?active=true`, one query however long the queue), for the home and compute pages.
 */
export function useActiveJobCounts() {
  const { workspace, client } = useWorkspace();
  return useQuery({
    queryKey: jobKeys.counts(workspace),
    queryFn: () => client.jobs.counts({ active: true }),
    refetchInterval: 3000,
  });
}

const STARTED_STATUSES: readonly JobStatus[] = ['preparing', 'running', 'finalizing'];

/**
 * The jobs that have started and not ended (at most 1000 per status), for the compute page's "now on"
 * lists. Queued jobs are only counted (useActiveJobCounts), never listed, so a long queue costs nothing.
 */
export function useStartedJobs() {
  const { workspace, client } = useWorkspace();
  return useQuery({
    queryKey: jobKeys.jobs(workspace, { view: 'started' }),
    queryFn: async (): Promise<Job[]> => {
      const pages = await Promise.all(
        STARTED_STATUSES.map((status) => client.jobs.list({ status, maxResults: 1000 })),
      );
      return pages.flatMap((p) => p.jobs);
    },
    refetchInterval: 3000,
  });
}

/** The files of a job's code snapshot. */
export function useJobSnapshot(name: string, enabled: boolean) {
  const { workspace, client } = useWorkspace();
  return useQuery({
    queryKey: jobKeys.snapshot(workspace, name),
    queryFn: () => client.jobs.snapshot(name),
    enabled,
    staleTime: Number.POSITIVE_INFINITY,
  });
}

/** The first `maxBytes` of a snapshot file, and whether there is more. Snapshots never change. */
export function useSnapshotFileHead(name: string, path: string | null, maxBytes: number) {
  const { workspace, client } = useWorkspace();
  return useQuery({
    queryKey: [workspace, 'job-snapshot-file', name, path, maxBytes],
    enabled: path !== null,
    queryFn: async () => {
      const file = await client.jobs.snapshotFile(name, path ?? '', {
        range: { start: 0, end: maxBytes - 1 },
      });
      const bytes = new Uint8Array(await new Response(file.body).arrayBuffer());
      return { bytes, size: file.size ?? bytes.length, truncated: (file.size ?? 0) > bytes.length };
    },
    staleTime: Number.POSITIVE_INFINITY,
  });
}

/** The data versions a run read and wrote (the job page's inputs and outputs). */
export function useRunDataLinks(runId: string | null) {
  const { workspace, client } = useWorkspace();
  return useQuery({
    queryKey: [workspace, 'run-data-links', runId],
    queryFn: () => client.data.runData(runId ?? ''),
    enabled: runId !== null,
  });
}

export function useComputes() {
  const { workspace, client } = useWorkspace();
  return useQuery({ queryKey: jobKeys.computes(workspace), queryFn: () => client.computes.list() });
}

export function useEnvironments() {
  const { workspace, client } = useWorkspace();
  return useQuery({ queryKey: jobKeys.environments(workspace), queryFn: () => client.environments.list() });
}

/** Refreshes every job list and this job after a change. */
function useJobsChanged() {
  const { workspace } = useWorkspace();
  const queryClient = useQueryClient();
  return (job: Job) => {
    queryClient.setQueryData(jobKeys.job(workspace, job.name), (old: { job: Job } | undefined) =>
      old ? { ...old, job } : old,
    );
    void queryClient.invalidateQueries({ queryKey: [workspace, 'jobs'] });
    void queryClient.invalidateQueries({ queryKey: jobKeys.job(workspace, job.name) });
  };
}

export function useCancelJob() {
  const { client } = useWorkspace();
  const changed = useJobsChanged();
  return useMutation({
    mutationFn: (name: string) => client.jobs.cancel(name, { message: 'canceled from the studio' }),
    onSuccess: changed,
  });
}

/** Submits a job: YAML from the form or the editor, or a rerun (`rerunOf` with `set` overrides). */
export function useSubmitJob() {
  const { client } = useWorkspace();
  const changed = useJobsChanged();
  return useMutation({
    mutationFn: (request: CreateJobRequest) => client.jobs.create(request),
    onSuccess: changed,
  });
}

/**
 * Submits a job with a code folder picked in the browser: the folder is snapshotted and the contents
 * the workspace lacks uploaded first (code-upload.ts, progress through `onProgress`), then the job is
 * submitted with its `snapshotId`. Without a folder it is a plain submit. An upload failure is a
 * CodeUploadError saying what to do; a refused spec is the server's error, as with useSubmitJob.
 */
export function useSubmitJobWithCode(onProgress: (progress: CodeUploadProgress) => void) {
  const { client } = useWorkspace();
  const changed = useJobsChanged();
  return useMutation({
    mutationFn: async ({
      request,
      code,
    }: {
      request: CreateJobRequest;
      code: readonly PickedFile[] | null;
    }) => {
      if (code === null) return client.jobs.create(request);
      const { snapshotId } = await uploadCodeFolder(client, code, onProgress);
      return client.jobs.create({ ...request, snapshotId });
    },
    onSuccess: changed,
  });
}
