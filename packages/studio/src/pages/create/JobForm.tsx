// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${{inputs.x}} is Azure ML's placeholder syntax, not a template literal
import { useMemo, useState } from 'react';
import { useLocation } from 'wouter';
import { useExperiments } from '../../api/queries.js';
import { useComputes, useEnvironments, useSubmitJobWithCode } from '../../api/queries-jobs.js';
import { CodeUploadError, type CodeUploadProgress } from '../../lib/code-upload.js';
import { groupEnvironments } from '../../lib/environment-versions.js';
import {
  emptyJobForm,
  type FormInput,
  formToYaml,
  issuesByField,
  type JobFormState,
} from '../../lib/job-form.js';
import { specIssues } from '../../lib/spec-errors.js';
import { CodeFolderPicker, type PickedCode } from './CodeFolderPicker.js';

const FORM_FILE = 'form.yml';

/** A command job from a form; the YAML it makes is shown beside it, and the server's issues by field. */
export function JobForm() {
  const [form, setForm] = useState<JobFormState>(emptyJobForm);
  const experiments = useExperiments();
  const environments = useEnvironments();
  const computes = useComputes();
  const [code, setCode] = useState<PickedCode | null>(null);
  const [progress, setProgress] = useState<CodeUploadProgress | null>(null);
  const submit = useSubmitJobWithCode(setProgress);
  const [, navigate] = useLocation();
  const yaml = useMemo(() => formToYaml(form), [form]);
  const issues =
    submit.error instanceof CodeUploadError
      ? new Map([['code', [submit.error.message]]])
      : submit.error
        ? issuesByField(specIssues(submit.error), form)
        : new Map<string, string[]>();
  const set = (patch: Partial<JobFormState>) => setForm({ ...form, ...patch });
  const setInput = (i: number, patch: Partial<FormInput>) =>
    set({ inputs: form.inputs.map((input, j) => (j === i ? { ...input, ...patch } : input)) });
  const envVersions = groupEnvironments(environments.data ?? []).flatMap((g) =>
    g.versions.map((v) => `${v.name}:${v.version}`),
  );

  return (
    <div className="create-layout">
      <form
        className="panel job-form"
        aria-label="New job"
        onSubmit={(e) => {
          e.preventDefault();
          setProgress(null);
          submit.mutate(
            {
              request: { yaml, file: FORM_FILE, message: 'submitted from the studio form' },
              code: code?.files ?? null,
            },
            {
              onSuccess: (job) => navigate(`/jobs/${encodeURIComponent(job.name)}`),
              onSettled: () => setProgress(null),
            },
          );
        }}
      >
        <Field label="Command" issues={issues.get('command')}>
          <textarea
            aria-label="Command"
            className="mono"
            rows={3}
            required
            placeholder={'python train.py --lr ${{inputs.lr}}'}
            value={form.command}
            onChange={(e) => set({ command: e.target.value })}
          />
          <div className="muted small-note">
            Refer to inputs as <code>{'${{inputs.<name>}}'}</code>.
          </div>
        </Field>
        <div className="field">
          <div className="field-label">Code folder</div>
          <CodeFolderPicker
            value={code}
            onChange={(picked) => {
              setCode(picked);
              set({ code: picked?.name ?? '' });
              submit.reset();
            }}
            progress={submit.isPending ? progress : null}
            issues={issues.get('code')}
          />
        </div>
        <Field label="Inputs" issues={undefined}>
          <table className="grid form-grid inputs-table">
            <tbody>
              {form.inputs.map((input, i) => (
                // biome-ignore lint/suspicious/noArrayIndexKey: rows are edited in place by position
                <tr key={i}>
                  <td>
                    <input
                      aria-label={`Input ${i + 1} name`}
                      className="mono"
                      placeholder="name"
                      value={input.name}
                      onChange={(e) => setInput(i, { name: e.target.value })}
                    />
                  </td>
                  <td>
                    <select
                      aria-label={`Input ${i + 1} kind`}
                      value={input.kind}
                      onChange={(e) => setInput(i, { kind: e.target.value as FormInput['kind'] })}
                    >
                      <option value="value">value</option>
                      <option value="data">data asset</option>
                      <option value="uri">URI / path</option>
                    </select>
                  </td>
                  <td>
                    <input
                      aria-label={`Input ${i + 1} value`}
                      className={issues.has(`input:${i}`) ? 'mono invalid' : 'mono'}
                      placeholder={
                        input.kind === 'value'
                          ? '0.01'
                          : input.kind === 'data'
                            ? 'iris:2 or iris@latest'
                            : 's3://bucket/key'
                      }
                      value={input.value}
                      onChange={(e) => setInput(i, { value: e.target.value })}
                    />
                    {issues.get(`input:${i}`)?.map((m) => (
                      <div key={m} className="field-error">
                        {m}
                      </div>
                    ))}
                  </td>
                  <td>
                    {input.kind !== 'value' && (
                      <select
                        aria-label={`Input ${i + 1} type`}
                        value={input.type}
                        onChange={(e) => setInput(i, { type: e.target.value as FormInput['type'] })}
                      >
                        <option value="uri_folder">uri_folder</option>
                        <option value="uri_file">uri_file</option>
                        <option value="mltable">mltable</option>
                      </select>
                    )}
                  </td>
                  <td>
                    <button
                      type="button"
                      className="small"
                      aria-label={`Remove input ${i + 1}`}
                      onClick={() => set({ inputs: form.inputs.filter((_, j) => j !== i) })}
                    >
                      ✕
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <button
            type="button"
            className="small"
            onClick={() =>
              set({ inputs: [...form.inputs, { name: '', kind: 'value', value: '', type: 'uri_folder' }] })
            }
          >
            Add input
          </button>
        </Field>
        <div className="form-row">
          <Field label="Environment" issues={issues.get('environment')}>
            <select
              aria-label="Environment"
              value={form.environment}
              onChange={(e) => set({ environment: e.target.value })}
            >
              <option value="">none (the server’s Python)</option>
              {envVersions.map((v) => (
                <option key={v} value={v}>
                  {v}
                </option>
              ))}
            </select>
          </Field>
          <Field label="Compute" issues={issues.get('compute')}>
            <select
              aria-label="Compute"
              value={form.compute}
              onChange={(e) => set({ compute: e.target.value })}
            >
              {(computes.data ?? [{ name: 'local', kind: 'local' }]).map((c) => (
                <option key={c.name} value={c.name}>
                  {c.name} ({c.kind})
                </option>
              ))}
            </select>
          </Field>
        </div>
        <div className="form-row">
          <Field label="Experiment" issues={issues.get('experimentName')}>
            <input
              aria-label="Experiment"
              list="experiment-names"
              placeholder="Default"
              value={form.experimentName}
              onChange={(e) => set({ experimentName: e.target.value })}
            />
            <datalist id="experiment-names">
              {experiments.data?.map((e) => (
                <option key={e.experimentId} value={e.name} />
              ))}
            </datalist>
          </Field>
          <Field label="Display name" issues={issues.get('displayName')}>
            <input
              aria-label="Display name"
              placeholder="the job's name"
              value={form.displayName}
              onChange={(e) => set({ displayName: e.target.value })}
            />
          </Field>
        </div>
        {issues.get('') && (
          <div className="error-box" role="alert" data-testid="form-error">
            {issues.get('')?.map((m) => (
              <div key={m}>{m}</div>
            ))}
          </div>
        )}
        <div className="form-actions">
          <button
            type="submit"
            className="primary"
            disabled={submit.isPending || form.command.trim() === '' || Boolean(code?.problem)}
          >
            {submit.isPending ? (progress ? 'Uploading code…' : 'Submitting…') : 'Submit job'}
          </button>
        </div>
      </form>
      <section className="panel yaml-preview">
        <h2>As YAML</h2>
        <pre className="code" data-testid="form-yaml">
          {yaml}
        </pre>
        <p className="muted small-note">
          The same file works with <code>cairn job create -f job.yml</code>.
        </p>
      </section>
    </div>
  );
}

function Field({
  label,
  issues,
  children,
}: {
  label: string;
  issues: string[] | undefined;
  children: React.ReactNode;
}) {
  return (
    <div className={issues ? 'field has-error' : 'field'}>
      <div className="field-label">{label}</div>
      {children}
      {issues?.map((m) => (
        <div key={m} className="field-error" role="alert">
          {m}
        </div>
      ))}
    </div>
  );
}
