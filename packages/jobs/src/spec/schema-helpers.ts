import { got, parseDuration, parseSlurmTime } from '@cairn/core';
import { z } from 'zod';
import type { ParseResult } from './asset-ref.js';

/** A string checked by one of the `tryParse…` functions, whose reason becomes the message. */
export const checkedString = <T>(parse: (text: string) => ParseResult<T>) =>
  z.string().superRefine((text, ctx) => {
    const result = parse(text);
    if (result.type === 'error') ctx.addIssue({ code: 'custom', message: result.reason, input: text });
  });

/** A number, string or boolean, kept as a string (`OMP_NUM_THREADS: 1`, `tags: {epochs: 5}`). */
export const scalarString = z
  .union([z.string(), z.number(), z.boolean()], {
    error: (iss) => `expected a string, number or true/false${got(iss.input)}`,
  })
  .transform(String);

export const stringMap = z.record(z.string(), scalarString);

const durationHelp =
  'expected a duration: a positive integer number of seconds, or a string like "30m" or "2h"';

/** A duration in seconds, written as seconds or `30m`, `2h`, `1h30m`, `1d`. */
export const durationSeconds = z
  .union([z.number(), z.string()], { error: (iss) => `${durationHelp}${got(iss.input)}` })
  .transform((value, ctx) => {
    const seconds = parseDuration(value);
    if (seconds !== undefined) return seconds;
    ctx.addIssue({ code: 'custom', message: `${durationHelp}${got(value)}`, input: value });
    return z.NEVER;
  });

const slurmHelp =
  'expected a time limit: seconds, a string like "30m" or "2h", or Slurm\'s "HH:MM:SS" / "D-HH:MM:SS"';

/** A Slurm time limit in seconds; also reads Slurm's own `HH:MM:SS` and `D-HH:MM:SS`. */
export const slurmTimeSeconds = z
  .union([z.number(), z.string()], { error: (iss) => `${slurmHelp}${got(iss.input)}` })
  .transform((value, ctx) => {
    const seconds = parseSlurmTime(value);
    if (seconds !== undefined) return seconds;
    ctx.addIssue({ code: 'custom', message: `${slurmHelp}${got(value)}`, input: value });
    return z.NEVER;
  });

/** A version, which YAML often reads as a number (`version: 1`); kept as a string. */
export const versionString = z
  .union([z.string().min(1), z.number()], { error: (iss) => `expected a version string${got(iss.input)}` })
  .transform(String);

export const positiveInt = z.int().min(1);
export const nonNegativeInt = z.int().min(0);
export const nonEmptyString = z.string().min(1);

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Names usable in `${{inputs.<name>}}`: letters, digits and `_`, not starting with a digit. */
export const identifierKey = (what: string) =>
  z.string().regex(IDENTIFIER, {
    error: (iss) =>
      `${JSON.stringify(iss.input)} is not a valid ${what} name: use letters, digits and "_", not starting with a digit`,
  });
