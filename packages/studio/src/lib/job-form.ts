import { parse, stringify } from 'yaml';
import type { SpecIssue } from './spec-errors.js';

/**
 * The "new job" form: what the user fills in, turned into the job YAML the server validates (the same
 * YAML `cairn job create -f` takes, shown beside the form), and the server's issues mapped back onto
 * the form's fields.
 */
export type FormInputKind = 'value' | 'data' | 'uri';

export interface FormInput {
  name: string;
  kind: FormInputKind;
  value: string;
  /** For data and URI inputs. */
  type: 'uri_folder' | 'uri_file' | 'mltable';
}

export interface JobFormState {
  command: string;
  displayName: string;
  experimentName: string;
  /** A registered environment (`name:version`), or '' for none. */
  environment: string;
  compute: string;
  /** The picked code folder's name ('' for none); its files are uploaded as the job's snapshot. */
  code: string;
  inputs: FormInput[];
}

export const emptyJobForm = (): JobFormState => ({
  command: '',
  displayName: '',
  experimentName: '',
  environment: '',
  compute: 'local',
  code: '',
  inputs: [],
});

/** `0.5` → 0.5, `true` → true, anything else stays text (as YAML would read a plain scalar). */
export function literalValue(text: string): string | number | boolean {
  const t = text.trim();
  if (t === 'true' || t === 'false') return t === 'true';
  if (/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(t)) return Number(t);
  return text;
}

/** A data asset as the user may type it (`iris:2`, `iris@latest`, `azureml:iris:2`) in the spec's form. */
export function dataAssetPath(text: string): string {
  const t = text.trim();
  return t.startsWith('azureml:') ? t : `azureml:${t}`;
}

export function formToSpec(form: JobFormState): Record<string, unknown> {
  const spec: Record<string, unknown> = { type: 'command', command: form.command };
  // The folder beside job.yml as the CLI would take it; the studio sends the files it picked instead.
  if (form.code) spec.code = `./${form.code}`;
  if (form.displayName.trim()) spec.display_name = form.displayName.trim();
  if (form.experimentName.trim()) spec.experiment_name = form.experimentName.trim();
  if (form.environment) spec.environment = `azureml:${form.environment}`;
  if (form.compute && form.compute !== 'local') spec.compute = `azureml:${form.compute}`;
  const inputs: Record<string, unknown> = {};
  for (const input of form.inputs) {
    const name = input.name.trim();
    if (name === '' && input.value.trim() === '') continue;
    inputs[name] =
      input.kind === 'value'
        ? literalValue(input.value)
        : {
            type: input.type,
            path: input.kind === 'data' ? dataAssetPath(input.value) : input.value.trim(),
          };
  }
  if (Object.keys(inputs).length > 0) spec.inputs = inputs;
  return spec;
}

/** The YAML the form submits (the server reports issues by its lines). */
export function formToYaml(form: JobFormState): string {
  return stringify(formToSpec(form), { lineWidth: 0 });
}

/** Which form field an issue belongs to: `command`, `experimentName`, `environment`, `compute`, `input:<i>`. */
export function formFieldOf(issue: SpecIssue, form: JobFormState): string | null {
  const field = issue.field;
  if (field === 'command') return 'command';
  if (field === 'display_name') return 'displayName';
  if (field === 'experiment_name') return 'experimentName';
  if (field === 'environment' || field.startsWith('environment.')) return 'environment';
  if (field === 'compute') return 'compute';
  if (field === 'code' || field === 'snapshotId') return 'code';
  const m = /^inputs\.([^.[]+)/.exec(field);
  if (m) {
    const i = form.inputs.findIndex((input) => input.name.trim() === m[1]);
    return i < 0 ? null : `input:${i}`;
  }
  return null;
}

/** The issues by form field; those that belong to none are under ''. */
export function issuesByField(issues: readonly SpecIssue[], form: JobFormState): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const issue of issues) {
    const key = formFieldOf(issue, form) ?? '';
    const message = key === '' && issue.field ? `${issue.field}: ${issue.message}` : issue.message;
    out.set(key, [...(out.get(key) ?? []), message]);
  }
  return out;
}

/**
 * The `code` folder a pasted job YAML names (a sweep's in its trial), or null when it names none or
 * does not parse yet: the YAML form offers a folder picker only when the spec has one.
 */
export function specCodeFolder(yaml: string): string | null {
  let spec: unknown;
  try {
    spec = parse(yaml);
  } catch {
    return null;
  }
  if (typeof spec !== 'object' || spec === null) return null;
  const { code, trial } = spec as { code?: unknown; trial?: unknown };
  if (typeof code === 'string' && code.trim() !== '') return code;
  if (typeof trial === 'object' && trial !== null) {
    const trialCode = (trial as { code?: unknown }).code;
    if (typeof trialCode === 'string' && trialCode.trim() !== '') return trialCode;
  }
  return null;
}
