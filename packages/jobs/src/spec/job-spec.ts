import { readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import {
  describeValue,
  didYouMean,
  invalidArgument,
  type SourcePosition,
  type SpecIssue,
  type SpecLocator,
  specError,
  validateWith,
  YamlSource,
} from '@cairn/core';
import { parse as parseYaml, stringify } from 'yaml';
import type { z } from 'zod';
import { type CommandJobSpec, commandJobSchema } from './command-job.js';
import { type ComputeSpec, computeSpecSchema } from './compute.js';
import { type EnvironmentSpec, environmentSpecSchema } from './environment.js';
import { declaredInputValue, isOptionalInput } from './job-io.js';
import { checkPlaceholders, findPlaceholders } from './placeholders.js';
import { type SweepJobSpec, sweepJobSchema } from './sweep-job.js';

export type JobSpec = CommandJobSpec | SweepJobSpec;
export type JobType = JobSpec['type'];

/** A validated spec and the YAML it came from (for positions in later errors). */
export interface ParsedSpec<T> {
  spec: T;
  source: YamlSource;
}

const JOB_TYPES = ['command', 'sweep'];

const schemaFor = (type: JobType) => (type === 'sweep' ? sweepJobSchema : commandJobSchema);

const commandPath = (spec: JobSpec): string[] => (spec.type === 'sweep' ? ['trial', 'command'] : ['command']);
const commandOf = (spec: JobSpec): string => (spec.type === 'sweep' ? spec.trial.command : spec.command);

const isMapping = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function requireMapping(source: YamlSource, what: string): Record<string, unknown> {
  if (isMapping(source.value)) return source.value;
  throw specError(source.file, [
    {
      field: '',
      message: `expected a mapping of ${what} fields, got ${describeValue(source.value)}`,
      line: 1,
      column: 1,
    },
  ]);
}

/** Placeholders naming nothing declared, located in the command as written. */
function placeholderIssues(
  spec: JobSpec,
  locator: SpecLocator & Partial<Pick<YamlSource, 'locateText'>>,
): SpecIssue[] {
  const path = commandPath(spec);
  const problems = checkPlaceholders(commandOf(spec), {
    inputs: Object.keys(spec.inputs ?? {}),
    outputs: Object.keys(spec.outputs ?? {}),
    ...(spec.type === 'sweep' ? { searchSpace: Object.keys(spec.search_space) } : {}),
  });
  return problems.map((p) => ({
    field: path.join('.'),
    message: p.message,
    ...(locator.locateText?.(path, p.needle, p.occurrence) ?? locator.locate(path)),
  }));
}

function jobSchemaFor(source: YamlSource, value: Record<string, unknown>) {
  const type = value.type ?? 'command';
  if (type === 'command' || type === 'sweep') return schemaFor(type);
  const message =
    type === 'pipeline'
      ? 'pipeline jobs are not supported yet; submit each step as a command job'
      : `expected "command" or "sweep", got ${describeValue(type)}${typeof type === 'string' ? didYouMean(type, JOB_TYPES) : ''}`;
  throw specError(source.file, [{ field: 'type', message, ...source.locate(['type']) }]);
}

/**
 * Parses and validates a job (`type: command`, the default, or `type: sweep`). Every problem is
 * reported at once with its file, line and field, including placeholders that name no input.
 */
export function parseJobSpec(text: string, file = 'job.yml'): ParsedSpec<JobSpec> {
  const source = YamlSource.parse(text, file);
  const value = requireMapping(source, 'job');
  const spec: JobSpec = validateWith(jobSchemaFor(source, value), value, source);
  const issues = placeholderIssues(spec, source);
  if (issues.length > 0) throw specError(file, issues);
  return { spec, source };
}

/**
 * Inputs that have no value: required ones with neither path nor default, and optional ones the
 * command uses outside a `$[[ ... ]]` segment. Run after `--set` overrides.
 */
export function assertInputsProvided(spec: JobSpec, locator?: SpecLocator): void {
  const usedBare = new Set(
    findPlaceholders(commandOf(spec))
      .filter((p) => p.namespace === 'inputs' && !p.optional)
      .map((p) => p.name),
  );
  const issues: SpecIssue[] = [];
  for (const [name, input] of Object.entries(spec.inputs ?? {})) {
    if (declaredInputValue(input) !== undefined) continue;
    const what =
      typeof input === 'object' && input.type !== undefined && !input.type.startsWith('uri')
        ? input.type
        : 'path';
    const fix = `give it a ${what === 'path' ? 'path' : 'default'} in the YAML or pass --set inputs.${name}=...`;
    if (!isOptionalInput(input)) {
      issues.push({
        field: `inputs.${name}`,
        message: `required input has no value: ${fix}`,
        ...position(locator, name),
      });
    } else if (usedBare.has(name)) {
      issues.push({
        field: `inputs.${name}`,
        message: `optional input has no value but the command uses it outside $[[ ... ]]: wrap that argument in $[[ ... ]] or ${fix}`,
        ...position(locator, name),
      });
    }
  }
  if (issues.length > 0) throw specError(locator?.file ?? 'job', issues, locator?.label?.bind(locator));
}

const position = (locator: SpecLocator | undefined, name: string): SourcePosition =>
  locator?.locate(['inputs', name]) ?? { line: 1, column: 1 };

/** Issues in `--set` arguments point at the argument: `--set limits.timeout=abc: ...`. */
class OverrideLocator implements SpecLocator {
  readonly file = '--set';
  constructor(
    private readonly sets: readonly string[],
    private readonly paths: readonly string[][],
  ) {}

  locate(path: readonly PropertyKey[]): SourcePosition {
    const field = path.map(String);
    const index = this.paths.findIndex((p) => p.every((s, i) => field[i] === undefined || field[i] === s));
    return { line: index + 1, column: 1 };
  }

  label(position: SourcePosition): string {
    return position.line > 0 ? `--set ${this.sets[position.line - 1]}` : '--set';
  }
}

const overrideError = (set: string, message: string, field?: string) =>
  invalidArgument(`--set ${set}: ${message}`, { ...(field === undefined ? {} : { field }), file: '--set' });

function setOverride(target: Record<string, unknown>, path: string[], value: unknown, set: string): void {
  const [head, name] = path;
  const declared = (key: 'inputs' | 'outputs' | 'search_space') => {
    const names = Object.keys(isMapping(target[key]) ? target[key] : {});
    if (name !== undefined && !names.includes(name)) {
      throw overrideError(
        set,
        `the job declares no ${key === 'search_space' ? 'hyperparameter' : key.slice(0, -1)} "${name}"${didYouMean(name, names)}${names.length > 0 ? ` (declared: ${names.join(', ')})` : ''}`,
        path.join('.'),
      );
    }
  };
  if (head === 'inputs' || head === 'outputs' || head === 'search_space') declared(head);
  if (head === 'inputs' && name !== undefined && path.length === 2) {
    const inputs = target.inputs as Record<string, unknown>;
    const current = inputs[name];
    if (isMapping(current)) {
      // `--set inputs.C=0.5` on `{type: number, default: 0.8}` sets the default; on a data input, the path.
      const literal = ['integer', 'number', 'string', 'boolean'].includes(String(current.type));
      inputs[name] = { ...current, [literal ? 'default' : 'path']: value };
      return;
    }
  }
  let node: Record<string, unknown> | unknown[] = target;
  for (let i = 0; i < path.length - 1; i++) {
    const key = path[i]!;
    const next: unknown = Array.isArray(node) ? node[Number(key)] : node[key];
    if (next === undefined || next === null) {
      const created = {};
      if (Array.isArray(node)) node[Number(key)] = created;
      else node[key] = created;
      node = created;
    } else if (typeof next === 'object') {
      node = next as Record<string, unknown> | unknown[];
    } else {
      throw overrideError(
        set,
        `${path.slice(0, i + 1).join('.')} is ${describeValue(next)}, not a mapping`,
        path.join('.'),
      );
    }
  }
  const last = path[path.length - 1]!;
  if (Array.isArray(node)) node[Number(last)] = value;
  else node[last] = value;
}

const parseOverrideValue = (text: string): unknown => {
  try {
    return parseYaml(text);
  } catch {
    return text;
  }
};

/**
 * The CLI's `--set path=value` (`inputs.C=0.5`, `limits.timeout=60`, `compute=gpu`): values are read
 * as YAML (`0.5` a number, `true` a boolean, `[1, 2]` a list), and the result is validated again, so
 * a path the schema does not know is rejected. Returns a new spec.
 */
export function applyOverrides<T extends JobSpec>(spec: T, sets: readonly string[]): T {
  const next = structuredClone(spec) as Record<string, unknown>;
  const paths: string[][] = [];
  for (const set of sets) {
    const eq = set.indexOf('=');
    const key = eq < 0 ? '' : set.slice(0, eq).trim();
    const path = key.split('.');
    if (eq < 0 || path.some((s) => s === '')) {
      throw overrideError(set, 'expected path=value, e.g. --set inputs.C=0.5 or --set limits.timeout=1h');
    }
    if (path[0] === 'type') throw overrideError(set, 'the job type cannot be changed with --set', 'type');
    setOverride(next, path, parseOverrideValue(set.slice(eq + 1)), set);
    paths.push(path);
  }
  const locator = new OverrideLocator(sets, paths);
  const result = validateWith(schemaFor(spec.type), next, locator) as T;
  const issues = placeholderIssues(result, locator);
  if (issues.length > 0) throw specError(locator.file, issues, (p) => locator.label(p));
  return result;
}

export interface LoadJobOptions {
  /** `--set` overrides, applied after validation; required inputs are then checked. */
  set?: readonly string[];
}

/** A job YAML file with its folder (`code`, `conda_file` and local input paths are relative to it). */
export interface LoadedJobSpec extends ParsedSpec<JobSpec> {
  dir: string;
}

/**
 * Reads, validates and completes a job file: overrides applied, and every required input checked
 * to have a value.
 */
export async function loadJobSpec(path: string, options: LoadJobOptions = {}): Promise<LoadedJobSpec> {
  const parsed = parseJobSpec(await readSpecFile(path), path);
  const spec =
    options.set === undefined || options.set.length === 0
      ? parsed.spec
      : applyOverrides(parsed.spec, options.set);
  assertInputsProvided(spec, parsed.source);
  return { spec, source: parsed.source, dir: dirname(path) };
}

async function readSpecFile(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw invalidArgument(
      code === 'ENOENT' ? `${path}: no such file` : `${path}: cannot be read (${code ?? String(err)})`,
      { file: path },
    );
  }
}

function parseWith<S extends z.ZodType>(
  schema: S,
  what: string,
  text: string,
  file: string,
): ParsedSpec<z.output<S>> {
  const source = YamlSource.parse(text, file);
  const value = requireMapping(source, what);
  return { spec: validateWith(schema, value, source), source };
}

/** An environment YAML (`name`, `version`, and one of `image`, `build`, `conda_file`, `pip`). */
export const parseEnvironmentSpec = (text: string, file = 'environment.yml'): ParsedSpec<EnvironmentSpec> =>
  parseWith(environmentSpecSchema, 'environment', text, file);

/** A compute YAML (`name`, `type: local | slurm | ray | kubernetes`, and the type's settings). */
export const parseComputeSpec = (text: string, file = 'compute.yml'): ParsedSpec<ComputeSpec> =>
  parseWith(computeSpecSchema, 'compute', text, file);

export const loadEnvironmentSpec = async (path: string) =>
  parseEnvironmentSpec(await readSpecFile(path), path);
export const loadComputeSpec = async (path: string) => parseComputeSpec(await readSpecFile(path), path);

/** YAML text for a spec; parsing it again gives an equal spec. */
export const specToYaml = (spec: JobSpec | EnvironmentSpec | ComputeSpec): string =>
  stringify(spec, { lineWidth: 0 });
