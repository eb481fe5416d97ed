import type { z } from 'zod';
import { didYouMean } from './did-you-mean.js';

/** `"rbf"`, `12`, `a list`, `a mapping`: how a value the user wrote is named in a message. */
export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') {
    const shown = value.length > 60 ? `${value.slice(0, 57)}...` : value;
    return JSON.stringify(shown);
  }
  return String(value);
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

export const got = (value: unknown): string => `, got ${describeValue(value)}`;

const EXPECTED: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  int: 'an integer',
  boolean: 'true or false',
  object: 'a mapping',
  record: 'a mapping',
  array: 'a list',
  null: 'nothing',
};

const bound = (origin: string, op: string, limit: number | bigint): string => {
  if (origin === 'array')
    return `expected a list with ${op === '>=' ? 'at least' : 'at most'} ${limit} item(s)`;
  if (origin === 'string') {
    return limit === 1 && op === '>='
      ? 'must not be empty'
      : `expected a string of ${op} ${limit} characters`;
  }
  return `expected ${origin === 'int' ? 'an integer' : 'a number'} ${op} ${limit}`;
};

/** The key names an object schema declares, for a "did you mean" on an unknown key. */
function declaredKeys(inst: unknown): string[] {
  const def = (inst as { _zod?: { def?: { shape?: Record<string, unknown> } } } | undefined)?._zod?.def;
  return def?.shape === undefined ? [] : Object.keys(def.shape);
}

/**
 * Messages for zod's built-in issues, in the words a YAML author needs. Passed per parse, so a
 * schema's own `error` still wins. An `unrecognized_keys` issue gets one line per key, in key order;
 * `flattenIssues` splits them back apart so each unknown key is reported at its own line.
 */
export const specErrorMap: z.core.$ZodErrorMap = (issue) => {
  const input = issue.input;
  switch (issue.code) {
    case 'invalid_type':
      if (input === undefined) return 'is required';
      return `expected ${EXPECTED[issue.expected] ?? issue.expected}${got(input)}`;
    case 'invalid_value': {
      const values = issue.values.map((v) => JSON.stringify(v));
      if (input === undefined) return `is required: one of ${values.join(', ')}`;
      const hint =
        typeof input === 'string'
          ? didYouMean(
              input,
              issue.values.filter((v): v is string => typeof v === 'string'),
            )
          : '';
      return `expected ${values.length === 1 ? values[0] : `one of ${values.join(', ')}`}${got(input)}${hint}`;
    }
    case 'too_small':
      return `${bound(issue.origin, issue.inclusive === false ? '>' : '>=', issue.minimum)}${got(input)}`;
    case 'too_big':
      return `${bound(issue.origin, issue.inclusive === false ? '<' : '<=', issue.maximum)}${got(input)}`;
    case 'unrecognized_keys': {
      const known = declaredKeys(issue.inst);
      return issue.keys
        .map((key) => `unknown field "${key}"${didYouMean(key, known)}; remove it or fix its name`)
        .join('\n');
    }
    case 'invalid_union':
      if (input === undefined) return 'is required';
      if (issue.discriminator !== undefined && Array.isArray(issue.options)) {
        const options: unknown[] = issue.options;
        const listed = options.map((o) => JSON.stringify(o)).join(', ');
        const value = isRecord(input) ? input[issue.discriminator] : input;
        if (value === undefined) return `is required: one of ${listed}`;
        const names = options.filter((o): o is string => typeof o === 'string');
        const hint = typeof value === 'string' ? didYouMean(value, names) : '';
        return `expected one of ${listed}${got(value)}${hint}`;
      }
      return `has an unsupported form${got(input)}`;
    case 'invalid_format':
      return `is not a valid ${issue.format}${got(input)}`;
    case 'not_multiple_of':
      return `expected a multiple of ${issue.divisor}${got(input)}`;
    default:
      return undefined;
  }
};

export interface FlatIssue {
  path: PropertyKey[];
  message: string;
  /** Report the position of the key itself (an unknown key) rather than its value. */
  atKey: boolean;
}

/** Was this union branch the shape the user meant (it failed deeper than its root)? */
const matchedShape = (issues: readonly z.core.$ZodIssue[]): boolean =>
  issues.every(
    (i) =>
      i.path.length > 0 ||
      !(i.code === 'invalid_type' || i.code === 'invalid_value' || i.code === 'invalid_union'),
  );

/**
 * One issue per problem the user must fix: unknown keys split per key, and a failed union replaced by
 * the issues of the branch whose shape the value matched (a mapping with a wrong field inside),
 * so the message points at the field rather than at the whole union.
 */
export function flattenIssues(issues: readonly z.core.$ZodIssue[], base: PropertyKey[] = []): FlatIssue[] {
  const out: FlatIssue[] = [];
  for (const issue of issues) {
    const path = [...base, ...issue.path];
    if (issue.code === 'unrecognized_keys') {
      const lines = issue.message.split('\n');
      issue.keys.forEach((key, i) => {
        out.push({ path: [...path, key], message: lines[i] ?? `unknown field "${key}"`, atKey: true });
      });
    } else if (issue.code === 'invalid_key') {
      out.push({ path, message: issue.issues.map((i) => i.message).join('; '), atKey: true });
    } else if (issue.code === 'invalid_union' && issue.errors.length > 0) {
      const candidates = issue.errors.filter(matchedShape).sort((a, b) => a.length - b.length);
      if (candidates.length > 0) out.push(...flattenIssues(candidates[0]!, path));
      else out.push({ path, message: issue.message, atKey: false });
    } else {
      out.push({ path, message: issue.message, atKey: false });
    }
  }
  return out;
}

/** `inputs.C.path`, `search_space.x.values[2]`. */
export const formatPath = (path: readonly PropertyKey[]): string =>
  path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? String(p) : `.${String(p)}`)).join('');
