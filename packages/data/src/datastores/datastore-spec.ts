import { isAbsolute, resolve } from 'node:path';
import { type SpecLocator, specError, validateWith, YamlSource } from '@cairn/core';
import { z } from 'zod';
import { normaliseDatastorePath } from './datastore-path.js';

/** Datastore types Cairn can open. */
export const DATASTORE_TYPES = ['local', 's3', 'http'] as const;
export type DatastoreType = (typeof DATASTORE_TYPES)[number];

/** Azure ML's own types: recognised, so that a YAML written for Azure ML gets a clear answer. */
export const AZURE_DATASTORE_TYPES = [
  'azure_blob',
  'azure_data_lake_gen1',
  'azure_data_lake_gen2',
  'azure_file',
] as const;

/** Like data asset names, so `azureml://datastores/<name>/paths/...` never needs escaping. */
export const DATASTORE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,254}$/;

const shown = (value: unknown): string => (typeof value === 'string' ? JSON.stringify(value) : String(value));

const datastoreName = z.string().regex(DATASTORE_NAME, {
  error: (iss) =>
    `${shown(iss.input)} is not a valid datastore name: use letters, digits, "-", "_" and ".", starting with a letter or digit`,
});

const tags = z.record(
  z.string(),
  z
    .union([z.string(), z.number(), z.boolean()], { error: 'expected a string, number or true/false' })
    .transform(String),
);

/** An http(s) URL with no `user:password@`: credentials belong in fields that are stored encrypted. */
const httpUrl = (where: string) =>
  z.string().superRefine((text, ctx) => {
    let url: URL;
    try {
      url = new URL(text);
    } catch {
      ctx.addIssue({ code: 'custom', message: `${shown(text)} is not a URL: write ${where}`, input: text });
      return;
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      ctx.addIssue({
        code: 'custom',
        message: `${shown(text)} is not an http(s) URL: write ${where}`,
        input: text,
      });
    } else if (url.username !== '' || url.password !== '') {
      ctx.addIssue({
        code: 'custom',
        message:
          'a URL cannot carry a user name or password, which would be stored and shown in clear: put credentials in the fields meant for them (headers for http, credentials for s3), which are stored encrypted',
        input: '***',
      });
    }
  });

/** A folder inside a bucket, normalised (`/a/b/` → `a/b`); `..` is refused. */
const datastorePath = z.string().transform((text, ctx) => {
  try {
    return normaliseDatastorePath(text);
  } catch (err) {
    ctx.addIssue({ code: 'custom', message: (err as Error).message.replace(/^path: /, ''), input: text });
    return z.NEVER;
  }
});

const common = {
  $schema: z.string().optional(),
  name: datastoreName,
  description: z.string().optional(),
  tags: tags.optional(),
};

const nonEmpty = z.string().min(1);

export const s3CredentialsSchema = z.strictObject({
  access_key_id: nonEmpty,
  secret_access_key: nonEmpty,
  session_token: nonEmpty.optional(),
});

export const localDatastoreSchema = z.strictObject({
  ...common,
  type: z.literal('local'),
  /** An absolute folder on the server's machine. */
  path: nonEmpty,
});

export const s3DatastoreSchema = z.strictObject({
  ...common,
  type: z.literal('s3'),
  bucket: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,254}$/, {
    error: (iss) =>
      `${shown(iss.input)} is not a bucket name: letters, digits, ".", "-" and "_" only; put a folder inside the bucket in prefix`,
  }),
  /** Folder inside the bucket that is the datastore's root; `''` for the whole bucket. */
  prefix: datastorePath.optional(),
  /** An S3-compatible endpoint (SeaweedFS, MinIO, …); left out for AWS S3 itself. */
  endpoint_url: httpUrl('the endpoint like http://127.0.0.1:8333').optional(),
  /** Default `us-east-1`. */
  region: nonEmpty.optional(),
  /** Left out: requests are unsigned (a public bucket). Never the server's own AWS identity. */
  credentials: s3CredentialsSchema.optional(),
  /** Bucket in the URL path rather than the host name. Default: true with `endpoint_url`, else false. */
  force_path_style: z.boolean().optional(),
});

export const httpDatastoreSchema = z.strictObject({
  ...common,
  type: z.literal('http'),
  /** One file's URL, or a base URL ending in `/` under which paths name files. */
  url: httpUrl('a URL like https://example.com/data/iris.csv'),
  /** Sent with every request (e.g. `Authorization`); stored encrypted like credentials. */
  headers: z
    .record(z.string().regex(/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/, 'is not a valid HTTP header name'), z.string())
    .optional(),
});

const azureDatastoreSchema = z
  .looseObject({ type: z.enum(AZURE_DATASTORE_TYPES) })
  .transform((value, ctx): never => {
    ctx.addIssue({
      code: 'custom',
      path: ['type'],
      input: value.type,
      message: `"${value.type}" datastores need Azure Storage, which Cairn does not reach (not implemented): copy the data to an S3-compatible bucket and use type: s3, or use type: local or type: http`,
    });
    return z.NEVER;
  });

/** One datastore as written in YAML or an API body: secrets (credentials, headers) included. */
export const datastoreSpecSchema = z.discriminatedUnion('type', [
  localDatastoreSchema,
  s3DatastoreSchema,
  httpDatastoreSchema,
  azureDatastoreSchema,
]);

export type S3Credentials = z.output<typeof s3CredentialsSchema>;
export type LocalDatastoreSpec = z.output<typeof localDatastoreSchema>;
export type S3DatastoreSpec = z.output<typeof s3DatastoreSchema>;
export type HttpDatastoreSpec = z.output<typeof httpDatastoreSchema>;
export type DatastoreSpec = LocalDatastoreSpec | S3DatastoreSpec | HttpDatastoreSpec;

export interface DatastoreParseOptions {
  /** A relative local `path` is resolved against this folder (the YAML's); without it, it is refused. */
  baseDir?: string;
}

/** Reads a datastore YAML; every problem is reported together as `file:line:column: field: message`. */
export function parseDatastoreYaml(
  text: string,
  file: string,
  options: DatastoreParseOptions = {},
): DatastoreSpec {
  const source = YamlSource.parse(text, file);
  return validateDatastore(source.value, source, options);
}

/** Validates a datastore given as JSON (an API body); `what` prefixes each message. */
export function parseDatastoreSpec(
  value: unknown,
  options: DatastoreParseOptions & { what?: string } = {},
): DatastoreSpec {
  const what = options.what ?? 'datastore';
  const locator: SpecLocator = { file: what, locate: () => ({ line: 1, column: 1 }), label: () => what };
  return validateDatastore(value, locator, options);
}

function validateDatastore(
  value: unknown,
  locator: SpecLocator,
  options: DatastoreParseOptions,
): DatastoreSpec {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw specError(
      locator.file,
      [
        {
          field: '',
          message: `expected a mapping of datastore fields (name, type, ...), got ${value === null || value === undefined ? 'nothing' : Array.isArray(value) ? 'a list' : shown(value)}`,
          line: 1,
          column: 1,
        },
      ],
      locator.label?.bind(locator),
    );
  }
  const spec = validateWith(datastoreSpecSchema, value, locator) as DatastoreSpec;
  if (spec.type !== 'local' || isAbsolute(spec.path)) return spec;
  if (options.baseDir !== undefined) return { ...spec, path: resolve(options.baseDir, spec.path) };
  throw specError(
    locator.file,
    [
      {
        field: 'path',
        message: `${shown(spec.path)} is relative: write the absolute path of the folder on the server's machine`,
        ...locator.locate(['path']),
      },
    ],
    locator.label?.bind(locator),
  );
}
