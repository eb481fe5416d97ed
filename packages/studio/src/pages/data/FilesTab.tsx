import type { DataVersion } from '@cairn/sdk';
import { type MouseEvent, useState } from 'react';
import { Link, useSearchParams } from 'wouter';
import { errorMessage, storedToken } from '../../api/client.js';
import { useDataFilesPage } from '../../api/queries-data.js';
import { useWorkspace } from '../../api/workspace-context.js';
import { QueryState } from '../../components/QueryState.js';
import { dataFileUrl, folderCrumbs, folderEntries, looksTabular } from '../../lib/data-files.js';
import { formatBytes } from '../../lib/format.js';
import { versionHref } from './DataAssetPage.js';

const PAGE_SIZE = 500;

/**
 * A version's files one folder at a time (`?prefix=` in the URL), a page of `PAGE_SIZE` files under
 * the folder at a time, so a 100k-file version opens as fast as a small one. Each file can be
 * downloaded, and a tabular one previewed on its own.
 */
export function FilesTab({ version }: { version: DataVersion }) {
  const [search, setSearch] = useSearchParams();
  const prefix = (search.get('prefix') ?? '').replace(/^\/+|\/+$/g, '');
  // Cursors of the pages before this one, so "previous" goes back without refetching from the start.
  const [cursors, setCursors] = useState<{ prefix: string; stack: (string | null)[] }>({
    prefix,
    stack: [null],
  });
  const stack = cursors.prefix === prefix ? cursors.stack : [null];
  const after = stack.at(-1) ?? null;
  const page = useDataFilesPage(version.name, version.version, prefix, after, PAGE_SIZE);
  const open = (path: string) =>
    setSearch(
      (prev) => {
        const next = new URLSearchParams(prev);
        if (path) next.set('prefix', path);
        else next.delete('prefix');
        return next;
      },
      { replace: false },
    );
  return (
    <section className="panel files-tab">
      <div className="breadcrumbs path" data-testid="files-path">
        <button type="button" className="link" onClick={() => open('')}>
          {version.name}:{version.version}
        </button>
        {folderCrumbs(prefix).map((c) => (
          <span key={c.path}>
            /{' '}
            <button type="button" className="link" onClick={() => open(c.path)}>
              {c.name}
            </button>
          </span>
        ))}
      </div>
      <QueryState query={page} what="files">
        {({ files, next }) => {
          const entries = folderEntries(files, prefix);
          return (
            <>
              {entries.length === 0 ? (
                <p className="muted">No files here.</p>
              ) : (
                <table className="grid" data-testid="data-files">
                  <thead>
                    <tr>
                      <th>Name</th>
                      <th className="num">Size</th>
                      <th>sha256</th>
                      <th />
                    </tr>
                  </thead>
                  <tbody>
                    {entries.map((e) =>
                      e.kind === 'folder' ? (
                        <tr key={`d:${e.path}`} data-folder={e.path}>
                          <td>
                            <button type="button" className="link folder" onClick={() => open(e.path)}>
                              ▸ {e.name}/
                            </button>
                          </td>
                          <td className="num muted">
                            {e.files}
                            {next !== null ? '+' : ''} file{e.files === 1 ? '' : 's'}, {formatBytes(e.bytes)}
                          </td>
                          <td />
                          <td />
                        </tr>
                      ) : (
                        <tr key={e.path} data-file={e.path}>
                          <td className="mono">{e.name}</td>
                          <td className="num">{formatBytes(e.file.size)}</td>
                          <td className="mono muted" title={e.file.sha256}>
                            {e.file.sha256.slice(0, 12)}
                          </td>
                          <td>
                            <span className="actions">
                              <DownloadLink version={version} path={e.path} />
                              {looksTabular(e.path) && (
                                <Link
                                  href={`${versionHref(version.name, version.version, 'preview')}?path=${encodeURIComponent(e.path)}`}
                                >
                                  preview
                                </Link>
                              )}
                            </span>
                          </td>
                        </tr>
                      ),
                    )}
                  </tbody>
                </table>
              )}
              <div className="pager">
                <button
                  type="button"
                  disabled={stack.length <= 1}
                  onClick={() => setCursors({ prefix, stack: stack.slice(0, -1) })}
                >
                  Previous
                </button>
                <span className="muted">
                  page {stack.length} · {files.length} file{files.length === 1 ? '' : 's'} under this folder
                  {next !== null ? ' (more on the next page)' : ''}
                </span>
                <button
                  type="button"
                  disabled={next === null}
                  onClick={() => next !== null && setCursors({ prefix, stack: [...stack, next] })}
                >
                  Next
                </button>
              </div>
            </>
          );
        }}
      </QueryState>
    </section>
  );
}

/**
 * A link to a file's bytes. Without a token the browser downloads it directly; with one (a server that
 * wants sign-in) the link cannot carry the header, so the file is fetched with it and saved.
 */
function DownloadLink({ version, path }: { version: DataVersion; path: string }) {
  const { workspace, client } = useWorkspace();
  const [error, setError] = useState<string | null>(null);
  const name = path.slice(path.lastIndexOf('/') + 1);
  const onClick = async (e: MouseEvent) => {
    if (!storedToken()) return;
    e.preventDefault();
    try {
      const stream = await client.data.openFile(version.name, version.version, path);
      const url = URL.createObjectURL(await new Response(stream).blob());
      const a = document.createElement('a');
      a.href = url;
      a.download = name;
      a.click();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
    } catch (err) {
      setError(errorMessage(err));
    }
  };
  return (
    <>
      <a href={dataFileUrl(workspace, version.name, version.version, path)} download={name} onClick={onClick}>
        download
      </a>
      {error && <span className="error-text">{error}</span>}
    </>
  );
}
