import type { ArtifactEntry } from '@cairn/sdk';
import { useEffect, useMemo, useState } from 'react';
import { useArtifactHead } from '../../api/queries.js';
import { useWorkspace } from '../../api/workspace-context.js';
import { QueryState } from '../../components/QueryState.js';
import { imageType, looksLikeText, prettyJson, previewKind } from '../../lib/artifact-preview.js';
import { parseCsv } from '../../lib/csv.js';
import { formatBytes } from '../../lib/format.js';

/** Text previews read the first MiB; images up to 20 MiB. */
const TEXT_LIMIT = 1024 * 1024;
const IMAGE_LIMIT = 20 * 1024 * 1024;

/** A file of the run's artifacts shown by kind: text, JSON, YAML, CSV/TSV as a table, images. */
export function ArtifactPreview({ runId, entry }: { runId: string; entry: ArtifactEntry }) {
  const kind = previewKind(entry.path);
  const size = entry.fileSize ?? 0;
  const tooBig = kind === 'image' && size > IMAGE_LIMIT;
  const head = useArtifactHead(
    runId,
    size === 0 || tooBig ? null : entry.path,
    kind === 'image' ? IMAGE_LIMIT : TEXT_LIMIT,
  );
  return (
    <div className="preview">
      <div className="section-head">
        <h2 className="mono">{entry.path}</h2>
        <span className="muted">{formatBytes(entry.fileSize)}</span>
        <DownloadButton runId={runId} path={entry.path} />
      </div>
      {size === 0 ? (
        <p className="muted">(empty file)</p>
      ) : tooBig ? (
        <p className="muted">Too large to preview; download it.</p>
      ) : (
        <QueryState query={head} what="the file">
          {({ bytes, truncated }) => (
            <PreviewBody path={entry.path} kind={kind} bytes={bytes} truncated={truncated} />
          )}
        </QueryState>
      )}
    </div>
  );
}

function PreviewBody({
  path,
  kind,
  bytes,
  truncated,
}: {
  path: string;
  kind: ReturnType<typeof previewKind>;
  bytes: Uint8Array;
  truncated: boolean;
}) {
  const text = useMemo(() => (kind === 'image' ? '' : new TextDecoder().decode(bytes)), [bytes, kind]);
  const note = truncated ? <p className="muted">Showing the first {formatBytes(bytes.length)}.</p> : null;
  if (kind === 'image') return <ImagePreview path={path} bytes={bytes} />;
  if (kind === 'csv' || kind === 'tsv') {
    const table = parseCsv(text, {
      delimiter: kind === 'tsv' ? '\t' : ',',
      maxRows: 500,
      complete: !truncated,
    });
    return (
      <>
        <div className="table-scroll">
          <table className="grid csv" data-testid="csv-table">
            <thead>
              <tr>
                {table.header.map((h, i) => (
                  // biome-ignore lint/suspicious/noArrayIndexKey: columns are positional
                  <th key={i}>{h}</th>
                ))}
              </tr>
            </thead>
            <tbody>
              {table.rows.map((row, r) => (
                // biome-ignore lint/suspicious/noArrayIndexKey: rows are positional
                <tr key={r}>
                  {row.map((cell, c) => (
                    // biome-ignore lint/suspicious/noArrayIndexKey: columns are positional
                    <td key={c}>{cell}</td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        {table.truncated && <p className="muted">Showing the first {table.rows.length} rows.</p>}
      </>
    );
  }
  if (kind === 'binary' && !looksLikeText(bytes))
    return <p className="muted">Binary file; download it to open.</p>;
  const shown = kind === 'json' && !truncated ? (prettyJson(text) ?? text) : text;
  return (
    <>
      <pre className={`code kind-${kind}`} data-testid="text-preview">
        {shown}
      </pre>
      {note}
    </>
  );
}

function ImagePreview({ path, bytes }: { path: string; bytes: Uint8Array }) {
  const [url, setUrl] = useState<string | null>(null);
  useEffect(() => {
    const objectUrl = URL.createObjectURL(new Blob([bytes as BlobPart], { type: imageType(path) }));
    setUrl(objectUrl);
    return () => URL.revokeObjectURL(objectUrl);
  }, [bytes, path]);
  return url ? <img className="image-preview" src={url} alt={path} /> : null;
}

/** Downloads through the client (so a sign-in token goes along) and saves under the file's name. */
function DownloadButton({ runId, path }: { runId: string; path: string }) {
  const { client } = useWorkspace();
  const [busy, setBusy] = useState(false);
  return (
    <button
      type="button"
      disabled={busy}
      onClick={async () => {
        setBusy(true);
        try {
          const bytes = await client.runs.readArtifact(runId, path);
          const a = document.createElement('a');
          a.href = URL.createObjectURL(new Blob([bytes as BlobPart]));
          a.download = path.slice(path.lastIndexOf('/') + 1);
          a.click();
          setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
        } finally {
          setBusy(false);
        }
      }}
    >
      Download
    </button>
  );
}
