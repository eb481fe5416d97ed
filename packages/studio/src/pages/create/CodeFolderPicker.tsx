import { useState } from 'react';
import { type BrowserFile, type PickedFile, pickedFiles } from '../../lib/blob-upload.js';
import { type CodeUploadProgress, codeLimitProblem, selectCodeFiles } from '../../lib/code-upload.js';
import { formatBytes } from '../../lib/format.js';

/** A code folder picked in the browser: its name, every file the browser gave, and what the ignore rules keep. */
export interface PickedCode {
  name: string;
  files: PickedFile[];
  kept: number;
  keptBytes: number;
  ignored: number;
  /** Over a browser upload's limits, in words (the folder cannot be submitted). */
  problem: string | null;
}

/** Reads what a pick or a drop gave into a PickedCode (ignore rules applied, limits checked). */
async function pickedCode(name: string, files: PickedFile[]): Promise<PickedCode> {
  const selection = await selectCodeFiles(files);
  return {
    name,
    files,
    kept: selection.files.length,
    keptBytes: selection.files.reduce((sum, f) => sum + f.file.size, 0),
    ignored: selection.ignored.length,
    problem: codeLimitProblem(selection.files),
  };
}

/** A dashed box that darkens while a folder is dragged over it (the stylesheet is shared; kept here). */
const DROP_ZONE_STYLE = (dragging: boolean): React.CSSProperties => ({
  border: `1px dashed ${dragging ? 'currentColor' : 'rgba(128, 128, 128, 0.5)'}`,
  borderRadius: 4,
  padding: '8px 10px',
  margin: 0,
  minWidth: 0,
});

// React has no typed prop for these; Chromium, Firefox and Safari all read `webkitdirectory`.
const DIRECTORY_PICKER = { webkitdirectory: '', directory: '' } as Record<string, string>;

/**
 * The job's code folder: a folder picker (`webkitdirectory`) or a folder dropped on it. The files are
 * uploaded only when the job is submitted; until then the picker shows what the ignore rules keep.
 */
export function CodeFolderPicker({
  value,
  onChange,
  progress,
  issues,
}: {
  value: PickedCode | null;
  onChange: (code: PickedCode | null) => void;
  /** Set while the folder uploads. */
  progress: CodeUploadProgress | null;
  issues: readonly string[] | undefined;
}) {
  const [dragging, setDragging] = useState(false);
  const [dropError, setDropError] = useState<string | null>(null);
  const pick = async (list: FileList | null) => {
    const files = [...(list ?? [])] as BrowserFile[];
    if (files.length === 0) return onChange(null);
    const name = files[0]?.webkitRelativePath?.split('/')[0] || 'code';
    onChange(await pickedCode(name, pickedFiles(files)));
  };
  const problems = [
    ...(value?.problem ? [value.problem] : []),
    ...(dropError ? [dropError] : []),
    ...(issues ?? []),
  ];
  return (
    <fieldset
      aria-label="Code folder (pick or drop a folder)"
      className={dragging ? 'code-picker dragging' : 'code-picker'}
      style={DROP_ZONE_STYLE(dragging)}
      data-testid="code-picker"
      onDragOver={(e) => {
        e.preventDefault();
        setDragging(true);
      }}
      onDragLeave={() => setDragging(false)}
      onDrop={async (e) => {
        e.preventDefault();
        setDragging(false);
        setDropError(null);
        try {
          const dropped = await droppedFolder(e.dataTransfer);
          if (dropped) onChange(await pickedCode(dropped.name, dropped.files));
          else setDropError('Drop one folder (not files): the whole folder is the job’s code');
        } catch (err) {
          setDropError(`Reading the dropped folder failed (${String(err)}); pick it with the button instead`);
        }
      }}
    >
      <label className="inline">
        <input
          type="file"
          aria-label="Code folder"
          {...DIRECTORY_PICKER}
          multiple
          onChange={(e) => {
            setDropError(null);
            void pick(e.target.files);
          }}
        />
      </label>
      {value ? (
        <div className="muted small-note" data-testid="code-summary">
          <span className="mono">{value.name}/</span>: {value.kept} files ({formatBytes(value.keptBytes)}) to
          upload
          {value.ignored > 0 && `, ${value.ignored} left out by .gitignore, .amlignore, .cairnignore or .git`}{' '}
          <button type="button" className="link" onClick={() => onChange(null)}>
            remove
          </button>
        </div>
      ) : (
        <div className="muted small-note">
          Pick or drop the folder the command runs in (as <code>code:</code> in job.yml): it is snapshotted
          with the CLI’s ignore rules, and only files the workspace lacks are uploaded. Files are uploaded as
          not executable; run scripts with their interpreter (<code>bash run.sh</code>).
        </div>
      )}
      {progress && <CodeProgress progress={progress} />}
      {problems.map((m) => (
        <div key={m} className="field-error" role="alert" data-testid="code-error">
          {m}
        </div>
      ))}
    </fieldset>
  );
}

function CodeProgress({ progress }: { progress: CodeUploadProgress }) {
  const what =
    progress.phase === 'hashing'
      ? `Hashing ${Math.min(progress.done + 1, progress.total)} of ${progress.total} files`
      : `Uploaded ${progress.done} of ${progress.total} new files (${formatBytes(progress.bytes)} of ${formatBytes(progress.totalBytes)})`;
  return (
    <div className="code-progress" data-testid="code-progress">
      <progress value={progress.totalBytes === 0 ? 1 : progress.bytes} max={progress.totalBytes || 1} />
      <span className="muted small-note">{what}</span>
    </div>
  );
}

/** The one folder dropped, read recursively through the File and Directory Entries API; null if not one folder. */
async function droppedFolder(data: DataTransfer): Promise<{ name: string; files: PickedFile[] } | null> {
  const entries = [...data.items].map((item) => item.webkitGetAsEntry()).filter((e) => e !== null);
  const [root] = entries;
  if (entries.length !== 1 || !root?.isDirectory) return null;
  const files: PickedFile[] = [];
  const walk = async (dir: FileSystemDirectoryEntry, prefix: string): Promise<void> => {
    const reader = dir.createReader();
    // readEntries returns at most ~100 entries a call; read until it returns none.
    for (;;) {
      const batch = await new Promise<FileSystemEntry[]>((resolve, reject) =>
        reader.readEntries(resolve, reject),
      );
      if (batch.length === 0) return;
      for (const entry of batch) {
        const path = prefix === '' ? entry.name : `${prefix}/${entry.name}`;
        if (entry.isDirectory) await walk(entry as FileSystemDirectoryEntry, path);
        else {
          const file = await new Promise<File>((resolve, reject) =>
            (entry as FileSystemFileEntry).file(resolve, reject),
          );
          files.push({ path, file });
        }
      }
    }
  };
  await walk(root as FileSystemDirectoryEntry, '');
  return { name: root.name, files };
}
