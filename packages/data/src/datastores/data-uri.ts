import { isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { invalidArgument } from '@cairn/core';
import { normaliseDatastorePath } from './datastore-path.js';

/**
 * Where data lives, as written in a data asset's `path` or on the command line. Azure ML's datastore
 * URIs and Cairn's own `cairn://datastores/<name>/paths/<path>` name the same thing.
 */
export type DataUri =
  | {
      kind: 'datastore';
      datastore: string;
      /** Normalised, relative to the datastore's root; `''` for the root. */
      path: string;
      /** The URI ended in `/` (Azure ML's way of writing a folder). */
      trailingSlash: boolean;
      /** Set by the long forms (`azureml://subscriptions/.../workspaces/<ws>/...`, `cairn://workspaces/<ws>/...`). */
      workspace?: string;
      syntax: 'azureml' | 'cairn';
    }
  | { kind: 's3'; bucket: string; key: string; trailingSlash: boolean }
  | { kind: 'http'; url: string }
  | { kind: 'local'; path: string };

/** An expected failure as data: what `tryParseDataUri` returns. */
export type ParseResult<T> = { type: 'success'; value: T } | { type: 'error'; reason: string };

export interface DataUriOptions {
  /** Relative local paths resolve against this folder; without it they are refused. */
  baseDir?: string;
}

const ok = <T>(value: T): ParseResult<T> => ({ type: 'success', value });
const fail = <T>(reason: string): ParseResult<T> => ({ type: 'error', reason });

const DATASTORE_FORMS =
  'azureml://datastores/<datastore>/paths/<path> or cairn://datastores/<datastore>/paths/<path>';
const AZURE_STORAGE_SCHEMES = new Set(['wasb', 'wasbs', 'abfs', 'abfss', 'adl', 'azfs']);

/** `datastores/<name>/paths/<path...>`, the tail every datastore URI form ends with. */
function datastoreTail(
  segments: string[],
  text: string,
  syntax: 'azureml' | 'cairn',
  workspace: string | undefined,
): ParseResult<DataUri> {
  const [keyword, datastore, paths, ...rest] = segments;
  if (keyword !== 'datastores' || datastore === undefined || datastore === '' || paths !== 'paths') {
    return fail(`"${text}" is not a datastore URI: expected ${DATASTORE_FORMS}`);
  }
  const raw = rest.join('/');
  let path: string;
  try {
    path = normaliseDatastorePath(raw);
  } catch (err) {
    return fail(`"${text}": ${(err as Error).message.replace(/^path: /, '')}`);
  }
  return ok({
    kind: 'datastore',
    datastore,
    path,
    trailingSlash: raw.endsWith('/'),
    ...(workspace === undefined ? {} : { workspace }),
    syntax,
  });
}

function parseAzureMl(text: string): ParseResult<DataUri> {
  const segments = text.slice('azureml://'.length).split('/');
  if (segments[0] === 'datastores') return datastoreTail(segments, text, 'azureml', undefined);
  // azureml://subscriptions/<sub>/resourcegroups/<rg>/workspaces/<ws>/datastores/<name>/paths/<path>
  if (
    segments[0] === 'subscriptions' &&
    segments[2]?.toLowerCase() === 'resourcegroups' &&
    segments[4] === 'workspaces' &&
    segments[5] !== undefined &&
    segments[5] !== ''
  ) {
    return datastoreTail(segments.slice(6), text, 'azureml', segments[5]);
  }
  return fail(`"${text}" is not a datastore URI: expected ${DATASTORE_FORMS}`);
}

function parseCairn(text: string): ParseResult<DataUri> {
  const segments = text.slice('cairn://'.length).split('/');
  if (segments[0] === 'workspaces' && segments[1] !== undefined && segments[1] !== '') {
    return datastoreTail(segments.slice(2), text, 'cairn', segments[1]);
  }
  return datastoreTail(segments, text, 'cairn', undefined);
}

function parseS3(text: string): ParseResult<DataUri> {
  const match = /^s3:\/\/([^/]+)(?:\/(.*))?$/.exec(text);
  if (match === null) return fail(`"${text}" is not an S3 URI: expected s3://<bucket>/<key>`);
  const raw = match[2] ?? '';
  try {
    return ok({
      kind: 's3',
      bucket: match[1]!,
      key: normaliseDatastorePath(raw),
      trailingSlash: raw.endsWith('/'),
    });
  } catch (err) {
    return fail(`"${text}": ${(err as Error).message.replace(/^path: /, '')}`);
  }
}

function parseHttp(text: string): ParseResult<DataUri> {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return fail(`"${text}" is not a valid URL`);
  }
  if (url.username !== '' || url.password !== '') {
    return fail(
      'a URL cannot carry a user name or password: register an http datastore with the credentials in its headers',
    );
  }
  return ok({ kind: 'http', url: url.href });
}

function parseLocal(text: string, options: DataUriOptions): ParseResult<DataUri> {
  if (text.startsWith('file:')) {
    try {
      return ok({ kind: 'local', path: fileURLToPath(text) });
    } catch (err) {
      return fail(
        `"${text}" is not a local file URI (${(err as Error).message}): write file:///absolute/path`,
      );
    }
  }
  if (isAbsolute(text)) return ok({ kind: 'local', path: resolve(text) });
  if (options.baseDir !== undefined) return ok({ kind: 'local', path: resolve(options.baseDir, text) });
  return fail(`"${text}" is a relative path: give an absolute path, or a URI such as ${DATASTORE_FORMS}`);
}

/** Parses a data location without throwing. */
export function tryParseDataUri(text: string, options: DataUriOptions = {}): ParseResult<DataUri> {
  const trimmed = text.trim();
  if (trimmed === '') return fail('the path is empty');
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(trimmed)?.[1]?.toLowerCase();
  if (scheme === 'azureml') {
    if (trimmed.startsWith('azureml://')) return parseAzureMl(trimmed);
    return fail(
      `"${trimmed}" names a data asset, not a storage location: give the asset where an input is expected, or a location such as ${DATASTORE_FORMS}`,
    );
  }
  if (scheme === 'cairn') return parseCairn(trimmed);
  if (scheme === 's3') return parseS3(trimmed);
  if (scheme === 'http' || scheme === 'https') return parseHttp(trimmed);
  if (scheme === 'file' || scheme === undefined) return parseLocal(trimmed, options);
  if (AZURE_STORAGE_SCHEMES.has(scheme)) {
    return fail(
      `"${trimmed}" is an Azure Storage URI, which needs Azure and is not available in Cairn: copy the data to an S3-compatible bucket and use s3://, or register a datastore for it`,
    );
  }
  return fail(
    `"${trimmed}": unsupported scheme "${scheme}:"; use ${DATASTORE_FORMS}, s3://, http(s)://, file:// or an absolute path`,
  );
}

/** Parses a data location; an invalid one throws INVALID_ARGUMENT naming `field`. */
export function parseDataUri(text: string, options: DataUriOptions & { field?: string } = {}): DataUri {
  const result = tryParseDataUri(text, options);
  if (result.type === 'success') return result.value;
  const field = options.field ?? 'path';
  throw invalidArgument(`${field}: ${result.reason}`, { field });
}

/** The canonical text of a location, which parses back to the same value. */
export function formatDataUri(uri: DataUri): string {
  switch (uri.kind) {
    case 'datastore': {
      const slash = uri.trailingSlash && uri.path !== '' ? '/' : '';
      const scope =
        uri.workspace === undefined
          ? ''
          : uri.syntax === 'cairn'
            ? `workspaces/${uri.workspace}/`
            : `subscriptions/-/resourcegroups/-/workspaces/${uri.workspace}/`;
      return `${uri.syntax === 'cairn' ? 'cairn' : 'azureml'}://${scope}datastores/${uri.datastore}/paths/${uri.path}${slash}`;
    }
    case 's3':
      return `s3://${uri.bucket}/${uri.key}${uri.trailingSlash && uri.key !== '' ? '/' : ''}`;
    case 'http':
      return uri.url;
    case 'local':
      return uri.path;
  }
}
