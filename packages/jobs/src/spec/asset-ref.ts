import { invalidArgument } from '@cairn/core';

/**
 * References to registered assets (environments, data, models, components) as written in job YAML.
 * Azure ML's forms and Cairn's own shorter ones parse to the same shape, so a job written for Azure ML
 * names the same asset in Cairn.
 */
export type AssetRef =
  | {
      kind: 'versioned';
      name: string;
      version: string;
      /** Set for `azureml://registries/<registry>/<assetType>/...`. */
      registry?: { name: string; assetType: string };
      syntax: AssetRefSyntax;
    }
  | {
      kind: 'labeled';
      name: string;
      /** `latest`, or another label a registry defines. */
      label: string;
      registry?: { name: string; assetType: string };
      syntax: AssetRefSyntax;
    }
  | { kind: 'datastore-path'; datastore: string; path: string; syntax: 'azureml-uri' };

/** `azureml:name:1`, `azureml://registries/...` / `azureml://datastores/...`, or Cairn's `name:1`. */
export type AssetRefSyntax = 'azureml' | 'azureml-uri' | 'cairn';

/** A compute target by name: `azureml:cpu-cluster`, `cpu-cluster`, `local`. */
export interface ComputeRef {
  name: string;
  syntax: 'azureml' | 'cairn';
}

/** An input's `path`: a registered asset, a datastore path, a remote URI or a local path. */
export type InputPath =
  | { kind: 'asset'; ref: AssetRef }
  | { kind: 'uri'; scheme: string; uri: string }
  | { kind: 'local'; path: string };

export type ParseResult<T> = { type: 'success'; value: T } | { type: 'error'; reason: string };

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,254}$/;
const VERSION = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
const LABEL = /^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$/;
const REGISTRY_ASSET_TYPES = ['environments', 'models', 'data', 'components'];

const ok = <T>(value: T): ParseResult<T> => ({ type: 'success', value });
const fail = <T>(reason: string): ParseResult<T> => ({ type: 'error', reason });

const badName = (name: string, text: string) =>
  `"${name}" in "${text}" is not a valid asset name: use letters, digits, "-", "_" and ".", starting with a letter or digit`;

/** `name:version` or `name@label` (the part after `azureml:`, or Cairn's whole form). */
function parseShortForm(body: string, text: string, syntax: 'azureml' | 'cairn'): ParseResult<AssetRef> {
  const at = body.lastIndexOf('@');
  if (at >= 0) {
    const name = body.slice(0, at);
    const label = body.slice(at + 1);
    if (!NAME.test(name)) return fail(badName(name, text));
    if (!LABEL.test(label))
      return fail(`"${text}" has an empty or invalid label after "@"; write name@latest`);
    return ok({ kind: 'labeled', name, label, syntax });
  }
  const colon = body.lastIndexOf(':');
  if (colon < 0) {
    return fail(
      `"${text}" names no version: write ${syntax === 'azureml' ? 'azureml:' : ''}${body}:<version> or ${syntax === 'azureml' ? 'azureml:' : ''}${body}@latest`,
    );
  }
  const name = body.slice(0, colon);
  const version = body.slice(colon + 1);
  if (!NAME.test(name)) return fail(badName(name, text));
  if (!VERSION.test(version)) return fail(`"${text}" has an empty or invalid version after ":"`);
  return ok({ kind: 'versioned', name, version, syntax });
}

function parseAzureUri(text: string): ParseResult<AssetRef> {
  const segments = text.slice('azureml://'.length).split('/');
  if (segments[0] === 'registries') {
    const [, registry, assetType, name, selector, value, ...rest] = segments;
    if (
      registry === undefined ||
      assetType === undefined ||
      name === undefined ||
      (selector !== 'labels' && selector !== 'versions') ||
      value === undefined ||
      value === '' ||
      rest.length > 0
    ) {
      return fail(
        `"${text}" is not a registry reference: expected azureml://registries/<registry>/<type>/<name>/versions/<version> or .../labels/<label>`,
      );
    }
    if (!REGISTRY_ASSET_TYPES.includes(assetType)) {
      return fail(
        `"${text}": unknown asset type "${assetType}"; expected one of ${REGISTRY_ASSET_TYPES.join(', ')}`,
      );
    }
    if (!NAME.test(name)) return fail(badName(name, text));
    const reg = { name: registry, assetType };
    return selector === 'versions'
      ? ok({ kind: 'versioned', name, version: value, registry: reg, syntax: 'azureml-uri' })
      : ok({ kind: 'labeled', name, label: value, registry: reg, syntax: 'azureml-uri' });
  }
  if (segments[0] === 'datastores') {
    const [, datastore, paths, ...rest] = segments;
    const path = rest.join('/');
    if (datastore === undefined || datastore === '' || paths !== 'paths' || path === '') {
      return fail(
        `"${text}" is not a datastore path: expected azureml://datastores/<datastore>/paths/<path>`,
      );
    }
    return ok({ kind: 'datastore-path', datastore, path, syntax: 'azureml-uri' });
  }
  return fail(
    `"${text}" is not supported: Cairn reads azureml://registries/... and azureml://datastores/... URIs; for a workspace asset write azureml:<name>:<version>`,
  );
}

/** Parses an asset reference without throwing. */
export function tryParseAssetRef(text: string): ParseResult<AssetRef> {
  const trimmed = text.trim();
  if (trimmed === '') return fail('the reference is empty');
  if (trimmed.startsWith('azureml://')) return parseAzureUri(trimmed);
  if (trimmed.startsWith('azureml:'))
    return parseShortForm(trimmed.slice('azureml:'.length), trimmed, 'azureml');
  return parseShortForm(trimmed, trimmed, 'cairn');
}

/** Parses an asset reference; an invalid one throws INVALID_ARGUMENT naming `field`. */
export function parseAssetRef(text: string, field?: string): AssetRef {
  const result = tryParseAssetRef(text);
  if (result.type === 'success') return result.value;
  throw invalidArgument(
    `${field === undefined ? '' : `${field}: `}${result.reason}`,
    field === undefined ? {} : { field },
  );
}

/** The canonical text of a reference, which parses back to the same value. */
export function formatAssetRef(ref: AssetRef): string {
  if (ref.kind === 'datastore-path') return `azureml://datastores/${ref.datastore}/paths/${ref.path}`;
  if (ref.registry !== undefined) {
    const tail = ref.kind === 'versioned' ? `versions/${ref.version}` : `labels/${ref.label}`;
    return `azureml://registries/${ref.registry.name}/${ref.registry.assetType}/${ref.name}/${tail}`;
  }
  const prefix = ref.syntax === 'azureml' ? 'azureml:' : '';
  return ref.kind === 'versioned'
    ? `${prefix}${ref.name}:${ref.version}`
    : `${prefix}${ref.name}@${ref.label}`;
}

const COMPUTE_NAME = /^[A-Za-z][A-Za-z0-9_-]{0,63}$/;

/** Parses a compute reference (`azureml:cpu-cluster`, `cpu-cluster`, `local`) without throwing. */
export function tryParseComputeRef(text: string): ParseResult<ComputeRef> {
  const trimmed = text.trim();
  const azure = trimmed.startsWith('azureml:');
  const name = azure ? trimmed.slice('azureml:'.length) : trimmed;
  if (name.startsWith('//'))
    return fail(`"${text}": compute targets are referenced by name, e.g. azureml:cpu-cluster`);
  if (!COMPUTE_NAME.test(name)) {
    return fail(
      `"${text}" is not a valid compute name: start with a letter, then letters, digits, "-" or "_" (at most 64 characters)`,
    );
  }
  return ok({ name, syntax: azure ? 'azureml' : 'cairn' });
}

/** Parses a compute reference; an invalid one throws INVALID_ARGUMENT naming `field`. */
export function parseComputeRef(text: string, field = 'compute'): ComputeRef {
  const result = tryParseComputeRef(text);
  if (result.type === 'success') return result.value;
  throw invalidArgument(`${field}: ${result.reason}`, { field });
}

/**
 * What an input's `path` points at. Only `azureml:`-prefixed paths are assets: a bare `name:1` is a
 * local path here, since local file names may contain colons.
 */
export function tryParseInputPath(path: string): ParseResult<InputPath> {
  if (path.startsWith('azureml:')) {
    const ref = tryParseAssetRef(path);
    return ref.type === 'success' ? ok({ kind: 'asset', ref: ref.value }) : ref;
  }
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(path);
  if (scheme !== null) return ok({ kind: 'uri', scheme: scheme[1]!.toLowerCase(), uri: path });
  if (path.trim() === '') return fail('the path is empty');
  return ok({ kind: 'local', path });
}
