import type { DataAsset, DataVersion } from '@cairn/sdk';
import { Link, useLocation, useSearchParams } from 'wouter';
import { errorMessage } from '../../api/client.js';
import { useDataAsset, useDataVersions, useRefreshData, useSetDataArchived } from '../../api/queries-data.js';
import { QueryState } from '../../components/QueryState.js';
import { Time } from '../../components/Time.js';
import { diffCounts, refreshEvery } from '../../lib/data-table.js';
import { formatBytes } from '../../lib/format.js';
import { DiffPanel } from './DiffPanel.js';
import './data.css';

export const versionHref = (name: string, version: string, tab = '') =>
  `/data/${encodeURIComponent(name)}/${encodeURIComponent(version)}${tab ? `/${tab}` : ''}`;

/**
 * One data asset: its versions (storage, source, files, size, change against the previous one, who and
 * when), archive and restore, and the diff between any two versions (`?from=&to=` in the URL).
 * `?archived=1` lists archived versions too.
 */
export function DataAssetPage({ params }: { params: Record<string, string | undefined> }) {
  const name = params.name ?? '';
  const [search, setSearch] = useSearchParams();
  const includeArchived = search.get('archived') === '1';
  const asset = useDataAsset(name);
  const versions = useDataVersions(name, includeArchived);
  return (
    <div className="page data-page">
      <QueryState query={asset} what="the data asset">
        {(a) => <AssetHead asset={a} />}
      </QueryState>
      <section className="panel">
        <div className="section-head">
          <h2>Versions</h2>
          <label className="inline muted">
            <input
              type="checkbox"
              checked={includeArchived}
              onChange={(e) =>
                setSearch(
                  (prev) => {
                    const next = new URLSearchParams(prev);
                    if (e.target.checked) next.set('archived', '1');
                    else next.delete('archived');
                    return next;
                  },
                  { replace: true },
                )
              }
            />
            Show archived
          </label>
          {versions.data?.[0]?.storage === 'referenced' && <RefreshButton name={name} />}
        </div>
        <QueryState query={versions} what="versions">
          {(list) =>
            list.length === 0 ? (
              <p className="muted">No versions{includeArchived ? '' : ' (archived ones are hidden)'}.</p>
            ) : (
              <VersionsTable name={name} versions={list} />
            )
          }
        </QueryState>
      </section>
      {versions.data && versions.data.length > 1 && <DiffPanel name={name} versions={versions.data} />}
    </div>
  );
}

/** Looks at the source now: opens the new version, or says nothing changed. */
function RefreshButton({ name }: { name: string }) {
  const refresh = useRefreshData(name);
  const [, navigate] = useLocation();
  return (
    <span className="refresh-now">
      {refresh.data && refresh.data.version === null && (
        <span className="muted" data-testid="refresh-result">
          No change at the source.
        </span>
      )}
      {refresh.error && <span className="error-text">{errorMessage(refresh.error)}</span>}
      <button
        type="button"
        disabled={refresh.isPending}
        title="List the source again; only files whose size, mtime or ETag changed are read"
        onClick={() =>
          refresh.mutate(undefined, {
            onSuccess: (r) => {
              if (r.version) navigate(versionHref(name, r.version.version));
            },
          })
        }
      >
        {refresh.isPending ? 'Looking…' : 'Refresh from source'}
      </button>
    </span>
  );
}

function AssetHead({ asset }: { asset: DataAsset }) {
  const setArchived = useSetDataArchived(asset.name);
  return (
    <div className="page-head">
      <div className="breadcrumbs">
        <Link href="/data">Data</Link>
        <span>/</span>
      </div>
      <div className="data-head">
        <h1 data-testid="asset-name">
          {asset.name} {asset.archived && <span className="status">archived</span>}
        </h1>
        <button
          type="button"
          disabled={setArchived.isPending}
          onClick={() => setArchived.mutate({ archived: !asset.archived })}
        >
          {asset.archived ? 'Restore asset' : 'Archive asset'}
        </button>
      </div>
      {asset.description && <p className="description">{asset.description}</p>}
      <div className="muted meta-line">
        <span>
          {asset.versionCount} version{asset.versionCount === 1 ? '' : 's'}
          {asset.latestVersion !== null && (
            <>
              , latest <Link href={versionHref(asset.name, asset.latestVersion)}>{asset.latestVersion}</Link>
            </>
          )}
        </span>
        <span>
          created <Time ms={asset.createdAt} /> by {asset.createdBy}, updated <Time ms={asset.updatedAt} />
        </span>
        {asset.refresh && (
          <span>
            watches <code>{asset.refresh.source}</code> {refreshEvery(asset.refresh.intervalSeconds)}
          </span>
        )}
        <Tags tags={asset.tags} />
      </div>
      {setArchived.error && <div className="error-box">{errorMessage(setArchived.error)}</div>}
    </div>
  );
}

export function Tags({ tags }: { tags: Record<string, string> }) {
  const entries = Object.entries(tags);
  if (entries.length === 0) return null;
  return (
    <span className="tags">
      {entries.map(([k, v]) => (
        <span key={k} className="tag">
          {k}
          {v ? `=${v}` : ''}
        </span>
      ))}
    </span>
  );
}

function VersionsTable({ name, versions }: { name: string; versions: DataVersion[] }) {
  const setArchived = useSetDataArchived(name);
  return (
    <>
      <table className="grid" data-testid="data-versions">
        <thead>
          <tr>
            <th>Version</th>
            <th>Storage</th>
            <th>Source</th>
            <th className="num">Files</th>
            <th className="num">Size</th>
            <th>Change</th>
            <th>Created</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {versions.map((v) => (
            <tr key={v.version} data-version={v.version} className={v.archived ? 'archived' : undefined}>
              <td>
                <Link href={versionHref(name, v.version)}>{v.version}</Link>
                {v.archived && <span className="status">archived</span>}
              </td>
              <td>{v.storage}</td>
              <td className="mono source" title={v.source}>
                {v.source}
              </td>
              <td className="num">{v.fileCount}</td>
              <td className="num">{formatBytes(v.totalBytes)}</td>
              <td>
                <DiffCounts diff={v.diff} />
              </td>
              <td>
                <Time ms={v.createdAt} /> <span className="muted">by {v.createdBy}</span>
              </td>
              <td>
                <button
                  type="button"
                  className="small"
                  disabled={setArchived.isPending}
                  onClick={() => setArchived.mutate({ version: v.version, archived: !v.archived })}
                >
                  {v.archived ? 'Restore' : 'Archive'}
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {setArchived.error && <div className="error-box">{errorMessage(setArchived.error)}</div>}
    </>
  );
}

/** `+3 ~1 -2`, coloured, with the first paths of each kind on hover; "first" for a first version. */
export function DiffCounts({ diff }: { diff: DataVersion['diff'] }) {
  if (!diff) return <span className="muted">first</span>;
  const title = [
    ...diff.sample.added.map((p) => `+ ${p}`),
    ...diff.sample.changed.map((p) => `~ ${p}`),
    ...diff.sample.removed.map((p) => `- ${p}`),
  ].join('\n');
  return (
    <span className="diff-counts" title={title} data-diff={diffCounts(diff)}>
      <span className="added">+{diff.added}</span> <span className="changed">~{diff.changed}</span>{' '}
      <span className="removed">-{diff.removed}</span>
    </span>
  );
}
