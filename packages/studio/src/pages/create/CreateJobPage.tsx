import { Link, useSearchParams } from 'wouter';
import { JobForm } from './JobForm.js';
import { YamlJobForm } from './YamlJobForm.js';
import '../jobs/jobs.css';

/**
 * Submit a command job from the browser: fill in a form, or paste or upload a job YAML. A code folder
 * picked (or dropped) here is snapshotted and uploaded with the job, as `cairn job create` does.
 */
export function CreateJobPage() {
  const [search] = useSearchParams();
  const mode = search.get('mode') === 'yaml' ? 'yaml' : 'form';
  return (
    <div className="page create-page">
      <div className="page-head">
        <div className="breadcrumbs">
          <Link href="/jobs">Jobs</Link>
          <span>/</span>
        </div>
        <h1>New job</h1>
      </div>
      <nav className="tabs">
        <Link href="/create/job" className={mode === 'form' ? 'active' : ''}>
          Form
        </Link>
        <Link href="/create/job?mode=yaml" className={mode === 'yaml' ? 'active' : ''}>
          YAML
        </Link>
      </nav>
      {mode === 'yaml' ? <YamlJobForm /> : <JobForm />}
    </div>
  );
}
