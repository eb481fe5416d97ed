import type { Run } from '@cairn/sdk';
import { Link } from 'wouter';
import { useExperiment, useRun } from '../../api/queries.js';
import { QueryState } from '../../components/QueryState.js';
import { StatusBadge } from '../../components/StatusBadge.js';
import { ArtifactsTab } from './ArtifactsTab.js';
import { LogsTab } from './LogsTab.js';
import { MetricsTab } from './MetricsTab.js';
import { OverviewTab } from './OverviewTab.js';

/** The tag a job's run carries with the job's name. */
export const JOB_TAG = 'cairn.job';

const TABS = [
  { id: 'overview', label: 'Overview' },
  { id: 'metrics', label: 'Metrics' },
  { id: 'artifacts', label: 'Artifacts' },
  { id: 'logs', label: 'Logs' },
] as const;

/** One run: overview (with params and tags), metric charts, artifacts, and its job's logs. */
export function RunPage({ params }: { params: Record<string, string | undefined> }) {
  const runId = params.runId ?? '';
  const tab = params.tab ?? 'overview';
  const run = useRun(runId);
  return (
    <div className="page run-page">
      <QueryState query={run} what="the run">
        {(r) => (
          <>
            <RunHeader run={r} />
            <nav className="tabs">
              {TABS.filter((t) => t.id !== 'logs' || r.tags?.[JOB_TAG]).map((t) => (
                <Link
                  key={t.id}
                  href={t.id === 'overview' ? `/runs/${runId}` : `/runs/${runId}/${t.id}`}
                  className={tab === t.id ? 'active' : ''}
                >
                  {t.label}
                </Link>
              ))}
            </nav>
            {tab === 'metrics' ? (
              <MetricsTab run={r} />
            ) : tab === 'artifacts' ? (
              <ArtifactsTab run={r} />
            ) : tab === 'logs' ? (
              <LogsTab jobName={r.tags?.[JOB_TAG] ?? null} />
            ) : (
              <OverviewTab run={r} />
            )}
          </>
        )}
      </QueryState>
    </div>
  );
}

function RunHeader({ run }: { run: Run }) {
  const experiment = useExperiment(run.experimentId);
  return (
    <div className="page-head">
      <div className="breadcrumbs">
        <Link href="/">Experiments</Link>
        <span>/</span>
        <Link href={`/experiments/${run.experimentId}`}>{experiment.data?.name ?? run.experimentId}</Link>
        <span>/</span>
      </div>
      <h1 data-testid="run-name">
        {run.runName || run.runId} <StatusBadge status={run.status} />
      </h1>
      <div className="muted mono">{run.runId}</div>
    </div>
  );
}
