import { invalidArgument } from '@cairn/core';
import type { z } from 'zod';

export type InputPart = 'params' | 'query' | 'body';

/** `metrics[3].value` from zod's path segments. */
export const formatPath = (path: readonly PropertyKey[]): string =>
  path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? String(p) : `.${String(p)}`)).join('');

/**
 * Parses one part of a request with its schema. The first problem becomes INVALID_ARGUMENT whose
 * `details.field` is the path of the offending field (`metrics[3].value`), and whose message says
 * what was expected there.
 */
export function parseInput<S extends z.ZodType>(schema: S, value: unknown, part: InputPart): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  if (issue.code === 'unrecognized_keys') {
    const base = formatPath(issue.path);
    const field = base === '' ? issue.keys[0]! : `${base}.${issue.keys[0]!}`;
    throw invalidArgument(
      `Invalid ${part}: unknown field(s) ${issue.keys.map((k) => `'${base === '' ? k : `${base}.${k}`}'`).join(', ')}; remove them (see GET /api/v1/openapi.json for the accepted fields)`,
      { field },
    );
  }
  const field = issue.path.length === 0 ? part : formatPath(issue.path);
  throw invalidArgument(`Invalid ${part}: '${field}' ${lowerFirst(issue.message)}`, { field });
}

const lowerFirst = (s: string) => (s.length > 0 ? s[0]!.toLowerCase() + s.slice(1) : s);
