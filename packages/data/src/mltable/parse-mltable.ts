import { readFile } from 'node:fs/promises';
import {
  type CairnError,
  didYouMean,
  flattenIssues,
  formatPath,
  invalidArgument,
  type SourcePosition,
  type SpecIssue,
  specError,
  specErrorMap,
  YamlSource,
} from '@cairn/core';
import type { z } from 'zod';
import {
  KNOWN_TRANSFORMATIONS,
  type MLTable,
  type MLTableTransformation,
  mltableDocumentSchema,
  READ_TRANSFORMATIONS,
  TRANSFORMATION_SCHEMAS,
  type TransformationName,
  UNSUPPORTED_TRANSFORMATIONS,
} from './mltable-spec.js';

/** An MLTable together with where it came from, so later errors (a missing file) can point at a line. */
export interface ParsedMLTable extends MLTable {
  /** The file's path (or label) as given to the parser. */
  readonly file: string;
  /** Position of a field, e.g. `['paths', 0, 'file']`. */
  locate(path: readonly PropertyKey[]): SourcePosition;
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

const knownList = (): string => KNOWN_TRANSFORMATIONS.join(', ');

function checkZod<S extends z.ZodType>(
  schema: S,
  value: unknown,
  base: PropertyKey[],
  source: YamlSource,
  issues: SpecIssue[],
): z.output<S> | undefined {
  const result = schema.safeParse(value, { error: specErrorMap, reportInput: true });
  if (result.success) return result.data;
  for (const issue of flattenIssues(result.error.issues, base)) {
    issues.push({
      field: formatPath(issue.path),
      message: issue.message,
      ...source.locate(issue.path, { atKey: issue.atKey }),
    });
  }
  return undefined;
}

function parseTransformation(
  item: unknown,
  index: number,
  source: YamlSource,
  issues: SpecIssue[],
): MLTableTransformation | undefined {
  const at = ['transformations', index];
  const issue = (path: PropertyKey[], message: string, atKey = false) =>
    issues.push({ field: formatPath(path), message, ...source.locate(path, { atKey }) });
  // `- read_parquet` (a bare name) is the same as `- read_parquet:` with no arguments.
  const entry = typeof item === 'string' ? { [item]: null } : item;
  if (!isRecord(entry) || Object.keys(entry).length !== 1) {
    issue(at, `each transformation is a mapping with one key, its name (one of ${knownList()})`);
    return undefined;
  }
  const name = Object.keys(entry)[0]!;
  const path = [...at, name];
  const unsupported = UNSUPPORTED_TRANSFORMATIONS[name];
  if (unsupported !== undefined) {
    issue(path, `transformation "${name}" is not supported by Cairn: ${unsupported}`, true);
    return undefined;
  }
  if (!(KNOWN_TRANSFORMATIONS as string[]).includes(name)) {
    const hint = didYouMean(name, KNOWN_TRANSFORMATIONS);
    issue(path, `unknown transformation "${name}"${hint}; the known ones are ${knownList()}`, true);
    return undefined;
  }
  return checkZod(TRANSFORMATION_SCHEMAS[name as TransformationName], entry[name], path, source, issues);
}

/** A read transformation, if any, must come first and only once: it decides how the files are parsed. */
function checkOrder(
  transformations: (MLTableTransformation | undefined)[],
  source: YamlSource,
  issues: SpecIssue[],
) {
  const reads = transformations
    .map((t, i) => ({ t, i }))
    .filter(({ t }) => t !== undefined && (READ_TRANSFORMATIONS as readonly string[]).includes(t.type));
  for (const { t, i } of reads) {
    if (i === 0) continue;
    const path = ['transformations', i, t!.type];
    const message =
      reads[0]!.i === 0
        ? `only one read transformation is allowed; transformations[0] already reads the files`
        : `${t!.type} must be the first transformation: it decides how the files are read`;
    issues.push({ field: formatPath(path), message, ...source.locate(path, { atKey: true }) });
  }
}

/**
 * Parses the text of an `MLTable` file. Every problem (YAML syntax, an unknown field or transformation,
 * a bad filter) is reported together in one INVALID_ARGUMENT, each as `file:line:column: field: message`.
 */
export function parseMLTable(text: string, file = 'MLTable'): ParsedMLTable {
  const source = YamlSource.parse(text, file);
  const issues: SpecIssue[] = [];
  const doc = checkZod(mltableDocumentSchema, source.value ?? {}, [], source, issues);
  const rawTransformations = isRecord(source.value) ? source.value.transformations : undefined;
  const transformations = Array.isArray(rawTransformations)
    ? rawTransformations.map((item, i) => parseTransformation(item, i, source, issues))
    : [];
  checkOrder(transformations, source, issues);
  if (issues.length > 0 || doc === undefined) throw specError(file, issues);
  return {
    file,
    paths: doc.paths,
    transformations: transformations as MLTableTransformation[],
    locate: (path) => source.locate(path),
  };
}

/**
 * Reads and parses an `MLTable` file from disk; `label` names it in messages (the path by default).
 * A missing file is INVALID_ARGUMENT naming it.
 */
export async function loadMLTable(path: string, label = path): Promise<ParsedMLTable> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw invalidArgument(
      code === 'ENOENT'
        ? `MLTable file ${label} does not exist`
        : `cannot read MLTable file ${label}: ${code ?? err}`,
      { field: 'path', file: label },
    );
  }
  return parseMLTable(text, label);
}

/** An error about one field of a parsed MLTable, located at its line when the table came from a file. */
export function mltableFieldError(table: MLTable, path: readonly PropertyKey[], message: string): CairnError {
  const parsed = table as Partial<ParsedMLTable>;
  if (parsed.file !== undefined && parsed.locate !== undefined) {
    return specError(parsed.file, [{ field: formatPath(path), message, ...parsed.locate(path) }]);
  }
  return invalidArgument(`${formatPath(path)}: ${message}`, { field: formatPath(path) });
}
