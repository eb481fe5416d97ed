import type { Job } from '@cairn/sdk';
import { useState } from 'react';
import { Link } from 'wouter';
import { useCancelJob, useJobDetail } from '../../api/queries-jobs.js';
import { ErrorBox, QueryState } from '../../components/QueryState.js';
import { StatusBadge } from '../../components/StatusBadge.js';
import { isActiveStatus } from '../../lib/job-status.js';
import { LogsTab } from '../run/LogsTab.js';
import { JobOverview } from './JobOverview.js';
import { RerunForm } from './RerunForm.js';
import { SnapshotBrowser } from './SnapshotBrowser.js';
import { SweepTrials } from './SweepTrials.js';
import './jobs.css';

const TABS = [
  { id: 'overview', label: 'Overview' },
  { id: 'trials', label: 'Trials' },
  { id: 'logs', label: 'Logs' },
  { id: 'code', label: 'Code' },
] as const;

/** One job: overview, live logs, its code snapshot, a sweep's trials; cancel and rerun. */
export function JobPage({ params }: { params: Record<string, string | undefined> }) {
  const name = params.name ?? '';
  const tab = params.tab ?? 'overview';
  const detail = useJobDetail(name);
  const [rerunOpen, setRerunOpen] = useState(false);
  return (
    <div className="page job-page">
      <QueryState query={detail} what="the job">
        {({ job, events, sweep }) => (
          <>
            <JobHeader job={job} onRerun={() => setRerunOpen(true)} />
            {rerunOpen && <RerunForm job={job} onClose={() => setRerunOpen(false)} />}
            <nav className="tabs">
              {TABS.filter((t) => (t.id === 'trials' ? job.type === 'sweep' : true)).map((t) => (
                <Link
                  key={t.id}
                  href={t.id === 'overview' ? `/jobs/${name}` : `/jobs/${name}/${t.id}`}
                  className={tab === t.id ? 'active' : ''}
                >
                  {t.label}
                </Link>
              ))}
            </nav>
            {tab === 'logs' ? (
              <LogsTab jobName={job.name} />
            ) : tab === 'code' ? (
              <SnapshotBrowser job={job} />
            ) : tab === 'trials' && sweep ? (
              <SweepTrials sweep={sweep} />
            ) : tab === 'trials' ? (
              <p className="muted">The sweep has not started its trials yet.</p>
            ) : (
              <JobOverview job={job} events={events} sweep={sweep ?? null} />
            )}
          </>
        )}
      </QueryState>
    </div>
  );
}

function JobHeader({ job, onRerun }: { job: Job; onRerun: () => void }) {
  const cancel = useCancelJob();
  const [confirming, setConfirming] = useState(false);
  const active = isActiveStatus(job.status);
  return (
    <div className="page-head">
      <div className="breadcrumbs">
        <Link href="/jobs">Jobs</Link>
        <span>/</span>
        {job.parentJobName && (
          <>
            <Link href={`/jobs/${encodeURIComponent(job.parentJobName)}/trials`}>{job.parentJobName}</Link>
            <span>/</span>
          </>
        )}
      </div>
      <div className="section-head">
        <h1 data-testid="job-name">
          {job.name} <StatusBadge status={job.status} />
        </h1>
        <span className="muted">{job.type === 'sweep' ? 'sweep' : 'command job'}</span>
        <div className="job-actions">
          {job.runId && (
            <Link href={`/runs/${job.runId}`} className="button">
              Run
            </Link>
          )}
          {active && !confirming && (
            <button type="button" className="danger" onClick={() => setConfirming(true)}>
              Cancel
            </button>
          )}
          {active && confirming && (
            <span className="confirm">
              Cancel this job?{' '}
              <button
                type="button"
                className="danger"
                disabled={cancel.isPending}
                onClick={() => cancel.mutate(job.name, { onSettled: () => setConfirming(false) })}
              >
                {cancel.isPending ? 'Canceling…' : 'Yes, cancel it'}
              </button>{' '}
              <button type="button" onClick={() => setConfirming(false)}>
                No
              </button>
            </span>
          )}
          <button type="button" onClick={onRerun}>
            Rerun…
          </button>
        </div>
      </div>
      {cancel.error && <ErrorBox title="Could not cancel the job" error={cancel.error} />}
    </div>
  );
}
