import { useState } from 'react';
import { Link, Redirect, useLocation } from 'wouter';
import { useExperiments, useRecentJobs, useRecentRuns } from '../../api/queries.js';
import { useDataAssets } from '../../api/queries-data.js';
import { useActiveJobCounts, useComputes } from '../../api/queries-jobs.js';
import { useWorkspace } from '../../api/workspace-context.js';
import { QueryState } from '../../components/QueryState.js';
import { StatusBadge } from '../../components/StatusBadge.js';
import { Time } from '../../components/Time.js';
import { computeLoad } from '../../lib/compute-load.js';
import { formatDuration, runDuration } from '../../lib/format.js';
import { studioPathForMlflowHash } from '../../lib/mlflow-links.js';

/**
 * The workspace home: its experiments, the newest runs across them, the newest jobs, what each compute
 * target is doing, and the data assets. A link from an
 * MLflow client (`/#/experiments/2/runs/abc`) goes on to the studio's page for it.
 */
export function HomePage() {
  const { workspace } = useWorkspace();
  const fromMlflow = studioPathForMlflowHash(window.location.hash, workspace);
  return fromMlflow ? <Redirect to={`~${fromMlflow}`} replace /> : <Home />;
}

function Home() {
  const experiments = useExperiments();
  const ids = experiments.data?.map((e) => e.experimentId) ?? [];
  const names = new Map(experiments.data?.map((e) => [e.experimentId, e.name]));
  const runs = useRecentRuns(ids);
  const jobs = useRecentJobs();
  const data = useDataAssets();
  const computes = useComputes();
  const counts = useActiveJobCounts();
  const [picked, setPicked] = useState<ReadonlySet<string>>(new Set());
  const [, navigate] = useLocation();
  const pick = (id: string, on: boolean) =>
    setPicked((prev) => {
      const next = new Set(prev);
      on ? next.add(id) : next.delete(id);
      return next;
    });
  return (
    <div className="page home">
      <section className="panel">
        <h2>
          Experiments
          <button
            type="button"
            className="small"
            disabled={picked.size < 2}
            title="Tick two or more experiments to see their runs in one table"
            onClick={() =>
              navigate(
                `/experiments/${ids
                  .filter((id) => picked.has(id))
                  .map(encodeURIComponent)
                  .join(',')}`,
              )
            }
          >
            {picked.size > 1 ? `Runs of ${picked.size} selected` : 'Runs of selected'}
          </button>
        </h2>
        <QueryState query={experiments} what="experiments">
          {(list) =>
            list.length === 0 ? (
              <p className="muted">
                No experiments yet. Log one with <code>mlflow</code> (MLFLOW_TRACKING_URI=
                {window.location.origin}) or submit a job with <code>cairn job create -f job.yml</code>.
              </p>
            ) : (
              <table className="grid" data-testid="experiments">
                <thead>
                  <tr>
                    <th aria-label="Select" />
                    <th>Name</th>
                    <th>Id</th>
                    <th>Updated</th>
                  </tr>
                </thead>
                <tbody>
                  {list.map((e) => (
                    <tr key={e.experimentId}>
                      <td>
                        <input
                          type="checkbox"
                          aria-label={`Select experiment ${e.name}`}
                          checked={picked.has(e.experimentId)}
                          onChange={(ev) => pick(e.experimentId, ev.target.checked)}
                        />
                      </td>
                      <td>
                        <Link href={`/experiments/${e.experimentId}`}>{e.name}</Link>
                      </td>
                      <td className="muted">{e.experimentId}</td>
                      <td>
                        <Time ms={e.lastUpdateTime} />
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )
          }
        </QueryState>
      </section>

      <section className="panel">
        <h2>Recent runs</h2>
        {ids.length === 0 && !experiments.isPending ? (
          <p className="muted">No runs yet.</p>
        ) : (
          <QueryState query={runs} what="runs">
            {(list) => (
              <table className="grid" data-testid="recent-runs">
                <thead>
                  <tr>
                    <th>Run</th>
                    <th>Experiment</th>
                    <th>Status</th>
                    <th>User</th>
                    <th>Started</th>
                    <th>Duration</th>
                  </tr>
                </thead>
                <tbody>
                  {list.map((r) => (
                    <tr key={r.runId}>
                      <td>
                        <Link href={`/runs/${r.runId}`}>{r.runName || r.runId}</Link>
                      </td>
                      <td>
                        <Link href={`/experiments/${r.experimentId}`}>
                          {names.get(r.experimentId) ?? r.experimentId}
                        </Link>
                      </td>
                      <td>
                        <StatusBadge status={r.status} />
                      </td>
                      <td>{r.userId}</td>
                      <td>
                        <Time ms={r.startTime} />
                      </td>
                      <td className="num">{formatDuration(runDuration(r))}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </QueryState>
        )}
      </section>

      <section className="panel">
        <h2>Recent jobs</h2>
        <QueryState query={jobs} what="jobs">
          {(list) =>
            list.length === 0 ? (
              <p className="muted">
                No jobs yet: <code>cairn job create -f job.yml --stream</code>
              </p>
            ) : (
              <table className="grid" data-testid="recent-jobs">
                <thead>
                  <tr>
                    <th>Job</th>
                    <th>Type</th>
                    <th>Status</th>
                    <th>Compute</th>
                    <th>Created</th>
                  </tr>
                </thead>
                <tbody>
                  {list.map((j) => (
                    <tr key={j.name}>
                      <td>
                        <Link href={`/jobs/${encodeURIComponent(j.name)}`}>{j.name}</Link>
                      </td>
                      <td>{j.type}</td>
                      <td>
                        <StatusBadge status={j.status} />
                      </td>
                      <td>{j.compute}</td>
                      <td>
                        <Time ms={j.createdAt} />
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )
          }
        </QueryState>
      </section>

      <section className="panel">
        <h2>Compute</h2>
        <QueryState query={computes} what="compute targets">
          {(targets) => (
            <QueryState query={counts} what="job counts">
              {(jobCounts) => (
                <table className="grid" data-testid="home-compute">
                  <thead>
                    <tr>
                      <th>Target</th>
                      <th>Type</th>
                      <th>Queued</th>
                      <th>Running</th>
                    </tr>
                  </thead>
                  <tbody>
                    {computeLoad(targets, jobCounts).map((load) => (
                      <tr key={load.name}>
                        <td>
                          <Link href="/compute">{load.name}</Link>
                        </td>
                        <td>{load.kind}</td>
                        <td className="num">{load.counts.queued}</td>
                        <td className="num">
                          {load.counts.preparing + load.counts.running + load.counts.finalizing}
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              )}
            </QueryState>
          )}
        </QueryState>
      </section>

      <section className="panel">
        <h2>Data assets</h2>
        <QueryState query={data} what="data assets">
          {(list) =>
            list.length === 0 ? (
              <p className="muted">
                No data yet: <code>cairn data samples register iris</code>, or{' '}
                <Link href="/data">register some</Link>
              </p>
            ) : (
              <table className="grid" data-testid="home-data">
                <thead>
                  <tr>
                    <th>Asset</th>
                    <th>Latest</th>
                    <th>Versions</th>
                    <th>Updated</th>
                  </tr>
                </thead>
                <tbody>
                  {list.slice(0, 10).map((a) => (
                    <tr key={a.name}>
                      <td>
                        <Link href={`/data/${encodeURIComponent(a.name)}`}>{a.name}</Link>
                      </td>
                      <td className="num">{a.latestVersion ?? '-'}</td>
                      <td className="num">{a.versionCount}</td>
                      <td>
                        <Time ms={a.updatedAt} />
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )
          }
        </QueryState>
      </section>
    </div>
  );
}
