import { paginate, type Transport } from './transport.js';
import type {
  ApiToken,
  AuditEvent,
  AuditPage,
  CreateTokenRequest,
  CreateWorkspaceRequest,
  Me,
  Workspace,
} from './wire.js';

export class WorkspacesApi {
  readonly #t: Transport;
  constructor(transport: Transport) {
    this.#t = transport;
  }

  async list(): Promise<Workspace[]> {
    return (await this.#t.json<{ workspaces: Workspace[] }>('GET', '/api/v1/workspaces')).workspaces;
  }

  async create(request: CreateWorkspaceRequest): Promise<Workspace> {
    return (await this.#t.json<{ workspace: Workspace }>('POST', '/api/v1/workspaces', { body: request }))
      .workspace;
  }

  async get(name: string): Promise<Workspace> {
    return (
      await this.#t.json<{ workspace: Workspace }>('GET', `/api/v1/workspaces/${encodeURIComponent(name)}`)
    ).workspace;
  }
}

export class UsersApi {
  readonly #t: Transport;
  constructor(transport: Transport) {
    this.#t = transport;
  }

  /** Who the client is authenticated as, with the workspaces it can see. */
  me(): Promise<Me> {
    return this.#t.json('GET', '/api/v1/users/me');
  }
}

export class TokensApi {
  readonly #t: Transport;
  constructor(transport: Transport) {
    this.#t = transport;
  }

  /** Creates an API token; `secret` is shown only here. */
  create(request: CreateTokenRequest): Promise<{ token: ApiToken; secret: string }> {
    return this.#t.json('POST', '/api/v1/tokens', { body: request });
  }

  async list(): Promise<ApiToken[]> {
    return (await this.#t.json<{ tokens: ApiToken[] }>('GET', '/api/v1/tokens')).tokens;
  }
}

export interface AuditQuery {
  action?: string;
  actor?: string;
  maxResults?: number;
  pageToken?: string;
}

/** The audit log of one workspace, newest first. */
export class AuditApi {
  readonly #t: Transport;
  readonly #path: string;
  constructor(transport: Transport, workspace: string) {
    this.#t = transport;
    this.#path = `/api/v1/workspaces/${encodeURIComponent(workspace)}/audit-events`;
  }

  list(query: AuditQuery = {}): Promise<AuditPage> {
    return this.#t.json('GET', this.#path, { query: { ...query } });
  }

  iterate(query: Omit<AuditQuery, 'pageToken'> = {}): AsyncGenerator<AuditEvent, void, undefined> {
    return paginate(
      (pageToken) => this.list({ ...query, pageToken }),
      (p) => p.events,
    );
  }
}
