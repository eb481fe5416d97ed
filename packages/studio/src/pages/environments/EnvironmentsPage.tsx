import { useMemo } from 'react';
import { useSearchParams } from 'wouter';
import { stringify } from 'yaml';
import { useEnvironments } from '../../api/queries-jobs.js';
import { QueryState } from '../../components/QueryState.js';
import { Time } from '../../components/Time.js';
import { environmentSummary, groupEnvironments } from '../../lib/environment-versions.js';
import '../jobs/jobs.css';

/** Registered environments by name, every version with its spec (as YAML) and hash. */
export function EnvironmentsPage() {
  const environments = useEnvironments();
  const [search] = useSearchParams();
  const open = search.get('name');
  const groups = useMemo(() => groupEnvironments(environments.data ?? []), [environments.data]);
  return (
    <div className="page environments-page">
      <div className="page-head">
        <h1>Environments</h1>
        <p className="muted">
          Versioned Python environments jobs name as <code>azureml:&lt;name&gt;:&lt;version&gt;</code>.
          Register one with <code>cairn environment create -f env.yml</code>.
        </p>
      </div>
      <QueryState query={environments} what="environments">
        {() =>
          groups.length === 0 ? (
            <p className="muted">No environments registered yet.</p>
          ) : (
            <div data-testid="environments">
              {groups.map((g) => (
                <details
                  key={g.name}
                  className="panel env-group"
                  open={open === null || open === g.name}
                  data-environment={g.name}
                >
                  <summary>
                    <strong>{g.name}</strong>{' '}
                    <span className="muted">
                      {g.versions.length} version{g.versions.length === 1 ? '' : 's'} · latest{' '}
                      {g.versions[0]?.version}
                    </span>
                  </summary>
                  {g.versions.map((v) => (
                    <div key={v.version} className="env-version">
                      <div className="section-head">
                        <h3 className="mono">
                          {g.name}:{v.version}
                        </h3>
                        <span className="muted">
                          {environmentSummary(v.spec)} · by {v.createdBy} <Time ms={v.createdAt} /> · hash{' '}
                          <span className="mono">{v.hash.slice(0, 12)}</span>
                        </span>
                      </div>
                      <pre className="code">{stringify(v.spec, { lineWidth: 0 })}</pre>
                    </div>
                  ))}
                </details>
              ))}
            </div>
          )
        }
      </QueryState>
    </div>
  );
}
