import type { DataType, DataVersion } from '@cairn/sdk';
import { type FormEvent, type ReactNode, useState } from 'react';
import { useLocation } from 'wouter';
import { errorMessage } from '../../api/client.js';
import {
  useCreateData,
  useDataSamples,
  useDatastores,
  useRegisterSample,
  useUploadData,
} from '../../api/queries-data.js';
import { baseRequest, type DataFormFields, datastoreUri, referenceRequest } from '../../lib/data-form.js';
import { type PickedFile, pickedFiles, type UploadProgress, uploadedFromOf } from '../../lib/data-upload.js';
import { formatBytes } from '../../lib/format.js';

type Mode = 'reference' | 'upload' | 'sample';

const MODES: { id: Mode; label: string }[] = [
  { id: 'reference', label: 'From a datastore or URL' },
  { id: 'upload', label: 'Upload files' },
  { id: 'sample', label: 'Sample dataset' },
];

const EMPTY: DataFormFields = {
  name: '',
  type: 'uri_folder',
  version: '',
  description: '',
  tags: '',
  path: '',
  refresh: '',
};

const REFRESH_CHOICES = [
  { value: '', label: 'never' },
  { value: '900', label: 'every 15 min' },
  { value: '3600', label: 'every hour' },
  { value: '86400', label: 'every day' },
];

/**
 * Registers a data asset version from the browser: referenced at a datastore path or URL (the server
 * hashes it in place), uploaded from files or a folder picked here (hashed in the browser, only the
 * contents the workspace lacks are sent), or one of the built-in samples. Opens the new version.
 */
export function RegisterDataForm({ onClose }: { onClose: () => void }) {
  const [mode, setMode] = useState<Mode>('reference');
  const [fields, setFields] = useState<DataFormFields>(EMPTY);
  const [picked, setPicked] = useState<{ files: PickedFile[]; from: string }>({ files: [], from: '' });
  const [sampleName, setSampleName] = useState('');
  const [problem, setProblem] = useState<{ field: string; reason: string } | null>(null);
  const [progress, setProgress] = useState<UploadProgress | null>(null);
  const create = useCreateData();
  const upload = useUploadData(setProgress);
  const sample = useRegisterSample();
  const [, navigate] = useLocation();
  const busy = create.isPending || upload.isPending || sample.isPending;
  const serverError = create.error ?? upload.error ?? sample.error;

  const set = (key: keyof DataFormFields) => (value: string) => {
    setFields((f) => ({ ...f, [key]: value }));
    if (problem?.field === key) setProblem(null);
  };
  const opened = (v: DataVersion) =>
    navigate(`/data/${encodeURIComponent(v.name)}/${encodeURIComponent(v.version)}`);

  const submit = (e: FormEvent) => {
    e.preventDefault();
    setProblem(null);
    create.reset();
    upload.reset();
    sample.reset();
    if (mode === 'sample') {
      if (!sampleName) return setProblem({ field: 'sample', reason: 'Pick a sample dataset' });
      const name = fields.name.trim();
      sample.mutate({ sample: sampleName, ...(name ? { name } : {}) }, { onSuccess: opened });
      return;
    }
    if (mode === 'reference') {
      const request = referenceRequest(fields);
      if (request.type === 'error') return setProblem(request);
      create.mutate(request.value, { onSuccess: opened });
      return;
    }
    const request = baseRequest(fields);
    if (request.type === 'error') return setProblem(request);
    if (picked.files.length === 0)
      return setProblem({ field: 'files', reason: 'Pick files or a folder to upload' });
    upload.mutate(
      { files: picked.files, request: { ...request.value, uploadedFrom: picked.from } },
      { onSuccess: (r) => opened(r.version) },
    );
  };

  const pick = (list: FileList | null) => {
    const files = [...(list ?? [])];
    setPicked({ files: pickedFiles(files), from: uploadedFromOf(files) });
    if (problem?.field === 'files') setProblem(null);
  };
  const pickedBytes = picked.files.reduce((sum, p) => sum + p.file.size, 0);

  return (
    <section className="panel register-data" data-testid="register-data">
      <div className="section-head">
        <h2>Register data</h2>
        <button type="button" onClick={onClose}>
          Close
        </button>
      </div>
      <nav className="tabs mode-tabs">
        {MODES.map((m) => (
          <button
            key={m.id}
            type="button"
            className={mode === m.id ? 'link active' : 'link'}
            onClick={() => {
              setMode(m.id);
              setProblem(null);
            }}
          >
            {m.label}
          </button>
        ))}
      </nav>
      <form onSubmit={submit} className="data-form">
        {mode === 'sample' ? (
          <SampleFields value={sampleName} onChange={setSampleName} invalid={problem?.field === 'sample'} />
        ) : null}
        <Field
          label={mode === 'sample' ? 'Name (default: the sample’s)' : 'Name'}
          invalid={problem?.field === 'name'}
        >
          <input
            type="text"
            aria-label="Name"
            value={fields.name}
            onChange={(e) => set('name')(e.target.value)}
          />
        </Field>
        {mode !== 'sample' && (
          <>
            <Field label="Type">
              <select
                aria-label="Type"
                value={fields.type}
                onChange={(e) => set('type')(e.target.value as DataType)}
              >
                <option value="uri_folder">uri_folder (a folder of files)</option>
                <option value="uri_file">uri_file (one file)</option>
                <option value="mltable">mltable (a folder with an MLTable file)</option>
              </select>
            </Field>
            {mode === 'reference' ? (
              <ReferenceFields fields={fields} set={set} invalid={problem?.field} />
            ) : (
              <Field label="Files" invalid={problem?.field === 'files'}>
                <div className="pickers">
                  <label className="file-pick">
                    Files…
                    <input type="file" multiple aria-label="Files" onChange={(e) => pick(e.target.files)} />
                  </label>
                  <label className="file-pick">
                    Folder…
                    <input
                      type="file"
                      multiple
                      aria-label="Folder"
                      ref={(el) => {
                        if (el) el.webkitdirectory = true;
                      }}
                      onChange={(e) => pick(e.target.files)}
                    />
                  </label>
                  <span className="muted" data-testid="picked">
                    {picked.files.length === 0
                      ? 'nothing picked'
                      : `${picked.files.length} file${picked.files.length === 1 ? '' : 's'} (${formatBytes(pickedBytes)}) from ${picked.from}`}
                  </span>
                </div>
              </Field>
            )}
            <Field label="Version (empty: the next number)" invalid={problem?.field === 'version'}>
              <input
                type="text"
                aria-label="Version"
                value={fields.version}
                onChange={(e) => set('version')(e.target.value)}
              />
            </Field>
            <Field label="Description">
              <input
                type="text"
                aria-label="Description"
                value={fields.description}
                onChange={(e) => set('description')(e.target.value)}
              />
            </Field>
            <Field label="Tags (key=value, comma separated)" invalid={problem?.field === 'tags'}>
              <input
                type="text"
                aria-label="Tags"
                value={fields.tags}
                onChange={(e) => set('tags')(e.target.value)}
              />
            </Field>
          </>
        )}
        <div className="form-actions">
          <button type="submit" className="primary" disabled={busy}>
            {busy ? 'Registering…' : mode === 'upload' ? 'Upload and register' : 'Register'}
          </button>
          {upload.isPending && progress && <UploadStatus progress={progress} />}
        </div>
        {problem && (
          <div className="error-box" role="alert" data-testid="form-error">
            {problem.reason}
          </div>
        )}
        {serverError && (
          <div className="error-box" role="alert" data-testid="form-error">
            <strong>The server refused it</strong>
            <div>{errorMessage(serverError)}</div>
          </div>
        )}
      </form>
    </section>
  );
}

function Field({ label, invalid, children }: { label: string; invalid?: boolean; children: ReactNode }) {
  return (
    <div className={invalid ? 'field invalid' : 'field'}>
      <span className="field-label">{label}</span>
      {children}
    </div>
  );
}

function ReferenceFields({
  fields,
  set,
  invalid,
}: {
  fields: DataFormFields;
  set: (key: keyof DataFormFields) => (value: string) => void;
  invalid: string | undefined;
}) {
  const datastores = useDatastores();
  return (
    <>
      <Field label="Path: a datastore URI or an http(s) URL" invalid={invalid === 'path'}>
        <div className="path-row">
          <select
            aria-label="Datastore"
            value=""
            onChange={(e) => e.target.value && set('path')(datastoreUri(e.target.value))}
          >
            <option value="">datastore…</option>
            {(datastores.data ?? []).map((d) => (
              <option key={d.name} value={d.name}>
                {d.name} ({d.type})
              </option>
            ))}
          </select>
          <input
            type="text"
            aria-label="Path"
            className="mono"
            placeholder="azureml://datastores/<name>/paths/<folder>/  or  https://…"
            value={fields.path}
            onChange={(e) => set('path')(e.target.value)}
          />
        </div>
      </Field>
      <Field label="Look for changes at the source">
        <select aria-label="Refresh" value={fields.refresh} onChange={(e) => set('refresh')(e.target.value)}>
          {REFRESH_CHOICES.map((c) => (
            <option key={c.value} value={c.value}>
              {c.label}
            </option>
          ))}
        </select>
      </Field>
    </>
  );
}

function SampleFields({
  value,
  onChange,
  invalid,
}: {
  value: string;
  onChange: (v: string) => void;
  invalid: boolean;
}) {
  const samples = useDataSamples();
  const chosen = samples.data?.find((s) => s.name === value);
  return (
    <Field label="Sample" invalid={invalid}>
      <select aria-label="Sample" value={value} onChange={(e) => onChange(e.target.value)}>
        <option value="">pick one…</option>
        {(samples.data ?? []).map((s) => (
          <option key={s.name} value={s.name}>
            {s.name} ({s.type})
          </option>
        ))}
      </select>
      {chosen && <span className="muted">{chosen.description}</span>}
    </Field>
  );
}

function UploadStatus({ progress }: { progress: UploadProgress }) {
  const what =
    progress.phase === 'hashing'
      ? `Hashing ${progress.done + 1} of ${progress.total}`
      : progress.phase === 'uploading'
        ? `Uploaded ${progress.done} of ${progress.total} new files (${formatBytes(progress.bytes)} of ${formatBytes(progress.totalBytes)})`
        : 'Registering';
  return (
    <span className="muted" data-testid="upload-progress">
      {what}…
    </span>
  );
}
