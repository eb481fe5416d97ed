import type { DataVersion } from '@cairn/sdk';
import { Link, useSearchParams } from 'wouter';
import { errorMessage } from '../../api/client.js';
import { useDataSourceCheck, useDataVersion } from '../../api/queries-data.js';
import { QueryState } from '../../components/QueryState.js';
import { Time } from '../../components/Time.js';
import { formatBytes } from '../../lib/format.js';
import { DiffCounts, Tags, versionHref } from './DataAssetPage.js';
import { FilesTab } from './FilesTab.js';
import { LineageTab } from './LineageTab.js';
import { PreviewTab, ProfileTab } from './TableTabs.js';
import './data.css';

const TABS = [
  { id: 'overview', label: 'Overview' },
  { id: 'files', label: 'Files' },
  { id: 'preview', label: 'Preview' },
  { id: 'profile', label: 'Profile' },
  { id: 'lineage', label: 'Lineage' },
] as const;

/**
 * One data version (`/data/:name/:version`, `latest` allowed): overview, files, preview and profile of
 * tabular data, and lineage. A referenced version whose source changed since it was registered says
 * so on every tab, since reading it is then refused.
 */
export function DataVersionPage({ params }: { params: Record<string, string | undefined> }) {
  const name = params.name ?? '';
  const asked = params.version ?? 'latest';
  const tab = params.tab ?? 'overview';
  const version = useDataVersion(name, asked);
  // Preview and profile share the file they read (`?path=`), so switching between them keeps it.
  const [search] = useSearchParams();
  const tablePath = search.get('path');
  const tabHref = (id: string) =>
    versionHref(name, asked, id === 'overview' ? '' : id) +
    (tablePath && (id === 'preview' || id === 'profile') ? `?path=${encodeURIComponent(tablePath)}` : '');
  return (
    <div className="page data-page">
      <QueryState query={version} what="the data version">
        {(v) => (
          <>
            <VersionHead version={v} asked={asked} />
            <SourceCheck version={v} />
            <nav className="tabs">
              {TABS.map((t) => (
                <Link key={t.id} href={tabHref(t.id)} className={tab === t.id ? 'active' : ''}>
                  {t.label}
                </Link>
              ))}
            </nav>
            {tab === 'files' ? (
              <FilesTab version={v} />
            ) : tab === 'preview' ? (
              <PreviewTab version={v} />
            ) : tab === 'profile' ? (
              <ProfileTab version={v} />
            ) : tab === 'lineage' ? (
              <LineageTab version={v} />
            ) : (
              <Overview version={v} />
            )}
          </>
        )}
      </QueryState>
    </div>
  );
}

function VersionHead({ version, asked }: { version: DataVersion; asked: string }) {
  return (
    <div className="page-head">
      <div className="breadcrumbs">
        <Link href="/data">Data</Link>
        <span>/</span>
        <Link href={`/data/${encodeURIComponent(version.name)}`}>{version.name}</Link>
        <span>/</span>
      </div>
      <h1 data-testid="version-title">
        {version.name}:{version.version}
        {asked === 'latest' && <span className="status">latest</span>}
        {version.archived && <span className="status">archived</span>}
      </h1>
      {version.description && <p className="description">{version.description}</p>}
    </div>
  );
}

/** The warning for a referenced version whose source bytes changed since it was registered. */
function SourceCheck({ version }: { version: DataVersion }) {
  const check = useDataSourceCheck(version);
  if (version.storage !== 'referenced') return null;
  if (check.error) {
    return (
      <div className="warning-box" role="alert" data-testid="source-check-failed">
        Could not look at the source <code>{version.source}</code>: {errorMessage(check.error)}
      </div>
    );
  }
  if (!check.data || check.data.unchanged) return null;
  const { added, changed, removed } = check.data.changes;
  const paths = [
    ...changed.map((p) => `~ ${p}`),
    ...added.map((p) => `+ ${p}`),
    ...removed.map((p) => `- ${p}`),
  ];
  return (
    <div className="warning-box" role="alert" data-testid="source-changed">
      <strong>The source changed since this version was registered.</strong> Reading, previewing or binding it
      to a job is refused until the asset is refreshed (<code>cairn data refresh {version.name}</code>), which
      makes a new version. {changed.length} changed, {added.length} added, {removed.length} removed:
      <ul className="mono">
        {paths.slice(0, 10).map((p) => (
          <li key={p}>{p}</li>
        ))}
        {paths.length > 10 && <li>and {paths.length - 10} more</li>}
      </ul>
    </div>
  );
}

function Overview({ version: v }: { version: DataVersion }) {
  return (
    <div className="overview">
      <section className="panel">
        <h2>Version</h2>
        <table className="grid kv" data-testid="version-overview">
          <tbody>
            <tr>
              <td>Type</td>
              <td>{v.type}</td>
            </tr>
            <tr>
              <td>Storage</td>
              <td>
                {v.storage}{' '}
                <span className="muted">
                  {v.storage === 'referenced'
                    ? '(read in place, checked for changes)'
                    : '(in the workspace blob store)'}
                </span>
              </td>
            </tr>
            <tr>
              <td>Source</td>
              <td className="mono">{v.source}</td>
            </tr>
            <tr>
              <td>Files</td>
              <td>
                {v.fileCount} ({formatBytes(v.totalBytes)})
              </td>
            </tr>
            <tr>
              <td>Manifest</td>
              <td className="mono" title="sha256 of the manifest: the same files give the same id">
                {v.manifestId}
              </td>
            </tr>
            <tr>
              <td>Created</td>
              <td>
                <Time ms={v.createdAt} /> by {v.createdBy}
              </td>
            </tr>
            <tr>
              <td>Tags</td>
              <td>
                <Tags tags={v.tags} />
              </td>
            </tr>
            <tr>
              <td>Use in a job</td>
              <td className="mono">
                azureml:{v.name}:{v.version}
              </td>
            </tr>
          </tbody>
        </table>
      </section>
      <section className="panel">
        <h2>Change against the previous version</h2>
        {v.diff === null ? (
          <p className="muted">This is the asset's first version.</p>
        ) : (
          <>
            <DiffCounts diff={v.diff} />
            <ul className="mono sample-paths">
              {v.diff.sample.added.map((p) => (
                <li key={`a${p}`} className="added">
                  + {p}
                </li>
              ))}
              {v.diff.sample.changed.map((p) => (
                <li key={`c${p}`} className="changed">
                  ~ {p}
                </li>
              ))}
              {v.diff.sample.removed.map((p) => (
                <li key={`r${p}`} className="removed">
                  - {p}
                </li>
              ))}
            </ul>
          </>
        )}
      </section>
    </div>
  );
}
