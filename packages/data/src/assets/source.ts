import type { DatastoreAdapter } from '../datastores/datastore-adapter.js';

/** What the registry needs from a datastore; a local folder can also hand out real paths. */
export type SourceAdapter = Pick<DatastoreAdapter, 'stat' | 'list' | 'open'> & {
  /** For local folders: the file's absolute path, so it can be hashed on all cores or used in place. */
  localPath?(path: string): string;
};

/** A data path resolved to the adapter that reads it. */
export interface ResolvedSource {
  adapter: SourceAdapter;
  /** The path inside the adapter ('' for its root). */
  path: string;
  /** The canonical URI recorded on the version (`azureml://datastores/<name>/paths/<path>` or a URL). */
  uri: string;
  /** The datastore's name, or null for a plain URL. */
  datastore: string | null;
}

export type SourceResolver = (workspaceId: string, uri: string) => Promise<ResolvedSource>;
