/**
 * Azure ML sweep search-space expressions, with Azure's (hyperopt's) sampling semantics:
 *
 * - `choice(values)`: one of `values`, uniformly. A value may be a number, string, boolean or a nested
 *   search space (an object whose entries are literals or expressions), which gives conditional spaces.
 * - `randint(upper)`: an integer in [0, upper).
 * - `uniform(min, max)`; `loguniform(min, max)` = exp(uniform(min, max)), so its bounds are in log space.
 * - `normal(mu, sigma)`; `lognormal(mu, sigma)` = exp(normal(mu, sigma)).
 * - the `q` variants round the draw: round(x / q) * q.
 *
 * Every value is drawn through a number u in [0, 1) (inverse-CDF), so the same code serves the random
 * and Sobol rules, and through an "internal" coordinate (log space for log variants) that the TPE
 * sampler models.
 */
import { invalidArgument } from '@cairn/core';
import { inverseNormalCdf } from './gaussian.js';

export type Literal = number | string | boolean;

export interface NestedSearchSpace {
  readonly [key: string]: SearchExpression | Literal;
}

export type ChoiceValue = Literal | NestedSearchSpace;

export interface ChoiceExpression {
  readonly type: 'choice';
  readonly values: readonly ChoiceValue[];
}
export interface RandintExpression {
  readonly type: 'randint';
  readonly upper: number;
}
export interface UniformExpression {
  readonly type: 'uniform' | 'loguniform';
  readonly min_value: number;
  readonly max_value: number;
}
export interface QUniformExpression {
  readonly type: 'quniform' | 'qloguniform';
  readonly min_value: number;
  readonly max_value: number;
  readonly q: number;
}
export interface NormalExpression {
  readonly type: 'normal' | 'lognormal';
  readonly mu: number;
  readonly sigma: number;
}
export interface QNormalExpression {
  readonly type: 'qnormal' | 'qlognormal';
  readonly mu: number;
  readonly sigma: number;
  readonly q: number;
}

export type NumericExpression =
  | RandintExpression
  | UniformExpression
  | QUniformExpression
  | NormalExpression
  | QNormalExpression;
export type SearchExpression = ChoiceExpression | NumericExpression;
export type SearchExpressionType = SearchExpression['type'];

export type SearchSpace = Readonly<Record<string, SearchExpression>>;

/** A sampled value: a literal, or for a nested choice branch, the branch with its entries sampled. */
export type ParamValue = Literal | { readonly [key: string]: ParamValue };
export type Params = Record<string, ParamValue>;

export const SEARCH_EXPRESSION_TYPES: readonly SearchExpressionType[] = [
  'choice',
  'randint',
  'uniform',
  'loguniform',
  'quniform',
  'qloguniform',
  'normal',
  'lognormal',
  'qnormal',
  'qlognormal',
];

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

export const isSearchExpression = (v: unknown): v is SearchExpression =>
  isRecord(v) &&
  typeof v.type === 'string' &&
  (SEARCH_EXPRESSION_TYPES as readonly string[]).includes(v.type);

export const isNestedSpace = (v: ChoiceValue): v is NestedSearchSpace => typeof v === 'object' && v !== null;

export const isParamObject = (v: ParamValue): v is { readonly [key: string]: ParamValue } =>
  typeof v === 'object' && v !== null;

/** Keys in a stable order, so sampling does not depend on how a stored spec ordered its keys. */
export const sortedKeys = (obj: object): string[] => Object.keys(obj).sort();

// ---------------------------------------------------------------------------------------------------
// Validation

function requireFinite(expr: Record<string, unknown>, key: string, field: string): number {
  const v = expr[key];
  if (typeof v !== 'number' || !Number.isFinite(v)) {
    throw invalidArgument(`${field}.${key} must be a finite number (got ${JSON.stringify(v) ?? 'nothing'})`, {
      field: `${field}.${key}`,
    });
  }
  return v;
}

function requirePositive(expr: Record<string, unknown>, key: string, field: string): number {
  const v = requireFinite(expr, key, field);
  if (v <= 0)
    throw invalidArgument(`${field}.${key} must be greater than 0 (got ${v})`, { field: `${field}.${key}` });
  return v;
}

function validateExpression(input: unknown, field: string): SearchExpression {
  if (!isRecord(input) || typeof input.type !== 'string') {
    throw invalidArgument(
      `${field} must be a search expression such as {type: uniform, min_value: 0, max_value: 1}; ` +
        `the type is one of ${SEARCH_EXPRESSION_TYPES.join(', ')}`,
      { field },
    );
  }
  const type = input.type;
  switch (type) {
    case 'choice': {
      const values = input.values;
      if (!Array.isArray(values) || values.length === 0) {
        throw invalidArgument(`${field}.values must be a non-empty list of choices`, {
          field: `${field}.values`,
        });
      }
      return { type, values: values.map((v, i) => validateChoiceValue(v, `${field}.values[${i}]`)) };
    }
    case 'randint': {
      const upper = requireFinite(input, 'upper', field);
      if (!Number.isInteger(upper) || upper < 1) {
        throw invalidArgument(
          `${field}.upper must be an integer of at least 1 (got ${upper}); randint draws from [0, upper)`,
          {
            field: `${field}.upper`,
          },
        );
      }
      return { type, upper };
    }
    case 'uniform':
    case 'loguniform':
    case 'quniform':
    case 'qloguniform': {
      const min_value = requireFinite(input, 'min_value', field);
      const max_value = requireFinite(input, 'max_value', field);
      if (min_value >= max_value) {
        throw invalidArgument(
          `${field}: min_value (${min_value}) must be less than max_value (${max_value})`,
          {
            field: `${field}.min_value`,
          },
        );
      }
      if (type === 'uniform' || type === 'loguniform') return { type, min_value, max_value };
      return { type, min_value, max_value, q: requirePositive(input, 'q', field) };
    }
    case 'normal':
    case 'lognormal':
    case 'qnormal':
    case 'qlognormal': {
      const mu = requireFinite(input, 'mu', field);
      const sigma = requirePositive(input, 'sigma', field);
      if (type === 'normal' || type === 'lognormal') return { type, mu, sigma };
      return { type, mu, sigma, q: requirePositive(input, 'q', field) };
    }
    default:
      throw invalidArgument(
        `${field}.type ${JSON.stringify(type)} is not a search expression; use one of ${SEARCH_EXPRESSION_TYPES.join(', ')}`,
        { field: `${field}.type` },
      );
  }
}

function validateChoiceValue(v: unknown, field: string): ChoiceValue {
  if (typeof v === 'string' || typeof v === 'boolean') return v;
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw invalidArgument(`${field} must be a finite number`, { field });
    return v;
  }
  if (isRecord(v)) {
    if ('type' in v && typeof v.type === 'string') {
      throw invalidArgument(
        `${field} is an expression; a choice value must be a literal or a nested search space (an object of named entries)`,
        { field },
      );
    }
    const nested: Record<string, SearchExpression | Literal> = {};
    for (const key of Object.keys(v)) {
      const entry = v[key];
      if (
        typeof entry === 'string' ||
        typeof entry === 'boolean' ||
        (typeof entry === 'number' && Number.isFinite(entry))
      ) {
        nested[key] = entry;
      } else {
        nested[key] = validateExpression(entry, `${field}.${key}`);
      }
    }
    return nested;
  }
  throw invalidArgument(
    `${field} must be a number, string, boolean or nested search space (got ${JSON.stringify(v)})`,
    {
      field,
    },
  );
}

/** Checks a search space as written by a user; errors name the field, e.g. `search_space.lr.min_value`. */
export function validateSearchSpace(input: unknown, field = 'search_space'): SearchSpace {
  if (!isRecord(input) || Object.keys(input).length === 0) {
    throw invalidArgument(
      `${field} must be a non-empty mapping of hyperparameter names to search expressions`,
      {
        field,
      },
    );
  }
  const space: Record<string, SearchExpression> = {};
  for (const key of Object.keys(input)) space[key] = validateExpression(input[key], `${field}.${key}`);
  return space;
}

// ---------------------------------------------------------------------------------------------------
// Numeric transforms

/** Round to a multiple of q, dropping binary noise (0.30000000000000004 → 0.3). */
export function quantize(x: number, q: number): number {
  return Number((Math.round(x / q) * q).toPrecision(15));
}

const U_EPSILON = 2 ** -53;

/** Maps u ∈ [0, 1) to the expression's internal coordinate (log space for log variants). */
export function unitToInternal(expr: NumericExpression, u: number): number {
  const clamped = Math.min(1 - U_EPSILON, Math.max(U_EPSILON, u));
  switch (expr.type) {
    case 'randint':
      return u * expr.upper;
    case 'uniform':
    case 'loguniform':
    case 'quniform':
    case 'qloguniform':
      return expr.min_value + u * (expr.max_value - expr.min_value);
    case 'normal':
    case 'lognormal':
    case 'qnormal':
    case 'qlognormal':
      return expr.mu + expr.sigma * inverseNormalCdf(clamped);
  }
}

/** Maps an internal coordinate to the value a trial receives. */
export function internalToValue(expr: NumericExpression, z: number): number {
  switch (expr.type) {
    case 'randint':
      return Math.min(expr.upper - 1, Math.max(0, Math.floor(z)));
    case 'uniform':
    case 'normal':
      return z;
    case 'loguniform':
    case 'lognormal':
      return Math.exp(z);
    case 'quniform':
    case 'qnormal':
      return quantize(z, expr.q);
    case 'qloguniform':
    case 'qlognormal':
      return quantize(Math.exp(z), expr.q);
  }
}

/** The inverse of `internalToValue` up to quantisation, clamped into the expression's domain. */
export function valueToInternal(expr: NumericExpression, value: number): number {
  const domain = internalDomain(expr);
  let z: number;
  switch (expr.type) {
    case 'randint':
      z = value + 0.5;
      break;
    case 'uniform':
    case 'normal':
    case 'quniform':
    case 'qnormal':
      z = value;
      break;
    case 'loguniform':
    case 'qloguniform':
    case 'lognormal':
    case 'qlognormal':
      // q-rounding can yield 0, whose log is -∞: place it at the low end of the domain instead.
      z = value > 0 ? Math.log(value) : domain.low;
      break;
  }
  return Math.min(domain.high, Math.max(domain.low, z));
}

export interface InternalDomain {
  /** Bounds of the internal coordinate; infinite for the normal family. */
  readonly low: number;
  readonly high: number;
  /** The prior as a Gaussian in internal space (TPE's prior kernel). */
  readonly priorMu: number;
  readonly priorSigma: number;
}

export function internalDomain(expr: NumericExpression): InternalDomain {
  switch (expr.type) {
    case 'randint':
      return { low: 0, high: expr.upper, priorMu: expr.upper / 2, priorSigma: expr.upper };
    case 'uniform':
    case 'loguniform':
    case 'quniform':
    case 'qloguniform':
      return {
        low: expr.min_value,
        high: expr.max_value,
        priorMu: (expr.min_value + expr.max_value) / 2,
        priorSigma: expr.max_value - expr.min_value,
      };
    case 'normal':
    case 'lognormal':
    case 'qnormal':
    case 'qlognormal': {
      // Lower fallback for a q-rounded 0 in log space: far in the prior's tail, but finite.
      const low = expr.type === 'qlognormal' ? expr.mu - 6 * expr.sigma : Number.NEGATIVE_INFINITY;
      return { low, high: Number.POSITIVE_INFINITY, priorMu: expr.mu, priorSigma: expr.sigma };
    }
  }
}

/** Draws a value for a numeric expression from u ∈ [0, 1). */
export function valueFromUnit(expr: NumericExpression, u: number): number {
  return internalToValue(expr, unitToInternal(expr, u));
}

// ---------------------------------------------------------------------------------------------------
// Walking a (possibly nested) space

/** How a sampler picks each dimension; `path` names the dimension (`model[1].C`). */
export interface DimensionPicker {
  choice(path: string, expr: ChoiceExpression): number;
  numeric(path: string, expr: NumericExpression): number;
}

function resolveEntry(entry: SearchExpression | Literal, path: string, picker: DimensionPicker): ParamValue {
  if (!isSearchExpression(entry)) return entry;
  if (entry.type !== 'choice') return picker.numeric(path, entry);
  const index = picker.choice(path, entry);
  const value = entry.values[index];
  if (!isNestedSpace(value)) return value;
  const branch: Record<string, ParamValue> = {};
  for (const key of sortedKeys(value))
    branch[key] = resolveEntry(value[key], `${path}[${index}].${key}`, picker);
  return branch;
}

/** Samples a whole space, dimension by dimension, in a stable (sorted) order. */
export function resolveSpace(space: SearchSpace, picker: DimensionPicker): Params {
  const params: Params = {};
  for (const key of sortedKeys(space)) params[key] = resolveEntry(space[key], key, picker);
  return params;
}

function literalEquals(
  a: ParamValue | ChoiceValue | undefined,
  b: ParamValue | ChoiceValue | undefined,
): boolean {
  return typeof a !== 'object' && typeof b !== 'object' && a === b;
}

/** Which branch of a choice produced `value`: equal literal, or for nested spaces the same keys and literals. */
export function choiceIndexOf(expr: ChoiceExpression, value: ParamValue): number {
  return expr.values.findIndex((candidate) => {
    if (!isNestedSpace(candidate)) return literalEquals(candidate, value);
    if (!isParamObject(value)) return false;
    const keys = Object.keys(candidate);
    if (keys.length !== Object.keys(value).length) return false;
    return keys.every((key) => {
      if (!(key in value)) return false;
      const entry = candidate[key];
      return isSearchExpression(entry) || literalEquals(entry, value[key]);
    });
  });
}

/**
 * Reads back which point of the space a trial's params are: dimension path → choice index or numeric
 * value. Dimensions of branches the trial did not take, or values that do not fit, are left out.
 */
export function decodeParams(space: SearchSpace, params: Params): Map<string, number> {
  const out = new Map<string, number>();
  const visit = (entry: SearchExpression | Literal, value: ParamValue | undefined, path: string): void => {
    if (value === undefined || !isSearchExpression(entry)) return;
    if (entry.type !== 'choice') {
      if (typeof value === 'number' && Number.isFinite(value)) out.set(path, value);
      return;
    }
    const index = choiceIndexOf(entry, value);
    if (index < 0) return;
    out.set(path, index);
    const branch = entry.values[index];
    if (isNestedSpace(branch) && isParamObject(value)) {
      for (const key of sortedKeys(branch)) visit(branch[key], value[key], `${path}[${index}].${key}`);
    }
  };
  for (const key of sortedKeys(space)) visit(space[key], params[key], key);
  return out;
}

/** Nested branch values flattened to dotted names (`model.C`), e.g. for `${{search_space.model.C}}`. */
export function flattenParams(params: Params): Record<string, Literal> {
  const out: Record<string, Literal> = {};
  const visit = (value: ParamValue, name: string): void => {
    if (!isParamObject(value)) {
      out[name] = value;
      return;
    }
    for (const key of Object.keys(value)) visit(value[key], `${name}.${key}`);
  };
  for (const key of Object.keys(params)) visit(params[key], key);
  return out;
}

/** Every dimension of the space (all branches), in the order `resolveSpace` visits them. */
export function listDimensions(space: SearchSpace): { path: string; expr: SearchExpression }[] {
  const dims: { path: string; expr: SearchExpression }[] = [];
  const visit = (entry: SearchExpression | Literal, path: string): void => {
    if (!isSearchExpression(entry)) return;
    dims.push({ path, expr: entry });
    if (entry.type !== 'choice') return;
    entry.values.forEach((value, index) => {
      if (isNestedSpace(value))
        for (const key of sortedKeys(value)) visit(value[key], `${path}[${index}].${key}`);
    });
  };
  for (const key of sortedKeys(space)) visit(space[key], key);
  return dims;
}
