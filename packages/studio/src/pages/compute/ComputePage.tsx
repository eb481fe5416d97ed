import { Link } from 'wouter';
import { useActiveJobCounts, useComputes, useStartedJobs } from '../../api/queries-jobs.js';
import { QueryState } from '../../components/QueryState.js';
import { StatusBadge } from '../../components/StatusBadge.js';
import { Time } from '../../components/Time.js';
import { type ComputeLoad, computeLoad, computeSettings } from '../../lib/compute-load.js';
import { formatDuration } from '../../lib/format.js';
import { jobDuration } from '../../lib/job-status.js';
import '../jobs/jobs.css';

/** The workspace's compute targets: how each is set up, its queue, and what runs on it now (live). */
export function ComputePage() {
  const computes = useComputes();
  const counts = useActiveJobCounts();
  const started = useStartedJobs();
  return (
    <div className="page compute-page">
      <div className="page-head">
        <h1>Compute</h1>
        <p className="muted">
          Targets jobs run on. Register one with <code>cairn compute create -f compute.yml</code> (local,
          slurm or ray).
        </p>
      </div>
      <QueryState query={computes} what="compute targets">
        {(targets) => (
          <QueryState query={counts} what="job counts">
            {(jobCounts) => (
              <>
                <table className="grid" data-testid="compute-table">
                  <thead>
                    <tr>
                      <th>Target</th>
                      <th>Type</th>
                      <th>Settings</th>
                      <th className="num">Queued</th>
                      <th className="num">Preparing</th>
                      <th className="num">Running</th>
                      <th className="num">Finalizing</th>
                    </tr>
                  </thead>
                  <tbody>
                    {computeLoad(targets, jobCounts, started.data ?? []).map((load) => (
                      <tr key={load.name} data-compute={load.name}>
                        <td>
                          <a href={`#compute-${load.name}`}>{load.name}</a>
                          {load.target?.builtIn && <span className="muted"> (built in)</span>}
                        </td>
                        <td>{load.kind}</td>
                        <td className="muted">
                          {load.target ? computeSettings(load.target) : 'no longer registered'}
                        </td>
                        <td className="num" data-testid="queued">
                          <StatusLink status="queued" count={load.counts.queued} />
                        </td>
                        <td className="num">{load.counts.preparing}</td>
                        <td className="num" data-testid="running">
                          <StatusLink status="running" count={load.counts.running} />
                        </td>
                        <td className="num">{load.counts.finalizing}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
                {computeLoad(targets, jobCounts, started.data ?? [])
                  .filter((l) => l.started.length > 0)
                  .map((load) => (
                    <RunningOn key={load.name} load={load} />
                  ))}
              </>
            )}
          </QueryState>
        )}
      </QueryState>
    </div>
  );
}

function StatusLink({ status, count }: { status: string; count: number }) {
  return count === 0 ? (
    <span className="muted">0</span>
  ) : (
    <Link href={`/jobs?status=${status}`}>{count}</Link>
  );
}

function RunningOn({ load }: { load: ComputeLoad }) {
  return (
    <section className="panel" id={`compute-${load.name}`}>
      <h2>Now on {load.name}</h2>
      <table className="grid" data-testid={`running-on-${load.name}`}>
        <thead>
          <tr>
            <th>Job</th>
            <th>Status</th>
            <th>Started</th>
            <th className="num">For</th>
          </tr>
        </thead>
        <tbody>
          {load.started.map((job) => (
            <tr key={job.name}>
              <td>
                <Link href={`/jobs/${encodeURIComponent(job.name)}`}>{job.name}</Link>
              </td>
              <td>
                <StatusBadge status={job.status} />
              </td>
              <td>
                <Time ms={job.startedAt} />
              </td>
              <td className="num">{formatDuration(jobDuration(job))}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
