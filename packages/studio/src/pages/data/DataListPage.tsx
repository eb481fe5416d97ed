import { Link, useSearchParams } from 'wouter';
import { useDataAssets, useDatastores } from '../../api/queries-data.js';
import { QueryState } from '../../components/QueryState.js';
import { Time } from '../../components/Time.js';
import { datastoreLocation, refreshEvery } from '../../lib/data-table.js';
import { RegisterDataForm } from './RegisterDataForm.js';
import './data.css';

/**
 * The workspace's data: its assets (latest version, how many, refresh schedule) and its datastores
 * (where data lives; secrets come redacted from the server). `?register=1` opens the register form;
 * `?archived=1` lists archived assets too.
 */
export function DataListPage() {
  const [search, setSearch] = useSearchParams();
  const includeArchived = search.get('archived') === '1';
  const registering = search.get('register') === '1';
  const assets = useDataAssets(includeArchived);
  const datastores = useDatastores();
  const toggle = (key: string, on: boolean) =>
    setSearch(
      (prev) => {
        const next = new URLSearchParams(prev);
        if (on) next.set(key, '1');
        else next.delete(key);
        return next;
      },
      { replace: true },
    );
  return (
    <div className="page data-page">
      <div className="page-head data-head">
        <h1>Data</h1>
        {!registering && (
          <button type="button" className="primary" onClick={() => toggle('register', true)}>
            Register data
          </button>
        )}
      </div>
      {registering && <RegisterDataForm onClose={() => toggle('register', false)} />}
      <section className="panel">
        <div className="section-head">
          <h2>Data assets</h2>
          <label className="inline muted">
            <input
              type="checkbox"
              checked={includeArchived}
              onChange={(e) => toggle('archived', e.target.checked)}
            />
            Show archived
          </label>
        </div>
        <QueryState query={assets} what="data assets">
          {(list) =>
            list.length === 0 ? (
              <p className="muted">
                No data assets yet. Register one here (a sample dataset too) or with{' '}
                <code>cairn data create</code>.
              </p>
            ) : (
              <table className="grid" data-testid="data-assets">
                <thead>
                  <tr>
                    <th>Name</th>
                    <th>Latest version</th>
                    <th className="num">Versions</th>
                    <th>Refresh</th>
                    <th>Updated</th>
                    <th>Description</th>
                  </tr>
                </thead>
                <tbody>
                  {list.map((a) => (
                    <tr key={a.name} className={a.archived ? 'archived' : undefined}>
                      <td>
                        <Link href={`/data/${encodeURIComponent(a.name)}`}>{a.name}</Link>
                        {a.archived && <span className="status">archived</span>}
                      </td>
                      <td>
                        {a.latestVersion === null ? (
                          <span className="muted">none</span>
                        ) : (
                          <Link
                            href={`/data/${encodeURIComponent(a.name)}/${encodeURIComponent(a.latestVersion)}`}
                          >
                            {a.latestVersion}
                          </Link>
                        )}
                      </td>
                      <td className="num">{a.versionCount}</td>
                      <td>
                        {a.refresh ? (
                          <span title={a.refresh.source}>
                            {refreshEvery(a.refresh.intervalSeconds)}
                            {a.refresh.nextRefreshAt !== null && (
                              <span className="muted">
                                {' '}
                                · next {new Date(a.refresh.nextRefreshAt).toLocaleTimeString()}
                              </span>
                            )}
                          </span>
                        ) : (
                          <span className="muted">—</span>
                        )}
                      </td>
                      <td>
                        <Time ms={a.updatedAt} />
                      </td>
                      <td className="muted">{a.description}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )
          }
        </QueryState>
      </section>
      <section className="panel">
        <h2>Datastores</h2>
        <QueryState query={datastores} what="datastores">
          {(list) =>
            list.length === 0 ? (
              <p className="muted">
                No datastores. Add one with <code>cairn datastore create -f datastore.yml</code> (local
                folder, S3 bucket/prefix or HTTP URL).
              </p>
            ) : (
              <table className="grid" data-testid="datastores">
                <thead>
                  <tr>
                    <th>Name</th>
                    <th>Type</th>
                    <th>Where</th>
                    <th>Created</th>
                    <th>Description</th>
                  </tr>
                </thead>
                <tbody>
                  {list.map((d) => (
                    <tr key={d.name}>
                      <td className="mono">{d.name}</td>
                      <td>{d.type}</td>
                      <td className="mono">{datastoreLocation(d)}</td>
                      <td>
                        <Time ms={d.createdAt} /> <span className="muted">by {d.createdBy}</span>
                      </td>
                      <td className="muted">{d.description}</td>
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
