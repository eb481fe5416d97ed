/**
 * Reading a job's stored spec (Azure ML v2 field names, as the server validated it) for the job page
 * and the rerun form: its inputs and outputs with links to data versions, its environment in words, and
 * the `set` overrides a rerun with edited inputs sends.
 */

export interface DataVersionRef {
  name: string;
  /** A version, or `latest`. */
  version: string;
}

export type InputKind = 'literal' | 'data' | 'uri' | 'path';

export interface InputView {
  name: string;
  kind: InputKind;
  /** The value as the user would write it in `--set inputs.<name>=…` (empty when none is given). */
  value: string;
  /** The declared type (`uri_folder`, `number`, …), when the input is an object. */
  type: string | null;
  mode: string | null;
  /** For a data asset input: the version to link to. */
  data: DataVersionRef | null;
}

const LITERAL_TYPES = new Set(['integer', 'number', 'string', 'boolean']);

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** `azureml:name:version`, `azureml:name@latest` (the `azureml://` URI forms are datastore paths, not assets). */
export function dataRef(path: string): DataVersionRef | null {
  if (!path.startsWith('azureml:') || path.startsWith('azureml://')) return null;
  const ref = path.slice('azureml:'.length);
  const at = ref.lastIndexOf('@');
  if (at > 0) return { name: ref.slice(0, at), version: ref.slice(at + 1) };
  const colon = ref.lastIndexOf(':');
  if (colon > 0) return { name: ref.slice(0, colon), version: ref.slice(colon + 1) };
  return null;
}

/** The studio page of a data version. */
export const dataVersionHref = (ref: DataVersionRef): string =>
  `/data/${encodeURIComponent(ref.name)}/${encodeURIComponent(ref.version)}`;

const literalText = (v: unknown): string => (v === undefined || v === null ? '' : String(v));

/** The spec's inputs, in the order written. */
export function specInputs(spec: Record<string, unknown>): InputView[] {
  const inputs = isRecord(spec.inputs) ? spec.inputs : {};
  return Object.entries(inputs).map(([name, input]): InputView => {
    if (!isRecord(input)) {
      return { name, kind: 'literal', value: literalText(input), type: null, mode: null, data: null };
    }
    const type = typeof input.type === 'string' ? input.type : null;
    const mode = typeof input.mode === 'string' ? input.mode : null;
    if (type !== null && LITERAL_TYPES.has(type)) {
      return { name, kind: 'literal', value: literalText(input.default), type, mode, data: null };
    }
    const path = typeof input.path === 'string' ? input.path : '';
    const data = dataRef(path);
    const kind: InputKind = data ? 'data' : /^[a-z][a-z0-9+.-]*:\/\//i.test(path) ? 'uri' : 'path';
    return { name, kind, value: path, type: type ?? 'uri_folder', mode, data };
  });
}

export interface OutputView {
  name: string;
  type: string;
  /** Registered as this data asset when the job ends (`name`, `version` on the output). */
  registersAs: DataVersionRef | null;
}

export function specOutputs(spec: Record<string, unknown>): OutputView[] {
  const outputs = isRecord(spec.outputs) ? spec.outputs : {};
  return Object.entries(outputs).map(([name, output]) => {
    const o = isRecord(output) ? output : {};
    return {
      name,
      type: typeof o.type === 'string' ? o.type : 'uri_folder',
      registersAs:
        typeof o.name === 'string'
          ? { name: o.name, version: typeof o.version === 'string' ? o.version : 'latest' }
          : null,
    };
  });
}

/** The environment in a few words: a registered reference as written, or what an inline one holds. */
export function describeEnvironment(environment: unknown): string {
  if (environment === undefined || environment === null) return 'none (the server’s own Python)';
  if (typeof environment === 'string') return environment;
  if (!isRecord(environment)) return String(environment);
  const parts: string[] = [];
  if (typeof environment.image === 'string') parts.push(`image ${environment.image}`);
  if (Array.isArray(environment.pip)) parts.push(`${environment.pip.length} pip requirement(s)`);
  if (typeof environment.conda_file === 'string') parts.push(`conda file ${environment.conda_file}`);
  if (typeof environment.python === 'string') parts.push(`python ${environment.python}`);
  return parts.length > 0 ? `inline: ${parts.join(', ')}` : 'inline';
}

/** A sweep job's command lives in its trial. */
export function specCommand(spec: Record<string, unknown>): string {
  if (typeof spec.command === 'string') return spec.command;
  if (isRecord(spec.trial) && typeof spec.trial.command === 'string') return spec.trial.command;
  return '';
}

/**
 * The `set` overrides for a rerun: one `inputs.<name>=<value>` per input whose value was changed, then
 * the extra lines the user typed (`path=value`, blank lines skipped). A line without `=` is an error.
 */
export function rerunOverrides(
  inputs: readonly InputView[],
  edited: Readonly<Record<string, string>>,
  extra = '',
): { type: 'success'; set: string[] } | { type: 'error'; reason: string } {
  const set: string[] = [];
  for (const input of inputs) {
    const value = edited[input.name];
    if (value !== undefined && value !== input.value) set.push(`inputs.${input.name}=${value}`);
  }
  const lines = extra.split('\n').map((l) => l.trim());
  for (const [i, line] of lines.entries()) {
    if (line === '') continue;
    const eq = line.indexOf('=');
    if (eq <= 0) {
      return {
        type: 'error',
        reason: `Line ${i + 1} of the other changes ('${line}') is not path=value, e.g. limits.timeout=1h`,
      };
    }
    set.push(line);
  }
  return { type: 'success', set };
}

const SEARCH_SPACE_PLACEHOLDER = /\$\{\{\s*search_space\.([A-Za-z0-9_.]+)\s*\}\}/g;

/**
 * The inputs a rerun can change: the spec's inputs, and for a sweep trial the values drawn for it,
 * which the server turns into inputs of the same names (dots as `_`) when it reruns the trial.
 */
export function rerunInputs(spec: Record<string, unknown>): InputView[] {
  const inputs = specInputs(spec);
  if (!isRecord(spec.trial_params) || typeof spec.command !== 'string') return inputs;
  const drawn: Record<string, string> = {};
  const flatten = (value: unknown, name: string) => {
    if (isRecord(value)) for (const [k, v] of Object.entries(value)) flatten(v, name ? `${name}.${k}` : k);
    else drawn[name] = literalText(value);
  };
  flatten(spec.trial_params, '');
  const seen = new Set(inputs.map((i) => i.name));
  for (const [, param] of spec.command.matchAll(SEARCH_SPACE_PLACEHOLDER)) {
    const name = param!.replace(/\W/g, '_');
    if (seen.has(name) || drawn[param!] === undefined) continue;
    seen.add(name);
    inputs.push({ name, kind: 'literal', value: drawn[param!]!, type: null, mode: null, data: null });
  }
  return inputs;
}
