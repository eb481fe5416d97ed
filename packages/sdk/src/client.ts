import { BlobsApi } from './blobs.js';
import { DashboardsApi } from './dashboards.js';
import { DataApi, DatastoresApi } from './data.js';
import { ExperimentsApi } from './experiments.js';
import { AuditApi, TokensApi, UsersApi, WorkspacesApi } from './identity.js';
import { ComputesApi, EnvironmentsApi, JobsApi } from './jobs.js';
import { RunsApi } from './runs.js';
import { Transport } from './transport.js';

export interface CairnClientOptions {
  /** The server, e.g. http://127.0.0.1:5000. */
  baseUrl: string;
  /** An API token (POST /api/v1/tokens); not needed against a server in local mode. */
  token?: string;
  /** Workspace of the workspace-scoped calls (experiments, runs, audit). Default: `default`. */
  workspace?: string;
  /** Defaults to the global fetch. */
  fetch?: typeof fetch;
  /** Sent with every request, e.g. `{ 'x-cairn-message': 'why' }` for the audit log. */
  headers?: Record<string, string>;
}

/**
 * A typed client of Cairn's native API. Errors reject with `CairnApiError` (`code`, `message`,
 * `details`, `status`); paged results have async iterators (`for await (const run of client.runs.iterate(…))`).
 */
export class CairnClient {
  readonly workspace: string;
  readonly experiments: ExperimentsApi;
  readonly runs: RunsApi;
  readonly jobs: JobsApi;
  readonly computes: ComputesApi;
  readonly environments: EnvironmentsApi;
  readonly audit: AuditApi;
  readonly workspaces: WorkspacesApi;
  readonly users: UsersApi;
  readonly tokens: TokensApi;
  readonly blobs: BlobsApi;
  readonly data: DataApi;
  readonly datastores: DatastoresApi;
  readonly dashboards: DashboardsApi;
  readonly #options: CairnClientOptions;

  constructor(options: CairnClientOptions) {
    this.#options = options;
    const transport = new Transport(options);
    this.workspace = options.workspace ?? 'default';
    this.experiments = new ExperimentsApi(transport, this.workspace);
    this.runs = new RunsApi(transport, this.workspace);
    this.jobs = new JobsApi(transport, this.workspace);
    this.computes = new ComputesApi(transport, this.workspace);
    this.environments = new EnvironmentsApi(transport, this.workspace);
    this.audit = new AuditApi(transport, this.workspace);
    this.workspaces = new WorkspacesApi(transport);
    this.users = new UsersApi(transport);
    this.tokens = new TokensApi(transport);
    this.blobs = new BlobsApi(transport, this.workspace);
    this.data = new DataApi(transport, this.workspace);
    this.datastores = new DatastoresApi(transport, this.workspace);
    this.dashboards = new DashboardsApi(transport, this.workspace);
  }

  get baseUrl(): string {
    return this.#options.baseUrl.replace(/\/+$/, '');
  }

  /** The same client, addressing another workspace. */
  withWorkspace(workspace: string): CairnClient {
    return new CairnClient({ ...this.#options, workspace });
  }

  /** The server's OpenAPI document. */
  async openApi(): Promise<Record<string, unknown>> {
    return new Transport(this.#options).json('GET', '/api/v1/openapi.json');
  }
}
