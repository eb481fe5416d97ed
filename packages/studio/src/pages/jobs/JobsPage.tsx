import type { Job } from '@cairn/sdk';
import { Link, useSearchParams } from 'wouter';
import { useExperiments } from '../../api/queries.js';
import { useJobsList } from '../../api/queries-jobs.js';
import { QueryState } from '../../components/QueryState.js';
import { StatusBadge } from '../../components/StatusBadge.js';
import { Time } from '../../components/Time.js';
import { formatDuration } from '../../lib/format.js';
import { JOB_STATUSES, jobDuration, parseStatusFilter } from '../../lib/job-status.js';
import './jobs.css';

/** Every job of the workspace, newest first, live while any shown is still going; filtered by status. */
export function JobsPage() {
  const [search, setSearch] = useSearchParams();
  const status = parseStatusFilter(search.get('status'));
  const list = useJobsList(status);
  const experiments = useExperiments();
  const experimentNames = new Map(experiments.data?.map((e) => [e.experimentId, e.name]));
  const jobs = list.data?.pages.flatMap((p) => p.jobs) ?? [];
  return (
    <div className="page jobs-page">
      <div className="page-head section-head">
        <h1>Jobs</h1>
        <Link href="/create/job" className="button primary">
          New job
        </Link>
      </div>
      <div className="toolbar">
        <label className="inline">
          Status
          <select
            aria-label="Status"
            value={status ?? ''}
            onChange={(e) => {
              const next = new URLSearchParams(search);
              if (e.target.value) next.set('status', e.target.value);
              else next.delete('status');
              setSearch(next, { replace: true });
            }}
          >
            <option value="">any</option>
            {JOB_STATUSES.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </label>
        <span className="muted count" data-testid="job-count">
          {list.isSuccess ? `${jobs.length}${list.hasNextPage ? '+' : ''} jobs` : ''}
        </span>
      </div>
      <QueryState query={list} what="jobs">
        {() =>
          jobs.length === 0 ? (
            <p className="muted">
              {status ? `No ${status} jobs.` : 'No jobs yet.'} Submit one with{' '}
              <Link href="/create/job">New job</Link> or <code>cairn job create -f job.yml</code>.
            </p>
          ) : (
            <section className="panel">
              <table className="grid" data-testid="jobs-table">
                <thead>
                  <tr>
                    <th>Name</th>
                    <th>Type</th>
                    <th>Status</th>
                    <th>Compute</th>
                    <th>Experiment</th>
                    <th>Created</th>
                    <th className="num">Duration</th>
                    <th>Run</th>
                  </tr>
                </thead>
                <tbody>
                  {jobs.map((job) => (
                    <JobRow
                      key={job.name}
                      job={job}
                      experiment={experimentNames.get(job.experimentId ?? '')}
                    />
                  ))}
                </tbody>
              </table>
              {list.hasNextPage && (
                <button
                  type="button"
                  className="load-more"
                  disabled={list.isFetchingNextPage}
                  onClick={() => void list.fetchNextPage()}
                >
                  {list.isFetchingNextPage ? 'Loading…' : 'Load more'}
                </button>
              )}
            </section>
          )
        }
      </QueryState>
    </div>
  );
}

function JobRow({ job, experiment }: { job: Job; experiment: string | undefined }) {
  return (
    <tr data-job={job.name}>
      <td>
        <Link href={`/jobs/${encodeURIComponent(job.name)}`}>{job.name}</Link>
      </td>
      <td>
        {job.parentJobName ? (
          <>
            trial of{' '}
            <Link href={`/jobs/${encodeURIComponent(job.parentJobName)}/trials`}>{job.parentJobName}</Link>
          </>
        ) : (
          job.type
        )}
      </td>
      <td data-testid="job-status">
        <StatusBadge status={job.status} />
      </td>
      <td>{job.compute}</td>
      <td>
        {job.experimentId && (
          <Link href={`/experiments/${job.experimentId}`}>{experiment ?? job.experimentId}</Link>
        )}
      </td>
      <td>
        <Time ms={job.createdAt} />
      </td>
      <td className="num">{formatDuration(jobDuration(job))}</td>
      <td>{job.runId && <Link href={`/runs/${job.runId}`}>run</Link>}</td>
    </tr>
  );
}
