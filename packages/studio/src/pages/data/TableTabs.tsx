import type { DataVersion } from '@cairn/sdk';
import { Link, useSearchParams } from 'wouter';
import { errorMessage } from '../../api/client.js';
import { useDataPreview, useDataProfile } from '../../api/queries-data.js';
import {
  type ColumnProfile,
  cellText,
  histogramBars,
  statText,
  type TableSourceSummary,
} from '../../lib/data-table.js';
import { formatNumber } from '../../lib/format.js';
import { versionHref } from './DataAssetPage.js';

/**
 * Preview (first rows and schema) and profile (per-column statistics with histograms) of tabular data,
 * computed by the server with DuckDB. `?path=` narrows either to one file or folder of the version.
 * Data that is not tabular gets the server's own words on which formats are.
 */

function useTablePath(): string | null {
  const [search] = useSearchParams();
  return search.get('path') || null;
}

function Scope({ version, path, tab }: { version: DataVersion; path: string | null; tab: string }) {
  return (
    <div className="muted scope">
      {path === null ? (
        <>
          Reading the whole version ({version.fileCount} files). Pick one file from the Files tab to read it
          alone.
        </>
      ) : (
        <>
          Reading <code>{path}</code> ·{' '}
          <Link href={versionHref(version.name, version.version, tab)}>the whole version</Link>
        </>
      )}
    </div>
  );
}

function NotTabular({ error }: { error: unknown }) {
  return (
    <div className="notice-box" role="alert" data-testid="table-error">
      <strong>No table to show.</strong>
      <div>{errorMessage(error)}</div>
    </div>
  );
}

function SourceLine({ source, rows }: { source: TableSourceSummary; rows: string }) {
  return (
    <div className="muted small-note">
      {rows} · read as {source.format}
      {source.fileFormat ? ` (${source.fileFormat} files)` : ''} from {source.files} file
      {source.files === 1 ? '' : 's'}
      {source.skippedFiles > 0 ? `, ${source.skippedFiles} other files left out` : ''}
      {source.emptyFiles > 0 ? `, ${source.emptyFiles} empty` : ''}
    </div>
  );
}

export function PreviewTab({ version }: { version: DataVersion }) {
  const path = useTablePath();
  const preview = useDataPreview(version.name, version.version, path);
  return (
    <section className="panel">
      <Scope version={version} path={path} tab="preview" />
      {preview.error ? (
        <NotTabular error={preview.error} />
      ) : !preview.data ? (
        <div className="loading">Reading the first rows…</div>
      ) : (
        <>
          <SourceLine
            source={preview.data.source}
            rows={`first ${preview.data.rows.length} rows${preview.data.truncated ? ' (more in the data)' : ''}`}
          />
          <div className="table-scroll">
            <table className="grid preview-table" data-testid="data-preview">
              <thead>
                <tr>
                  <th className="row-no">#</th>
                  {preview.data.columns.map((c) => (
                    <th key={c.name} title={c.type} className={c.kind === 'numeric' ? 'num' : undefined}>
                      {c.name} <span className="col-type">{c.type}</span>
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {preview.data.rows.map((row, i) => (
                  // Rows have no identity beyond their position in the preview.
                  // biome-ignore lint/suspicious/noArrayIndexKey: positional rows
                  <tr key={i}>
                    <td className="row-no muted">{i + 1}</td>
                    {row.map((cell, j) => (
                      <td
                        // biome-ignore lint/suspicious/noArrayIndexKey: cells aligned with columns
                        key={j}
                        className={
                          cell === null
                            ? 'null'
                            : preview.data.columns[j]?.kind === 'numeric'
                              ? 'num'
                              : undefined
                        }
                      >
                        {cellText(cell)}
                      </td>
                    ))}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
    </section>
  );
}

export function ProfileTab({ version }: { version: DataVersion }) {
  const path = useTablePath();
  const profile = useDataProfile(version.name, version.version, path);
  return (
    <section className="panel">
      <Scope version={version} path={path} tab="profile" />
      {profile.error ? (
        <NotTabular error={profile.error} />
      ) : !profile.data ? (
        <div className="loading">Profiling the columns…</div>
      ) : (
        <>
          <SourceLine
            source={profile.data.source}
            rows={`${profile.data.rowCount.toLocaleString()} rows${profile.data.truncated ? ' profiled (the first ones)' : ''}, ${profile.data.columns.length} columns${profile.data.omittedColumns > 0 ? ` (${profile.data.omittedColumns} more not profiled)` : ''}`}
          />
          <div className="table-scroll">
            <table className="grid profile-table" data-testid="data-profile">
              <thead>
                <tr>
                  <th>Column</th>
                  <th className="num">Count</th>
                  <th className="num">Nulls</th>
                  <th className="num">Distinct</th>
                  <th>Min</th>
                  <th>Max</th>
                  <th className="num">Mean</th>
                  <th className="num">Std dev</th>
                  <th>Distribution</th>
                </tr>
              </thead>
              <tbody>
                {profile.data.columns.map((c) => (
                  <ProfileRow key={c.name} column={c} />
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
    </section>
  );
}

function ProfileRow({ column: c }: { column: ColumnProfile }) {
  const total = c.count + c.nulls;
  return (
    <tr data-column={c.name}>
      <td>
        <div>{c.name}</div>
        <div className="col-type">{c.type}</div>
      </td>
      <td className="num">{c.count.toLocaleString()}</td>
      <td className="num">
        {c.nulls.toLocaleString()}
        {c.nulls > 0 && total > 0 && (
          <span className="muted"> ({formatNumber((100 * c.nulls) / total)}%)</span>
        )}
      </td>
      <td className="num">{c.distinct === null ? '' : c.distinct.toLocaleString()}</td>
      <td className="mono">{statText(c.min)}</td>
      <td className="mono">{statText(c.max)}</td>
      <td className="num">{statText(c.mean)}</td>
      <td className="num">{statText(c.stddev)}</td>
      <td>{c.histogram ? <Histogram column={c} /> : <span className="muted">—</span>}</td>
    </tr>
  );
}

const BAR_AREA = { width: 180, height: 36 };

/**
 * A small histogram: vertical bars for bins of numbers and times, horizontal labelled bars for the
 * most frequent values. Each bar's range or value and count show on hover.
 */
function Histogram({ column }: { column: ColumnProfile }) {
  const histogram = column.histogram;
  if (!histogram) return null;
  const bars = histogramBars(histogram);
  if (histogram.kind === 'top-values') {
    return (
      <div className="top-values" data-testid="histogram">
        {bars.slice(0, 6).map((b) => (
          <div key={b.label} className="top-value" title={`${b.label}: ${b.count}`}>
            <span className="tv-label">{b.label}</span>
            <span className="tv-bar" style={{ width: `${Math.max(2, b.fraction * 100)}%` }} />
            <span className="tv-count muted">{b.count}</span>
          </div>
        ))}
      </div>
    );
  }
  const w = BAR_AREA.width / Math.max(1, bars.length);
  return (
    <svg
      className="histogram"
      data-testid="histogram"
      width={BAR_AREA.width}
      height={BAR_AREA.height}
      role="img"
      aria-label={`Histogram of ${column.name}`}
    >
      {bars.map((b, i) => {
        const h = b.count === 0 ? 0 : Math.max(1, b.fraction * BAR_AREA.height);
        return (
          // biome-ignore lint/suspicious/noArrayIndexKey: bins are positional (labels may round alike)
          <rect key={i} x={i * w + 0.5} y={BAR_AREA.height - h} width={Math.max(1, w - 1)} height={h}>
            <title>
              {b.label}: {b.count}
            </title>
          </rect>
        );
      })}
    </svg>
  );
}
