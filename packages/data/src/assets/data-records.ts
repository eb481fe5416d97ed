import type { ManifestDiff } from '@cairn/fileset';
import type { DataAssetRow, DataVersionRow } from '@cairn/store';
import type { Selectable } from 'kysely';

export const DATA_TYPES = ['uri_file', 'uri_folder', 'mltable'] as const;
export type DataType = (typeof DATA_TYPES)[number];
export type DataStorage = 'uploaded' | 'referenced';

/** One immutable version of a data asset. */
export interface DataVersion {
  name: string;
  version: string;
  type: DataType;
  /** `uploaded`: the bytes are in the workspace's blob store; `referenced`: read from `source` when used. */
  storage: DataStorage;
  source: string;
  manifestId: string;
  fileCount: number;
  totalBytes: number;
  description: string;
  tags: Record<string, string>;
  /** Against the previous version, for versions made by a refresh (or a job output of an existing asset). */
  diff: ManifestDiff | null;
  archived: boolean;
  createdBy: string;
  createdAt: number;
}

export interface DataAsset {
  name: string;
  description: string;
  tags: Record<string, string>;
  archived: boolean;
  latestVersion: string | null;
  versionCount: number;
  /** The watched source and how often it is checked, when the asset refreshes itself. */
  refresh: { source: string; intervalSeconds: number; nextRefreshAt: number | null } | null;
  createdBy: string;
  createdAt: number;
  updatedAt: number;
}

const parseTags = (json: string): Record<string, string> => JSON.parse(json) as Record<string, string>;

export function toDataVersion(row: DataVersionRow): DataVersion {
  return {
    name: row.name,
    version: row.version,
    type: row.type as DataType,
    storage: row.storage as DataStorage,
    source: row.source,
    manifestId: row.manifest_id,
    fileCount: Number(row.file_count),
    totalBytes: Number(row.total_bytes),
    description: row.description,
    tags: parseTags(row.tags),
    diff: row.diff === null ? null : (JSON.parse(row.diff) as ManifestDiff),
    archived: Number(row.archived) === 1,
    createdBy: row.created_by,
    createdAt: Number(row.created_at),
  };
}

export function toDataAsset(
  row: Selectable<DataAssetRow>,
  latest: { version: string; count: number } | null,
): DataAsset {
  return {
    name: row.name,
    description: row.description,
    tags: parseTags(row.tags),
    archived: Number(row.archived) === 1,
    latestVersion: latest?.version ?? null,
    versionCount: latest?.count ?? 0,
    refresh:
      row.watch_source === null || row.watch_interval_seconds === null
        ? null
        : {
            source: row.watch_source,
            intervalSeconds: Number(row.watch_interval_seconds),
            nextRefreshAt: row.next_refresh_at === null ? null : Number(row.next_refresh_at),
          },
    createdBy: row.created_by,
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
  };
}
