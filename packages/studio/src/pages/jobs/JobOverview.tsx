import type { Job, JobStatusEvent, SweepDetails } from '@cairn/sdk';
import type { ReactNode } from 'react';
import { Link } from 'wouter';
import { useExperiment } from '../../api/queries.js';
import { useRunDataLinks } from '../../api/queries-jobs.js';
import { StatusBadge } from '../../components/StatusBadge.js';
import { Time } from '../../components/Time.js';
import { formatDuration, formatNumber, formatTimestamp } from '../../lib/format.js';
import {
  dataRef,
  dataVersionHref,
  describeEnvironment,
  specCommand,
  specInputs,
  specOutputs,
} from '../../lib/job-spec-view.js';
import { jobDuration, statusTimeline } from '../../lib/job-status.js';

/** What the job is and how it went: why it failed first, then details, status history, inputs and outputs. */
export function JobOverview({
  job,
  events,
  sweep,
}: {
  job: Job;
  events: JobStatusEvent[];
  sweep: SweepDetails | null;
}) {
  return (
    <div className="overview job-overview">
      {job.status === 'failed' && <FailureBox job={job} />}
      {sweep && <SweepSummary job={job} sweep={sweep} />}
      <Details job={job} />
      <StatusHistory events={events} />
      <InputsOutputs job={job} />
    </div>
  );
}

function FailureBox({ job }: { job: Job }) {
  return (
    <section className="panel failure" data-testid="job-failure">
      <h2>
        Failed{job.exitCode !== null ? ` with exit code ${job.exitCode}` : ''}
        {job.endedAt !== null && (
          <span className="muted">
            {' '}
            · <Time ms={job.endedAt} />
          </span>
        )}
      </h2>
      {job.errorSummary ? (
        <pre className="code">{job.errorSummary}</pre>
      ) : (
        <p className="muted">No error output.</p>
      )}
      <Link href={`/jobs/${encodeURIComponent(job.name)}/logs`}>Open the full log</Link>
    </section>
  );
}

function SweepSummary({ job, sweep }: { job: Job; sweep: SweepDetails }) {
  const best = sweep.bestTrial;
  return (
    <section className="panel">
      <h2>Sweep</h2>
      <table className="grid kv">
        <tbody>
          <Row label="Objective">
            {sweep.goal} <span className="mono">{sweep.primaryMetric}</span>
          </Row>
          <Row label="Trials">
            <Link href={`/jobs/${encodeURIComponent(job.name)}/trials`}>{sweep.trials.length} trials</Link>
            {sweep.trials.some((t) => t.earlyTerminated) &&
              ` · ${sweep.trials.filter((t) => t.earlyTerminated).length} stopped early`}
          </Row>
          <Row label="Best trial">
            {best ? (
              <>
                <Link href={`/jobs/${encodeURIComponent(best.name)}`}>{best.name}</Link> ·{' '}
                <span className="mono">{formatNumber(best.value)}</span>
              </>
            ) : (
              <span className="muted">none yet</span>
            )}
          </Row>
          <Row label="Seed">{sweep.seed}</Row>
        </tbody>
      </table>
    </section>
  );
}

function Details({ job }: { job: Job }) {
  const spec = job.spec;
  const trial =
    typeof spec.trial === 'object' && spec.trial !== null ? (spec.trial as Record<string, unknown>) : spec;
  const environment = trial.environment;
  const envRef = typeof environment === 'string' ? dataRef(environment) : null;
  const duration = jobDuration(job);
  return (
    <section className="panel">
      <h2>Details</h2>
      <table className="grid kv" data-testid="job-details">
        <tbody>
          <Row label="Command">
            <pre className="code command">{job.type === 'sweep' ? specCommand(spec) : job.command}</pre>
          </Row>
          <Row label="Compute">
            <Link href="/compute">{job.compute}</Link>
          </Row>
          <Row label="Environment">
            {envRef ? (
              <Link href={`/environments?name=${encodeURIComponent(envRef.name)}`}>
                {String(environment)}
              </Link>
            ) : (
              describeEnvironment(environment)
            )}
          </Row>
          {job.experimentId && (
            <Row label="Experiment">
              <ExperimentLink id={job.experimentId} />
            </Row>
          )}
          {job.runId && (
            <Row label="Run">
              <Link href={`/runs/${job.runId}`} className="mono">
                {job.runId}
              </Link>
            </Row>
          )}
          <Row label="Created">
            {formatTimestamp(job.createdAt)} by {job.createdBy}
          </Row>
          <Row label="Started">{job.startedAt ? formatTimestamp(job.startedAt) : '—'}</Row>
          <Row label="Ended">{job.endedAt ? formatTimestamp(job.endedAt) : '—'}</Row>
          <Row label="Duration">
            {duration === null ? '—' : formatDuration(duration)}
            {duration !== null && job.endedAt === null ? ' so far' : ''}
          </Row>
          {job.timeoutSeconds !== null && (
            <Row label="Timeout">{formatDuration(job.timeoutSeconds * 1000)}</Row>
          )}
          <Row label="Exit code">{job.exitCode ?? '—'}</Row>
          <Row label="Code">
            {job.snapshotId ? (
              <Link href={`/jobs/${encodeURIComponent(job.name)}/code`} className="mono">
                snapshot {job.snapshotId.slice(0, 12)}
              </Link>
            ) : (
              <span className="muted">no code folder</span>
            )}
          </Row>
        </tbody>
      </table>
    </section>
  );
}

function ExperimentLink({ id }: { id: string }) {
  const experiment = useExperiment(id);
  return <Link href={`/experiments/${id}`}>{experiment.data?.name ?? id}</Link>;
}

function StatusHistory({ events }: { events: JobStatusEvent[] }) {
  const steps = statusTimeline(events);
  return (
    <section className="panel">
      <h2>Status history</h2>
      <table className="grid" data-testid="status-history">
        <thead>
          <tr>
            <th>Status</th>
            <th>At</th>
            <th className="num">For</th>
            <th>Message</th>
          </tr>
        </thead>
        <tbody>
          {steps.map((s) => (
            <tr key={`${s.status}-${s.at}`}>
              <td>
                <StatusBadge status={s.status} />
              </td>
              <td className="mono">{formatTimestamp(s.at)}</td>
              <td className="num">{s.durationMs === null ? '' : formatDuration(s.durationMs)}</td>
              <td className="message">{s.message}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

function InputsOutputs({ job }: { job: Job }) {
  const links = useRunDataLinks(job.runId);
  const inputs = specInputs(job.spec);
  const outputs = specOutputs(job.spec);
  const producedBy = new Map((links.data?.outputs ?? []).map((l) => [l.port, l]));
  return (
    <section className="panel">
      <h2>Inputs and outputs</h2>
      {inputs.length === 0 && outputs.length === 0 ? (
        <p className="muted">The job declares no inputs or outputs.</p>
      ) : (
        <table className="grid" data-testid="job-io">
          <thead>
            <tr>
              <th />
              <th>Name</th>
              <th>Type</th>
              <th>Value</th>
            </tr>
          </thead>
          <tbody>
            {inputs.map((i) => (
              <tr key={`in-${i.name}`}>
                <td className="muted">input</td>
                <td className="mono">{i.name}</td>
                <td>{i.type ?? i.kind}</td>
                <td className="mono">
                  {i.data ? <Link href={dataVersionHref(i.data)}>{i.value}</Link> : i.value}
                  {i.mode && <span className="muted"> ({i.mode})</span>}
                </td>
              </tr>
            ))}
            {outputs.map((o) => {
              const produced = producedBy.get(o.name);
              return (
                <tr key={`out-${o.name}`}>
                  <td className="muted">output</td>
                  <td className="mono">{o.name}</td>
                  <td>{o.type}</td>
                  <td className="mono">
                    {produced ? (
                      <Link href={dataVersionHref(produced)}>
                        {produced.name}:{produced.version}
                      </Link>
                    ) : o.registersAs ? (
                      <span className="muted">registers as {o.registersAs.name}</span>
                    ) : null}
                    {job.runId && (
                      <>
                        {' '}
                        <Link href={`/runs/${job.runId}/artifacts`}>files</Link>
                      </>
                    )}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </section>
  );
}

function Row({ label, children }: { label: string; children: ReactNode }) {
  return (
    <tr>
      <td>{label}</td>
      <td>{children}</td>
    </tr>
  );
}
