import { parseDuration, specError, validateWith, YamlSource } from '@cairn/core';
import { z } from 'zod';
import { DATA_TYPES } from './data-records.js';

/**
 * A data asset as written in YAML, per Azure ML's data schema (`name`, `version`, `type`, `path`,
 * `description`, `tags`), plus Cairn's `refresh_interval` (watch the source: `1h`, `30m`, seconds).
 * `path` is a local file or folder (uploaded by the CLI), a datastore URI or an http(s) URL.
 */
const dataSpecSchema = z.strictObject({
  $schema: z.string().optional(),
  name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,254}$/, "use letters, digits, '.', '_' and '-'"),
  version: z.union([z.string(), z.number()]).transform(String).optional(),
  type: z.enum(DATA_TYPES).default('uri_folder'),
  path: z.string().min(1),
  description: z.string().optional(),
  tags: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()]).transform(String)).optional(),
  refresh_interval: z
    .union([z.string(), z.number()])
    .transform((value, ctx) => {
      const seconds = parseDuration(value);
      if (seconds === undefined) {
        ctx.addIssue({
          code: 'custom',
          message: 'expected a duration such as 1h, 30m or 600 (seconds)',
          input: value,
        });
        return z.NEVER;
      }
      return seconds;
    })
    .optional(),
});

export type DataSpec = z.output<typeof dataSpecSchema>;

/** Reads a data asset YAML; problems are reported together as `file:line:column: field: message`. */
export function parseDataYaml(text: string, file: string): DataSpec {
  const source = YamlSource.parse(text, file);
  const value = source.value;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw specError(file, [
      {
        field: '',
        message: 'expected a mapping of data asset fields (name, type, path, …)',
        line: 1,
        column: 1,
      },
    ]);
  }
  return validateWith(dataSpecSchema, value, source);
}
