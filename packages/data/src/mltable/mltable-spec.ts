import { z } from 'zod';
import { type FilterExpr, parseFilterExpression } from './filter-expression.js';

// The MLTable file (Azure ML's `MLTable.schema.json`): where the data is (`paths`) and how to read
// and reshape it (`transformations`). The schemas below accept the YAML's snake_case form and yield
// the normalised camelCase types Cairn works with.

export type MLTablePath = { file: string } | { folder: string } | { pattern: string };

export const HEADER_MODES = [
  'no_header',
  'from_first_file',
  'all_files_different_headers',
  'all_files_same_headers',
] as const;
export type HeaderMode = (typeof HEADER_MODES)[number];

export const ENCODINGS = [
  'utf8',
  'utf8bom',
  'ascii',
  'iso88591',
  'latin1',
  'windows1252',
  'utf16',
  'utf32',
] as const;
export type Encoding = (typeof ENCODINGS)[number];

export type ColumnConversion =
  | { columns: string[]; to: 'int' | 'float' | 'boolean' | 'string' }
  | { columns: string[]; to: 'datetime'; formats: string[] };

export type MLTableTransformation =
  | {
      type: 'read_delimited';
      delimiter: string;
      header: HeaderMode;
      encoding: Encoding;
      emptyAsString: boolean;
      includePathColumn: boolean;
      pathColumn: string;
      inferColumnTypes: boolean;
      supportMultiLine: boolean;
    }
  | { type: 'read_parquet'; includePathColumn: boolean; pathColumn: string }
  | {
      type: 'read_json_lines';
      encoding: Encoding;
      includePathColumn: boolean;
      pathColumn: string;
      invalidLines: 'error' | 'drop';
    }
  | { type: 'take'; count: number }
  | { type: 'skip'; count: number }
  | { type: 'take_random_sample'; probability: number; seed?: number }
  | { type: 'keep_columns'; columns: string[] }
  | { type: 'drop_columns'; columns: string[] }
  | { type: 'filter'; expression: string; parsed: FilterExpr }
  | { type: 'convert_column_types'; conversions: ColumnConversion[] };

export type TransformationName = MLTableTransformation['type'];
export type ReadTransformation = Extract<
  MLTableTransformation,
  { type: 'read_delimited' | 'read_parquet' | 'read_json_lines' }
>;

export interface MLTable {
  paths: MLTablePath[];
  transformations: MLTableTransformation[];
}

const text = z.string().min(1);
const flag = z.boolean();
const count = z.number().int().min(0);
/** `a` or `[a, b]`. */
const columnList = z.union([text, z.array(text).min(1)]).transform((v) => (typeof v === 'string' ? [v] : v));
/** A read transformation may be written with no arguments (`- read_parquet:`). */
const options = <S extends z.ZodType>(schema: S) => z.preprocess((v) => v ?? {}, schema);

// DuckDB reads UTF-8, UTF-16 and Latin-1 (windows1252 is read as Latin-1: they differ only in 0x80–0x9F).
const delimitedEncoding = z
  .enum(ENCODINGS)
  .default('utf8')
  .refine((e) => e !== 'utf32', 'utf32 is not supported by Cairn; convert the files to utf8 or utf16');
const jsonEncoding = z
  .enum(ENCODINGS)
  .default('utf8')
  .refine(
    (e) => e === 'utf8' || e === 'utf8bom' || e === 'ascii',
    'JSON lines are read as utf8 only; convert the files to utf8',
  );

const pathColumn = text.default('Path');

const readDelimited = options(
  z.strictObject({
    delimiter: z.string().min(1).default(','),
    header: z.enum(HEADER_MODES).default('all_files_same_headers'),
    encoding: delimitedEncoding,
    empty_as_string: flag.default(false),
    include_path_column: flag.default(false),
    path_column: pathColumn,
    infer_column_types: flag.default(true),
    support_multi_line: flag.default(false),
  }),
).transform(
  (o): MLTableTransformation => ({
    type: 'read_delimited',
    delimiter: o.delimiter,
    header: o.header,
    encoding: o.encoding,
    emptyAsString: o.empty_as_string,
    includePathColumn: o.include_path_column,
    pathColumn: o.path_column,
    inferColumnTypes: o.infer_column_types,
    supportMultiLine: o.support_multi_line,
  }),
);

const readParquet = options(
  z.strictObject({ include_path_column: flag.default(false), path_column: pathColumn }),
).transform(
  (o): MLTableTransformation => ({
    type: 'read_parquet',
    includePathColumn: o.include_path_column,
    pathColumn: o.path_column,
  }),
);

const readJsonLines = options(
  z.strictObject({
    encoding: jsonEncoding,
    include_path_column: flag.default(false),
    path_column: pathColumn,
    invalid_lines: z.enum(['error', 'drop']).default('error'),
  }),
).transform(
  (o): MLTableTransformation => ({
    type: 'read_json_lines',
    encoding: o.encoding,
    includePathColumn: o.include_path_column,
    pathColumn: o.path_column,
    invalidLines: o.invalid_lines,
  }),
);

const filter = z.string().transform((expression, ctx): MLTableTransformation => {
  try {
    return { type: 'filter', expression, parsed: parseFilterExpression(expression) };
  } catch (err) {
    ctx.issues.push({ code: 'custom', message: (err as Error).message, input: expression });
    return z.NEVER;
  }
});

const columnType = z.union([
  z.enum(['int', 'float', 'boolean', 'string', 'datetime']),
  z.strictObject({ datetime: z.strictObject({ formats: z.array(text).min(1) }) }),
]);

const conversion = z
  .strictObject({ columns: columnList, column_type: columnType })
  .transform((o): ColumnConversion => {
    if (typeof o.column_type !== 'string') {
      return { columns: o.columns, to: 'datetime', formats: o.column_type.datetime.formats };
    }
    // Without formats, a datetime is parsed as ISO 8601 (what a CAST to TIMESTAMP accepts).
    return o.column_type === 'datetime'
      ? { columns: o.columns, to: 'datetime', formats: [] }
      : { columns: o.columns, to: o.column_type };
  });

/** The argument schema of each transformation Cairn runs, keyed by its name in the YAML. */
export const TRANSFORMATION_SCHEMAS = {
  read_delimited: readDelimited,
  read_parquet: readParquet,
  read_json_lines: readJsonLines,
  take: count.transform((n): MLTableTransformation => ({ type: 'take', count: n })),
  skip: count.transform((n): MLTableTransformation => ({ type: 'skip', count: n })),
  take_random_sample: z
    .strictObject({ probability: z.number().gt(0).lte(1), seed: z.number().int().optional() })
    .transform(
      (o): MLTableTransformation => ({
        type: 'take_random_sample',
        probability: o.probability,
        ...(o.seed === undefined ? {} : { seed: o.seed }),
      }),
    ),
  keep_columns: columnList.transform((columns): MLTableTransformation => ({ type: 'keep_columns', columns })),
  drop_columns: columnList.transform((columns): MLTableTransformation => ({ type: 'drop_columns', columns })),
  filter,
  convert_column_types: z
    .array(conversion)
    .min(1)
    .transform((conversions): MLTableTransformation => ({ type: 'convert_column_types', conversions })),
} satisfies Record<TransformationName, z.ZodType<MLTableTransformation, unknown>>;

export const KNOWN_TRANSFORMATIONS = Object.keys(TRANSFORMATION_SCHEMAS) as TransformationName[];

/** Azure ML transformations Cairn recognises but cannot run: named in their own error. */
export const UNSUPPORTED_TRANSFORMATIONS: Record<string, string> = {
  read_delta_lake: 'Delta Lake tables are not supported; export the table to Parquet and use read_parquet',
  extract_columns_from_partition_format: 'partition-format columns are not supported yet',
};

export const READ_TRANSFORMATIONS = ['read_delimited', 'read_parquet', 'read_json_lines'] as const;

export const pathEntrySchema = z
  .strictObject({ file: text.optional(), folder: text.optional(), pattern: text.optional() })
  .superRefine((entry, ctx) => {
    const set = Object.values(entry).filter((v) => v !== undefined).length;
    if (set !== 1) {
      ctx.addIssue({
        code: 'custom',
        message: `each path needs exactly one of file, folder or pattern, got ${set === 0 ? 'none' : set}`,
      });
    }
  })
  .transform((entry): MLTablePath => {
    if (entry.file !== undefined) return { file: entry.file };
    if (entry.folder !== undefined) return { folder: entry.folder };
    return { pattern: entry.pattern! };
  });

/** The top level; each transformation is checked on its own afterwards, to name it in the message. */
export const mltableDocumentSchema = z.strictObject({
  $schema: z.string().optional(),
  type: z.literal('mltable').optional(),
  paths: z.array(pathEntrySchema).min(1),
  transformations: z.array(z.unknown()).optional(),
  traits: z.record(z.string(), z.unknown()).optional(),
});
