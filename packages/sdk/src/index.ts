export { BlobsApi, MISSING_BATCH } from './blobs.js';
export * from './client.js';
export type {
  Dashboard,
  DashboardChart,
  DashboardChartPosition,
  DashboardColumn,
  DashboardLayout,
} from './dashboards.js';
export { DashboardsApi } from './dashboards.js';
export type {
  CreateDataVersionRequest,
  DataAsset,
  DataDiff,
  DataDiffSummary,
  DataEvent,
  DataFile,
  Datastore,
  DataType,
  DataVersion,
  LineageLink,
  TablePreview,
} from './data.js';
export { DataApi, DatastoresApi } from './data.js';
export * from './errors.js';
export type { AuditQuery } from './identity.js';
export type { JobSnapshot, JobSnapshotEntry, JobStreamEvent, SseMessage, StreamJobOptions } from './jobs.js';
export { isTerminalJobStatus, parseEventStream } from './jobs.js';
export { fromWire, toWire } from './numbers.js';
export type {
  ArtifactDownload,
  ChartSeries,
  DownloadProgress,
  HistoryPage,
  LogBatchRequest,
  MetricBucket,
  MetricPoint,
  Run,
  RunPage,
  UploadBody,
} from './runs.js';
export type * from './wire.js';
