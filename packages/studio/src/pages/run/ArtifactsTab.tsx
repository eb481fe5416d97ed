import type { ArtifactEntry, Run } from '@cairn/sdk';
import { useState } from 'react';
import { useArtifacts } from '../../api/queries.js';
import { QueryState } from '../../components/QueryState.js';
import { formatBytes } from '../../lib/format.js';
import { ArtifactPreview } from './ArtifactPreview.js';

/** A folder listing of the run's artifacts (one level at a time) beside a preview of the chosen file. */
export function ArtifactsTab({ run }: { run: Run }) {
  const [dir, setDir] = useState('');
  const [file, setFile] = useState<ArtifactEntry | null>(null);
  const listing = useArtifacts(run.runId, dir);
  const parts = dir === '' ? [] : dir.split('/');
  return (
    <div className="artifacts">
      <section className="panel artifact-list">
        <div className="breadcrumbs path">
          <button type="button" className="link" onClick={() => setDir('')}>
            artifacts
          </button>
          {parts.map((p, i) => (
            <span key={parts.slice(0, i + 1).join('/')}>
              /{' '}
              <button type="button" className="link" onClick={() => setDir(parts.slice(0, i + 1).join('/'))}>
                {p}
              </button>
            </span>
          ))}
        </div>
        <QueryState query={listing} what="artifacts">
          {(entries) =>
            entries.length === 0 ? (
              <p className="muted">{dir === '' ? 'This run has no artifacts.' : 'Empty folder.'}</p>
            ) : (
              <ul className="file-list" data-testid="artifact-list">
                {[...entries]
                  .sort((a, b) => Number(b.isDir) - Number(a.isDir) || a.path.localeCompare(b.path))
                  .map((e) => {
                    const name = e.path.slice(e.path.lastIndexOf('/') + 1);
                    return (
                      <li key={e.path} className={file?.path === e.path ? 'active' : undefined}>
                        <button
                          type="button"
                          className="link"
                          onClick={() => (e.isDir ? setDir(e.path) : setFile(e))}
                        >
                          {e.isDir ? '▸ ' : ''}
                          {name}
                          {e.isDir ? '/' : ''}
                        </button>
                        {!e.isDir && <span className="muted">{formatBytes(e.fileSize)}</span>}
                      </li>
                    );
                  })}
              </ul>
            )
          }
        </QueryState>
      </section>
      <section className="panel artifact-preview" data-testid="artifact-preview">
        {file ? (
          <ArtifactPreview runId={run.runId} entry={file} />
        ) : (
          <p className="muted">Choose a file to preview it.</p>
        )}
      </section>
    </div>
  );
}
