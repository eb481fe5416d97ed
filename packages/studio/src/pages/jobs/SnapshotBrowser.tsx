import type { Job, JobSnapshotEntry } from '@cairn/sdk';
import { useMemo, useState } from 'react';
import { useJobSnapshot, useSnapshotFileHead } from '../../api/queries-jobs.js';
import { QueryState } from '../../components/QueryState.js';
import { looksLikeText } from '../../lib/artifact-preview.js';
import { formatBytes } from '../../lib/format.js';
import { defaultFile, folderEntries, folderTrail } from '../../lib/snapshot-files.js';

/** Previews read the first 512 KiB of a file. */
const PREVIEW_BYTES = 512 * 1024;

/** The job's code as it was submitted: folders, files with sizes, and a preview of the chosen file. */
export function SnapshotBrowser({ job }: { job: Job }) {
  const snapshot = useJobSnapshot(job.name, job.snapshotId !== null);
  if (job.snapshotId === null) {
    return (
      <p className="muted">
        This job has no code snapshot: its spec names no <code>code</code> folder.
      </p>
    );
  }
  return (
    <QueryState query={snapshot} what="the code snapshot">
      {(s) => <Browser jobName={job.name} files={s.files} command={job.command} snapshotId={s.snapshotId} />}
    </QueryState>
  );
}

function Browser({
  jobName,
  files,
  command,
  snapshotId,
}: {
  jobName: string;
  files: JobSnapshotEntry[];
  command: string;
  snapshotId: string;
}) {
  const [folder, setFolder] = useState('');
  const [chosen, setChosen] = useState<string | null>(() =>
    defaultFile(
      files.map((f) => f.path),
      command,
    ),
  );
  const entries = useMemo(() => folderEntries(files, folder), [files, folder]);
  const file = files.find((f) => f.path === chosen) ?? null;
  const total = files.reduce((n, f) => n + (f.size ?? 0), 0);
  return (
    <div className="artifacts snapshot">
      <section className="panel">
        <div className="breadcrumbs path">
          {folderTrail(folder).map((f) => (
            <span key={f.path}>
              <button type="button" className="link" onClick={() => setFolder(f.path)}>
                {f.name}
              </button>
              /
            </span>
          ))}
        </div>
        <ul className="file-list" data-testid="snapshot-files">
          {entries.map((e) =>
            e.kind === 'folder' ? (
              <li key={e.path}>
                <button type="button" className="link" onClick={() => setFolder(e.path)}>
                  ▸ {e.name}/
                </button>
                <span className="muted">
                  {e.files} {e.files === 1 ? 'file' : 'files'}
                </span>
              </li>
            ) : (
              <li key={e.file.path} className={chosen === e.file.path ? 'active' : undefined}>
                <button type="button" className="link" onClick={() => setChosen(e.file.path)}>
                  {e.name}
                  {e.file.symlink !== null ? ` → ${e.file.symlink}` : ''}
                </button>
                <span className="muted">{formatBytes(e.file.size)}</span>
              </li>
            ),
          )}
        </ul>
        <p className="muted small-note">
          {files.length} {files.length === 1 ? 'file' : 'files'} · {formatBytes(total)} · snapshot{' '}
          <span className="mono">{snapshotId.slice(0, 12)}</span>
        </p>
      </section>
      <section className="panel preview" data-testid="snapshot-preview">
        {file === null ? (
          <p className="muted">Choose a file.</p>
        ) : file.symlink !== null ? (
          <p>
            <span className="mono">{file.path}</span> is a link to{' '}
            <span className="mono">{file.symlink}</span>.
          </p>
        ) : (
          <FilePreview jobName={jobName} file={file} />
        )}
      </section>
    </div>
  );
}

function FilePreview({ jobName, file }: { jobName: string; file: JobSnapshotEntry }) {
  const head = useSnapshotFileHead(jobName, file.size === 0 ? null : file.path, PREVIEW_BYTES);
  return (
    <>
      <div className="section-head">
        <h2 className="mono">{file.path}</h2>
        <span className="muted">
          {formatBytes(file.size)}
          {file.executable ? ' · executable' : ''}
        </span>
      </div>
      {file.size === 0 ? (
        <p className="muted">(empty file)</p>
      ) : (
        <QueryState query={head} what="the file">
          {({ bytes, truncated }) =>
            looksLikeText(bytes) ? (
              <>
                <NumberedText text={new TextDecoder().decode(bytes)} />
                {truncated && <p className="muted">Showing the first {formatBytes(bytes.length)}.</p>}
              </>
            ) : (
              <p className="muted">A binary file; no preview.</p>
            )
          }
        </QueryState>
      )}
    </>
  );
}

function NumberedText({ text }: { text: string }) {
  const lines = text.endsWith('\n') ? text.slice(0, -1).split('\n') : text.split('\n');
  return (
    <pre className="code numbered" data-testid="text-preview">
      {lines.map((line, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: lines are positional
        <div key={i}>
          <span className="line-no">{i + 1}</span>
          {line}
        </div>
      ))}
    </pre>
  );
}
