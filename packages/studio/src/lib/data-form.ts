import type { CreateDataVersionRequest, DataType } from '@cairn/sdk';

/**
 * The "register data" form's fields and their checks, before anything is sent: each problem names
 * its field. The server checks again (and more: the path exists, the version is free) and its
 * message is shown as it comes.
 */

export interface DataFormFields {
  name: string;
  type: DataType;
  version: string;
  description: string;
  /** `key=value` pairs separated by commas or new lines. */
  tags: string;
  /** Datastore URI or URL (the "reference" mode). */
  path: string;
  /** Seconds between refreshes, '' for never. */
  refresh: string;
}

export type FormResult<T> = { type: 'success'; value: T } | { type: 'error'; field: string; reason: string };

/** The server's rule for asset names (packages/data assets/data-service.ts). */
const ASSET_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,254}$/;
const VERSION = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

export function parseTags(text: string): FormResult<Record<string, string>> {
  const tags: Record<string, string> = {};
  for (const part of text.split(/[,\n]/)) {
    const item = part.trim();
    if (item === '') continue;
    const eq = item.indexOf('=');
    const key = (eq < 0 ? item : item.slice(0, eq)).trim();
    if (key === '')
      return { type: 'error', field: 'tags', reason: `Tag '${item}' has no key: write key=value` };
    tags[key] = eq < 0 ? '' : item.slice(eq + 1).trim();
  }
  return { type: 'success', value: tags };
}

/** The request shared by both modes (name, type, version, description, tags). */
export function baseRequest(
  fields: DataFormFields,
): FormResult<Omit<CreateDataVersionRequest, 'path' | 'manifestId'>> {
  const name = fields.name.trim();
  if (!ASSET_NAME.test(name)) {
    return {
      type: 'error',
      field: 'name',
      reason: "Name: use letters, digits, '.', '_' and '-', starting with a letter or digit",
    };
  }
  const version = fields.version.trim();
  if (version !== '' && (!VERSION.test(version) || version === 'latest')) {
    return {
      type: 'error',
      field: 'version',
      reason: "Version: letters, digits, '.', '_' and '-' (not 'latest'), or empty for the next number",
    };
  }
  const tags = parseTags(fields.tags);
  if (tags.type === 'error') return tags;
  return {
    type: 'success',
    value: {
      name,
      type: fields.type,
      ...(version ? { version } : {}),
      ...(fields.description.trim() ? { description: fields.description.trim() } : {}),
      ...(Object.keys(tags.value).length > 0 ? { tags: tags.value } : {}),
    },
  };
}

/** The request for data referenced in place at a datastore path or URL. */
export function referenceRequest(fields: DataFormFields): FormResult<CreateDataVersionRequest> {
  const base = baseRequest(fields);
  if (base.type === 'error') return base;
  const path = fields.path.trim();
  if (path === '') {
    return {
      type: 'error',
      field: 'path',
      reason: 'Path: give a datastore URI (azureml://datastores/<name>/paths/<path>) or an http(s) URL',
    };
  }
  const refresh = fields.refresh === '' ? null : Number(fields.refresh);
  return {
    type: 'success',
    value: { ...base.value, path, ...(refresh !== null ? { refreshIntervalSeconds: refresh } : {}) },
  };
}

/** A datastore's URI for a path inside it, the form's starting point when one is picked. */
export const datastoreUri = (datastore: string, path = ''): string =>
  `azureml://datastores/${datastore}/paths/${path}`;
