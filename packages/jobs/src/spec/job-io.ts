import { got } from '@cairn/core';
import { z } from 'zod';
import { tryParseInputPath } from './asset-ref.js';
import { checkedString, identifierKey, nonEmptyString, versionString } from './schema-helpers.js';

export const ASSET_INPUT_TYPES = [
  'uri_file',
  'uri_folder',
  'mltable',
  'mlflow_model',
  'custom_model',
] as const;
export const LITERAL_INPUT_TYPES = ['integer', 'number', 'string', 'boolean'] as const;
export const INPUT_MODES = ['ro_mount', 'download', 'direct', 'eval_mount', 'eval_download'] as const;
export const OUTPUT_TYPES = ASSET_INPUT_TYPES;
export const OUTPUT_MODES = ['rw_mount', 'upload'] as const;

export type LiteralValue = string | number | boolean;
type LiteralType = (typeof LITERAL_INPUT_TYPES)[number];

const isLiteralType = (type: string | undefined): type is LiteralType =>
  (LITERAL_INPUT_TYPES as readonly string[]).includes(type ?? '');

const matchesLiteralType = (type: LiteralType, value: unknown): boolean =>
  type === 'integer'
    ? Number.isInteger(value)
    : type === 'number'
      ? typeof value === 'number'
      : typeof value === type;

const inputObjectSchema = z
  .strictObject({
    /** Defaults to `uri_folder`, as in Azure ML. */
    type: z.enum([...ASSET_INPUT_TYPES, ...LITERAL_INPUT_TYPES]).optional(),
    path: checkedString(tryParseInputPath).optional(),
    mode: z.enum(INPUT_MODES).optional(),
    optional: z.boolean().optional(),
    default: z
      .union([z.string(), z.number(), z.boolean()], {
        error: (iss) => `expected a number, string or true/false${got(iss.input)}`,
      })
      .optional(),
    description: z.string().optional(),
  })
  .superRefine((input, ctx) => {
    const add = (path: string, message: string, value: unknown) =>
      ctx.addIssue({ code: 'custom', path: [path], message, input: value });
    if (isLiteralType(input.type)) {
      if (input.path !== undefined) {
        add(
          'path',
          `${input.type === 'integer' ? 'an' : 'a'} ${input.type} input takes a value in default, not a path`,
          input.path,
        );
      }
      if (input.mode !== undefined) add('mode', `${input.type} inputs have no mode`, input.mode);
      if (input.default !== undefined && !matchesLiteralType(input.type, input.default)) {
        add(
          'default',
          `expected ${input.type === 'integer' ? 'an integer' : `a ${input.type}`}${got(input.default)}`,
          input.default,
        );
      }
    } else {
      const type = input.type ?? 'uri_folder';
      if (input.default !== undefined) {
        add(
          'default',
          `a ${type} input takes a path, not a default (for a literal input set type: number, integer, string or boolean)`,
          input.default,
        );
      }
      if ((input.mode === 'eval_mount' || input.mode === 'eval_download') && type !== 'mltable') {
        add('mode', `mode ${input.mode} applies only to mltable inputs`, input.mode);
      }
    }
  });

/** A job input: a literal (`C: 0.8`), or `{type, path, mode, optional, default, description}`. */
export const jobInputSchema = z.union([z.number(), z.boolean(), z.string(), inputObjectSchema], {
  error: (iss) =>
    iss.input === null
      ? 'has no value: give a number, string or true/false, or {type, path}'
      : `expected a number, string, true/false or {type, path, mode}${got(iss.input)}`,
});

export const jobInputsSchema = z.record(identifierKey('input'), jobInputSchema);

/** A job output; an empty one (`model:`) is a `uri_folder` at a path Cairn chooses. */
export const jobOutputSchema = z.union(
  [
    z.null(),
    z.strictObject({
      type: z.enum(OUTPUT_TYPES).optional(),
      mode: z.enum(OUTPUT_MODES).optional(),
      path: nonEmptyString.optional(),
      /** Register the output as a data/model asset with this name (and version). */
      name: nonEmptyString.optional(),
      version: versionString.optional(),
      description: z.string().optional(),
    }),
  ],
  { error: (iss) => `expected {type, mode, path} or nothing${got(iss.input)}` },
);

export const jobOutputsSchema = z.record(identifierKey('output'), jobOutputSchema);

export type JobInput = z.output<typeof jobInputSchema>;
export type JobInputObject = z.output<typeof inputObjectSchema>;
export type JobOutput = z.output<typeof jobOutputSchema>;

/**
 * The value an input has in the YAML before the job runs: the literal, an object's `default`, or
 * an asset input's `path`; undefined when none is given.
 */
export function declaredInputValue(input: JobInput): LiteralValue | undefined {
  if (typeof input !== 'object') return input;
  return isLiteralType(input.type) ? input.default : input.path;
}

/** True when the input may be left without a value (`optional: true`). */
export const isOptionalInput = (input: JobInput): boolean =>
  typeof input === 'object' && input.optional === true;
