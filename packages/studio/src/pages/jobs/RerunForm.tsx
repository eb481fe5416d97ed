import type { Job } from '@cairn/sdk';
import { useMemo, useState } from 'react';
import { useLocation } from 'wouter';
import { useSubmitJob } from '../../api/queries-jobs.js';
import { rerunInputs, rerunOverrides } from '../../lib/job-spec-view.js';
import { issueLocation, specIssues } from '../../lib/spec-errors.js';

/**
 * Submits the job again with its spec and code snapshot (`rerunOf`), its inputs editable: each changed
 * input goes as a `set` override (`inputs.C=0.5`), like `cairn job create --set`. Opens the new job.
 */
export function RerunForm({ job, onClose }: { job: Job; onClose: () => void }) {
  const inputs = useMemo(() => rerunInputs(job.spec), [job.spec]);
  const [edited, setEdited] = useState<Record<string, string>>({});
  const [extra, setExtra] = useState('');
  const [localError, setLocalError] = useState<string | null>(null);
  const submit = useSubmitJob();
  const [, navigate] = useLocation();
  const issues = submit.error ? specIssues(submit.error) : [];
  const issueFor = (name: string) =>
    issues.filter((i) => i.field === `inputs.${name}` || i.field.startsWith(`inputs.${name}.`));
  const otherIssues = issues.filter((i) => !inputs.some((input) => issueFor(input.name).includes(i)));

  return (
    <form
      className="panel rerun-form"
      aria-label="Rerun"
      onSubmit={(e) => {
        e.preventDefault();
        const overrides = rerunOverrides(inputs, edited, extra);
        if (overrides.type === 'error') {
          setLocalError(overrides.reason);
          return;
        }
        setLocalError(null);
        submit.mutate(
          { rerunOf: job.name, set: overrides.set, message: `rerun of ${job.name} from the studio` },
          {
            onSuccess: (created) => {
              onClose();
              navigate(`/jobs/${encodeURIComponent(created.name)}`);
            },
          },
        );
      }}
    >
      <div className="section-head">
        <h2>Rerun {job.name}</h2>
        <span className="muted">same code snapshot and spec; change what you need</span>
      </div>
      {inputs.length === 0 ? (
        <p className="muted">The job has no inputs.</p>
      ) : (
        <table className="grid form-grid">
          <tbody>
            {inputs.map((input) => (
              <tr key={input.name}>
                <td>
                  <label htmlFor={`rerun-input-${input.name}`} className="mono">
                    inputs.{input.name}
                  </label>
                  <div className="muted small-note">{input.type ?? input.kind}</div>
                </td>
                <td>
                  <input
                    id={`rerun-input-${input.name}`}
                    type="text"
                    className={issueFor(input.name).length > 0 ? 'wide invalid' : 'wide'}
                    value={edited[input.name] ?? input.value}
                    onChange={(e) => setEdited({ ...edited, [input.name]: e.target.value })}
                  />
                  {issueFor(input.name).map((i) => (
                    <div key={i.message} className="field-error">
                      {i.message}
                    </div>
                  ))}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <label className="block">
        Other changes, one <code>path=value</code> a line (e.g. <code>limits.timeout=1h</code>,{' '}
        <code>compute=slurm-cpu</code>)
        <textarea rows={2} className="mono" value={extra} onChange={(e) => setExtra(e.target.value)} />
      </label>
      {(localError || otherIssues.length > 0) && (
        <div className="error-box" role="alert" data-testid="rerun-error">
          {localError ?? (
            <ul className="issues">
              {otherIssues.map((i) => (
                <li key={`${i.field}-${i.message}`}>
                  {issueLocation(i) && <span className="muted">{issueLocation(i)}: </span>}
                  {i.message}
                </li>
              ))}
            </ul>
          )}
        </div>
      )}
      <div className="form-actions">
        <button type="submit" className="primary" disabled={submit.isPending}>
          {submit.isPending ? 'Submitting…' : 'Submit rerun'}
        </button>
        <button type="button" onClick={onClose}>
          Close
        </button>
      </div>
    </form>
  );
}
