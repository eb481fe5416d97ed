import { useRef, useState } from 'react';
import { useLocation } from 'wouter';
import { useSubmitJobWithCode } from '../../api/queries-jobs.js';
import { CodeUploadError, type CodeUploadProgress } from '../../lib/code-upload.js';
import { specCodeFolder } from '../../lib/job-form.js';
import { issueLocation, lineOffset, specIssues } from '../../lib/spec-errors.js';
import { CodeFolderPicker, type PickedCode } from './CodeFolderPicker.js';

const EXAMPLE = `# A command job (Azure ML v2 YAML). With \`code: ./src\`, pick that folder below and it is
# uploaded with the job; without one, the command runs what the compute already has.
command: python -c "print('hello from \${{inputs.greeting}}')"
inputs:
  greeting: cairn
experiment_name: from-the-studio
`;

/** A job YAML pasted or uploaded; the server's errors are listed by line, and their lines marked. */
export function YamlJobForm() {
  const [text, setText] = useState(EXAMPLE);
  const [file, setFile] = useState('job.yml');
  const [code, setCode] = useState<PickedCode | null>(null);
  const [progress, setProgress] = useState<CodeUploadProgress | null>(null);
  const [codeMissing, setCodeMissing] = useState(false);
  const submit = useSubmitJobWithCode(setProgress);
  const [, navigate] = useLocation();
  const codeFolder = specCodeFolder(text);
  const codeError = submit.error instanceof CodeUploadError ? submit.error : null;
  const editor = useRef<HTMLTextAreaElement>(null);
  const gutter = useRef<HTMLDivElement>(null);
  const issues = submit.error && !codeError ? specIssues(submit.error) : [];
  const badLines = new Set(issues.map((i) => i.line).filter((l) => l !== null));
  const lineCount = text.split('\n').length;
  const goTo = (line: number) => {
    const el = editor.current;
    if (!el) return;
    const { start, end } = lineOffset(el.value, line);
    el.focus();
    el.setSelectionRange(start, end);
  };
  return (
    <form
      className="panel yaml-form"
      aria-label="Job YAML"
      onSubmit={(e) => {
        e.preventDefault();
        if (codeFolder !== null && code === null) return setCodeMissing(true);
        setProgress(null);
        submit.mutate(
          {
            request: { yaml: text, file, message: 'submitted from the studio' },
            code: codeFolder !== null && code ? code.files : null,
          },
          {
            onSuccess: (job) => navigate(`/jobs/${encodeURIComponent(job.name)}`),
            onSettled: () => setProgress(null),
          },
        );
      }}
    >
      <div className="toolbar">
        <label className="inline">
          Upload a file
          <input
            type="file"
            aria-label="Upload a job YAML"
            accept=".yml,.yaml,.json,text/yaml,application/json"
            onChange={async (e) => {
              const chosen = e.target.files?.[0];
              if (!chosen) return;
              setText(await chosen.text());
              setFile(chosen.name);
              submit.reset();
            }}
          />
        </label>
        <span className="muted">
          or paste it below · shown in errors as <span className="mono">{file}</span>
        </span>
      </div>
      <div className="yaml-editor">
        <div className="gutter mono" ref={gutter} aria-hidden="true">
          {Array.from({ length: lineCount }, (_, i) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: line numbers are positional
            <div key={i} className={badLines.has(i + 1) ? 'bad' : undefined}>
              {i + 1}
            </div>
          ))}
        </div>
        <textarea
          ref={editor}
          aria-label="Job YAML"
          className="mono"
          spellCheck={false}
          rows={Math.min(30, Math.max(12, lineCount + 1))}
          value={text}
          onChange={(e) => setText(e.target.value)}
          onScroll={(e) => {
            if (gutter.current) gutter.current.scrollTop = e.currentTarget.scrollTop;
          }}
        />
      </div>
      {codeFolder !== null && (
        <div className="field">
          <div className="field-label">
            Code folder (<span className="mono">code: {codeFolder}</span>)
          </div>
          <CodeFolderPicker
            value={code}
            onChange={(picked) => {
              setCode(picked);
              setCodeMissing(false);
              submit.reset();
            }}
            progress={submit.isPending ? progress : null}
            issues={[
              ...(codeMissing
                ? [
                    `The spec names the code folder '${codeFolder}': pick that folder here to upload it with the job, or remove 'code' from the spec`,
                  ]
                : []),
              ...(codeError ? [codeError.message] : []),
            ]}
          />
        </div>
      )}
      {issues.length > 0 && (
        <div className="error-box" role="alert" data-testid="yaml-errors">
          <strong>The server refused the job</strong>
          <ul className="issues">
            {issues.map((i) => (
              <li key={`${i.line}-${i.column}-${i.field}-${i.message}`}>
                {i.line !== null ? (
                  <button type="button" className="link" onClick={() => goTo(i.line ?? 1)}>
                    {file}:{i.line}
                    {i.column !== null ? `:${i.column}` : ''}
                  </button>
                ) : (
                  issueLocation(i) && <span className="muted">{issueLocation(i)}</span>
                )}{' '}
                {i.line !== null && i.field ? <span className="mono">{i.field}: </span> : null}
                {i.line === null && issueLocation(i) ? ': ' : null}
                {i.message}
              </li>
            ))}
          </ul>
        </div>
      )}
      <div className="form-actions">
        <button
          type="submit"
          className="primary"
          disabled={submit.isPending || text.trim() === '' || (codeFolder !== null && Boolean(code?.problem))}
        >
          {submit.isPending ? (progress ? 'Uploading code…' : 'Submitting…') : 'Submit job'}
        </button>
      </div>
    </form>
  );
}
