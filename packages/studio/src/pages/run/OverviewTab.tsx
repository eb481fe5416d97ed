import type { Run } from '@cairn/sdk';
import { useState } from 'react';
import { Link } from 'wouter';
import { Time } from '../../components/Time.js';
import { formatDuration, formatNumber, formatTimestamp, runDuration } from '../../lib/format.js';

const SOURCE_TAGS = [
  'mlflow.source.name',
  'mlflow.source.type',
  'mlflow.source.git.commit',
  'mlflow.source.git.branch',
];
const isSystemTag = (k: string) => k.startsWith('mlflow.') || k.startsWith('cairn.');

/** Who ran it, when, for how long, from what; then params, latest metrics and tags. */
export function OverviewTab({ run }: { run: Run }) {
  const tags = run.tags ?? {};
  const job = tags['cairn.job'];
  const [paramQuery, setParamQuery] = useState('');
  const params = Object.entries(run.params ?? {})
    .filter(([k, v]) => paramQuery === '' || `${k} ${v}`.toLowerCase().includes(paramQuery.toLowerCase()))
    .sort(([a], [b]) => a.localeCompare(b));
  const metrics = Object.entries(run.metrics ?? {}).sort(([a], [b]) => a.localeCompare(b));
  const userTags = Object.entries(tags).filter(([k]) => !isSystemTag(k));
  const systemTags = Object.entries(tags).filter(([k]) => isSystemTag(k));
  return (
    <div className="overview">
      <section className="panel">
        <h2>Details</h2>
        <table className="grid kv" data-testid="run-details">
          <tbody>
            <Row label="Status">{run.status.toLowerCase()}</Row>
            <Row label="User">{run.userId}</Row>
            <Row label="Started">
              {formatTimestamp(run.startTime)} (<Time ms={run.startTime} />)
            </Row>
            <Row label="Ended">{run.endTime ? formatTimestamp(run.endTime) : '—'}</Row>
            <Row label="Duration">
              {formatDuration(runDuration(run))}
              {run.endTime === null ? ' so far' : ''}
            </Row>
            {job && (
              <Row label="Job">
                <Link href={`/jobs/${encodeURIComponent(job)}`}>{job}</Link>
              </Row>
            )}
            {SOURCE_TAGS.filter((k) => tags[k]).map((k) => (
              <Row key={k} label={k.replace('mlflow.source.', 'source ')}>
                <span className="mono">{tags[k]}</span>
              </Row>
            ))}
            {run.parentRunId && (
              <Row label="Parent run">
                <Link href={`/runs/${run.parentRunId}`}>{run.parentRunId}</Link>
              </Row>
            )}
            <Row label="Artifacts">
              <span className="mono">{run.artifactUri}</span>
            </Row>
          </tbody>
        </table>
      </section>

      <section className="panel">
        <div className="section-head">
          <h2>Params ({Object.keys(run.params ?? {}).length})</h2>
          <input
            type="search"
            placeholder="Find a param"
            aria-label="Find a param"
            value={paramQuery}
            onChange={(e) => setParamQuery(e.target.value)}
          />
        </div>
        <table className="grid kv" data-testid="run-params">
          <tbody>
            {params.map(([k, v]) => (
              <Row key={k} label={k}>
                <span className="mono">{v}</span>
              </Row>
            ))}
          </tbody>
        </table>
      </section>

      <section className="panel">
        <h2>Metrics ({metrics.length})</h2>
        <table className="grid" data-testid="run-metrics">
          <thead>
            <tr>
              <th>Key</th>
              <th className="num">Latest</th>
              <th className="num">Step</th>
            </tr>
          </thead>
          <tbody>
            {metrics.map(([k, m]) => (
              <tr key={k}>
                <td>
                  <Link href={`/runs/${run.runId}/metrics?focus=${encodeURIComponent(k)}`}>{k}</Link>
                </td>
                <td className="num">{formatNumber(m.value)}</td>
                <td className="num">{m.step}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>

      <section className="panel">
        <h2>Tags</h2>
        <table className="grid kv" data-testid="run-tags">
          <tbody>
            {[...userTags, ...systemTags].map(([k, v]) => (
              <Row key={k} label={k}>
                <span className={isSystemTag(k) ? 'muted' : undefined}>{v}</span>
              </Row>
            ))}
          </tbody>
        </table>
      </section>
    </div>
  );
}

function Row({ label, children }: { label: string; children: React.ReactNode }) {
  return (
    <tr>
      <td title={label}>{label}</td>
      <td>{children}</td>
    </tr>
  );
}
