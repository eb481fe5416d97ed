import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import {
  type AuditEvent,
  alreadyExists,
  conflict,
  invalidArgument,
  isCairnError,
  notFound,
  type Principal,
  type Role,
  type User,
  type Workspace,
} from '@cairn/core';
import { type Database, insertAuditEvent, isUniqueViolation, type MetadataStore } from '@cairn/store';
import { type Kysely, sql, type Transaction } from 'kysely';
import { generateTokenSecret, hashTokenSecret, looksLikeTokenSecret } from './api-token.js';
import { capRole } from './effective-role.js';
import {
  checkLength,
  checkRole,
  checkUserName,
  checkWorkspaceName,
  MAX_DESCRIPTION,
  MAX_MESSAGE,
  MAX_TOKEN_NAME,
} from './names.js';
import { burnPasswordCheck, hashPassword, verifyPassword } from './password-hash.js';
import { type ApiToken, type Membership, toApiToken, toAuditEvent, toUser, toWorkspace } from './rows.js';
import { TtlCache } from './ttl-cache.js';

export interface IdentityServiceOptions {
  store: MetadataStore;
  /** How long an authenticated token, password or membership is trusted without a database lookup. */
  cacheTtlMs?: number;
  now?: () => number;
}

/** Who made a change and why: recorded in the audit event written with it. */
export interface MutationContext {
  actor: Principal;
  message?: string | null;
}

/** The principal for changes the server makes itself (the default workspace, the bootstrap admin). */
export const SYSTEM_PRINCIPAL: Principal = {
  userId: 'system',
  userName: 'system',
  isAdmin: true,
  workspaceScope: null,
  roleScope: null,
};

/** The single user of local mode (loopback bind, no users): an admin who never logs in. */
export const localPrincipal = (userName: string): Principal => ({
  userId: `local:${userName}`,
  userName,
  isAdmin: true,
  workspaceScope: null,
  roleScope: null,
});

export interface CreateUserInput {
  name: string;
  displayName?: string;
  password?: string | null;
  isAdmin?: boolean;
}

export interface CreateTokenInput {
  /** Whose token; defaults to the actor. Only admins create tokens for others (checked by the caller). */
  userName?: string;
  name: string;
  workspaceScope?: string | null;
  roleScope?: Role | null;
  /** Milliseconds since the epoch; null or absent for a token that does not expire. */
  expiresAt?: number | null;
}

export interface AuditQuery {
  action?: string;
  actor?: string;
  pageToken?: string;
  maxResults?: number;
}

export interface WorkspaceWithRole extends Workspace {
  /** The caller's role there (admins: owner). */
  role: Role | null;
}

const MIN_PASSWORD = 8;
const MAX_PASSWORD = 1024;
const DEFAULT_AUDIT_PAGE = 100;
const MAX_AUDIT_PAGE = 1000;
/** Tables that mention a workspace without belonging to it: they do not keep it from being deleted. */
const NOT_WORKSPACE_CONTENT = new Set(['memberships', 'audit_events', 'api_tokens', 'workspaces']);

/**
 * Workspaces, users, memberships, API tokens and the audit log, over either metadata store. Every
 * mutation writes its audit event in the same transaction. Authorisation (who may call what) is the
 * server's job; this service keeps the data consistent (the last owner stays, names are valid).
 */
export class IdentityService {
  readonly #db: Kysely<Database>;
  readonly #store: MetadataStore;
  readonly #now: () => number;
  readonly #tokens: TtlCache<{ principal: Principal; expiresAt: number | null }>;
  readonly #passwords: TtlCache<Principal>;
  readonly #memberships: TtlCache<Role | null>;
  readonly #knownWorkspaces = new Set<string>();
  /** Per-process key for the password cache, so the cache never holds anything derived only from a password. */
  readonly #cacheKey = randomBytes(32);
  #hasUsers = false;
  /** Until when a "no users" answer is trusted (local mode asks on every request). */
  #noUsersUntil = 0;
  readonly #ttlMs: number;

  constructor(options: IdentityServiceOptions) {
    this.#store = options.store;
    this.#db = options.store.db;
    this.#now = options.now ?? Date.now;
    const ttl = options.cacheTtlMs ?? 5_000;
    this.#ttlMs = ttl;
    this.#tokens = new TtlCache(ttl, 10_000, this.#now);
    this.#passwords = new TtlCache(ttl * 12, 10_000, this.#now);
    this.#memberships = new TtlCache(ttl, 50_000, this.#now);
  }

  // ── workspaces ────────────────────────────────────────────────────────────────────────────────

  /** Creates the workspace if it is missing (server start); safe when several replicas race. */
  async ensureWorkspace(id: string, ctx: MutationContext = { actor: SYSTEM_PRINCIPAL }): Promise<Workspace> {
    checkWorkspaceName(id, 'defaultWorkspace');
    await this.#db.transaction().execute(async (trx) => {
      const at = this.#now();
      const result = await trx
        .insertInto('workspaces')
        .values({ id, name: id, description: '', created_at: at, created_by: ctx.actor.userName })
        .onConflict((oc) => oc.doNothing())
        .executeTakeFirst();
      if (Number(result.numInsertedOrUpdatedRows ?? 0) > 0) {
        await this.#audit(trx, ctx, id, 'workspace.create', 'workspace', id);
      }
    });
    return this.getWorkspace(id);
  }

  async createWorkspace(
    input: { name: string; description?: string },
    ctx: MutationContext,
  ): Promise<Workspace> {
    const name = checkWorkspaceName(input.name);
    const description = checkLength(input.description ?? '', MAX_DESCRIPTION, 'description');
    const at = this.#now();
    await this.#mutate(
      async (trx) => {
        const existing = await trx
          .selectFrom('workspaces')
          .select('id')
          .where('id', '=', name)
          .executeTakeFirst();
        if (existing) throw workspaceExists(name);
        await trx
          .insertInto('workspaces')
          .values({ id: name, name, description, created_at: at, created_by: ctx.actor.userName })
          .execute();
        // The creator owns what they create (local and system principals are not users: nothing to add).
        const creator = await trx
          .selectFrom('users')
          .select('id')
          .where('id', '=', ctx.actor.userId)
          .executeTakeFirst();
        if (creator) {
          await trx
            .insertInto('memberships')
            .values({ workspace_id: name, user_id: creator.id, role: 'owner', created_at: at })
            .execute();
        }
        await this.#audit(trx, ctx, name, 'workspace.create', 'workspace', name, { description });
      },
      () => workspaceExists(name),
    );
    this.#memberships.clear();
    return this.getWorkspace(name);
  }

  async getWorkspace(id: string): Promise<Workspace> {
    const row = await this.#db.selectFrom('workspaces').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row) throw workspaceNotFound(id);
    return toWorkspace(row);
  }

  /** Existence check on every request: cached positively, since workspaces are rarely deleted. */
  async workspaceExists(id: string): Promise<boolean> {
    if (this.#knownWorkspaces.has(id)) return true;
    const row = await this.#db.selectFrom('workspaces').select('id').where('id', '=', id).executeTakeFirst();
    if (row) this.#knownWorkspaces.add(id);
    return row !== undefined;
  }

  /** The workspaces a principal can see, each with the principal's role there. */
  async listWorkspaces(principal: Principal): Promise<WorkspaceWithRole[]> {
    const rows = await this.#db.selectFrom('workspaces').selectAll().orderBy('id').execute();
    const roles = new Map<string, Role>();
    if (!principal.isAdmin) {
      const memberships = await this.#db
        .selectFrom('memberships')
        .select(['workspace_id', 'role'])
        .where('user_id', '=', principal.userId)
        .execute();
      for (const m of memberships) roles.set(m.workspace_id, m.role as Role);
    }
    return rows
      .map((row) => ({ ...toWorkspace(row), role: capRole(principal, row.id, roles.get(row.id) ?? null) }))
      .filter((ws) => ws.role !== null);
  }

  async updateWorkspace(
    id: string,
    input: { description: string },
    ctx: MutationContext,
  ): Promise<Workspace> {
    const description = checkLength(input.description, MAX_DESCRIPTION, 'description');
    await this.#mutate(async (trx) => {
      const before = await trx
        .selectFrom('workspaces')
        .select('description')
        .where('id', '=', id)
        .executeTakeFirst();
      if (!before) throw workspaceNotFound(id);
      await trx.updateTable('workspaces').set({ description }).where('id', '=', id).execute();
      await this.#audit(trx, ctx, id, 'workspace.update', 'workspace', id, {
        description: { from: before.description, to: description },
      });
    });
    return this.getWorkspace(id);
  }

  /** Deletes a workspace that holds nothing (members aside); tokens scoped to it are revoked. */
  async deleteWorkspace(
    id: string,
    ctx: MutationContext,
    options: { protect?: string[] } = {},
  ): Promise<void> {
    if (options.protect?.includes(id)) {
      throw conflict(`Workspace '${id}' is the server's default workspace and cannot be deleted`, {
        field: 'workspace',
      });
    }
    const tables = await this.#contentTables();
    await this.#mutate(async (trx) => {
      await this.#lockWorkspace(trx, id);
      for (const table of tables) {
        const found = await sql<{
          one: number;
        }>`select 1 as one from ${sql.table(table)} where workspace_id = ${id} limit 1`.execute(trx);
        if (found.rows.length > 0) {
          throw conflict(
            `Workspace '${id}' is not empty (it still has ${table.replaceAll('_', ' ')}): delete its contents first`,
            { field: 'workspace' },
          );
        }
      }
      const at = this.#now();
      await trx
        .updateTable('api_tokens')
        .set({ revoked_at: at })
        .where('workspace_scope', '=', id)
        .where('revoked_at', 'is', null)
        .execute();
      await trx.deleteFrom('memberships').where('workspace_id', '=', id).execute();
      await trx.deleteFrom('workspaces').where('id', '=', id).execute();
      await this.#audit(trx, ctx, id, 'workspace.delete', 'workspace', id);
    });
    this.#knownWorkspaces.delete(id);
    this.#memberships.clear();
    this.#tokens.clear();
  }

  // ── users ─────────────────────────────────────────────────────────────────────────────────────

  async createUser(input: CreateUserInput, ctx: MutationContext): Promise<User> {
    const name = checkUserName(input.name);
    const displayName = checkLength(input.displayName?.trim() || name, 200, 'displayName');
    const passwordHash = input.password == null ? null : await hashPassword(checkPassword(input.password));
    const row = {
      id: randomUUID(),
      name,
      display_name: displayName,
      password_hash: passwordHash,
      is_admin: input.isAdmin ? 1 : 0,
      created_at: this.#now(),
    };
    await this.#mutate(
      async (trx) => {
        const existing = await trx
          .selectFrom('users')
          .select('id')
          .where('name', '=', name)
          .executeTakeFirst();
        if (existing) throw userExists(name);
        await trx.insertInto('users').values(row).execute();
        await this.#audit(trx, ctx, null, 'user.create', 'user', name, {
          isAdmin: row.is_admin === 1,
          password: passwordHash !== null,
        });
      },
      () => userExists(name),
    );
    this.#hasUsers = true;
    return toUser(row);
  }

  /**
   * Creates `name:password` as an admin when no user exists yet (first start of a shared server).
   * Returns the user created, or null when there already were users.
   */
  async ensureBootstrapAdmin(spec: string): Promise<User | null> {
    const colon = spec.indexOf(':');
    if (colon <= 0) {
      throw invalidArgument('bootstrapAdmin must be name:password (CAIRN_BOOTSTRAP_ADMIN)', {
        field: 'bootstrapAdmin',
      });
    }
    if (await this.hasUsers()) return null;
    try {
      return await this.createUser(
        { name: spec.slice(0, colon), password: spec.slice(colon + 1), isAdmin: true },
        { actor: SYSTEM_PRINCIPAL, message: 'bootstrap admin' },
      );
    } catch (err) {
      // Another replica created it first.
      if (isCairnError(err) && err.code === 'ALREADY_EXISTS') return null;
      throw err;
    }
  }

  /**
   * A user the server owns itself (e.g. `cairn-jobs`, for the scoped tokens jobs get): an admin without
   * password whose tokens the server mints scoped to a workspace and role. It is created when missing
   * (safe when replicas race) and, being a service user, does not end local mode.
   */
  async ensureServiceUser(name: string, ctx: MutationContext = { actor: SYSTEM_PRINCIPAL }): Promise<User> {
    checkUserName(name);
    const existing = await this.#db
      .selectFrom('users')
      .select(['id', 'name', 'display_name', 'is_admin', 'created_at', 'is_service'])
      .where('name', '=', name)
      .executeTakeFirst();
    if (existing) {
      if (existing.is_service !== 1) {
        throw conflict(
          `User '${name}' exists and is not a service user: the server needs that name for itself; rename the user`,
          { field: 'name' },
        );
      }
      return toUser(existing);
    }
    const row = {
      id: randomUUID(),
      name,
      display_name: name,
      password_hash: null,
      is_admin: 1,
      is_service: 1,
      created_at: this.#now(),
    };
    try {
      await this.#db.transaction().execute(async (trx) => {
        await trx.insertInto('users').values(row).execute();
        await this.#audit(trx, ctx, null, 'user.create', 'user', name, { service: true });
      });
    } catch (err) {
      if (!isUniqueViolation(err)) throw err;
      return this.getUser(name); // another replica created it first
    }
    return toUser(row);
  }

  /** Whether any human user exists (local mode ends with the first one; service users do not count). Cached for good once true: users are never deleted. */
  async hasUsers(): Promise<boolean> {
    if (this.#hasUsers) return true;
    if (this.#now() < this.#noUsersUntil) return false;
    const row = await this.#db
      .selectFrom('users')
      .select('id')
      .where('is_service', '=', 0)
      .limit(1)
      .executeTakeFirst();
    this.#hasUsers = row !== undefined;
    // A user created by this process ends local mode at once; one created elsewhere, within the TTL.
    if (!this.#hasUsers) this.#noUsersUntil = this.#now() + this.#ttlMs;
    return this.#hasUsers;
  }

  async listUsers(): Promise<User[]> {
    const rows = await this.#db
      .selectFrom('users')
      .select(['id', 'name', 'display_name', 'is_admin', 'created_at'])
      .orderBy('name')
      .execute();
    return rows.map(toUser);
  }

  async getUser(name: string): Promise<User> {
    const row = await this.#db
      .selectFrom('users')
      .select(['id', 'name', 'display_name', 'is_admin', 'created_at'])
      .where('name', '=', name)
      .executeTakeFirst();
    if (!row) throw notFound(`User '${name}' does not exist`, { field: 'user' });
    return toUser(row);
  }

  async findUserById(id: string): Promise<User | null> {
    const row = await this.#db
      .selectFrom('users')
      .select(['id', 'name', 'display_name', 'is_admin', 'created_at'])
      .where('id', '=', id)
      .executeTakeFirst();
    return row ? toUser(row) : null;
  }

  // ── memberships ───────────────────────────────────────────────────────────────────────────────

  async listMembers(workspaceId: string): Promise<Membership[]> {
    await this.getWorkspace(workspaceId);
    const rows = await this.#db
      .selectFrom('memberships')
      .innerJoin('users', 'users.id', 'memberships.user_id')
      .select([
        'memberships.workspace_id',
        'memberships.user_id',
        'memberships.role',
        'memberships.created_at',
        'users.name',
        'users.display_name',
      ])
      .where('memberships.workspace_id', '=', workspaceId)
      .orderBy('users.name')
      .execute();
    return rows.map((r) => ({
      workspaceId: r.workspace_id,
      userId: r.user_id,
      userName: r.name,
      displayName: r.display_name,
      role: r.role as Role,
      createdAt: r.created_at,
    }));
  }

  /** Adds a member or changes their role. Demoting the last owner is refused. */
  async setMember(
    workspaceId: string,
    userName: string,
    role: Role,
    ctx: MutationContext,
  ): Promise<Membership> {
    checkRole(role);
    const user = await this.getUser(userName);
    const at = this.#now();
    await this.#mutate(async (trx) => {
      await this.#lockWorkspace(trx, workspaceId);
      const before = await this.#membershipRole(trx, workspaceId, user.id);
      if (before === role) return;
      if (before === 'owner') await this.#keepAnOwner(trx, workspaceId, userName, 'demote');
      if (before === null) {
        await trx
          .insertInto('memberships')
          .values({ workspace_id: workspaceId, user_id: user.id, role, created_at: at })
          .execute();
      } else {
        await trx
          .updateTable('memberships')
          .set({ role })
          .where('workspace_id', '=', workspaceId)
          .where('user_id', '=', user.id)
          .execute();
      }
      await this.#audit(
        trx,
        ctx,
        workspaceId,
        before === null ? 'member.add' : 'member.update',
        'user',
        userName,
        {
          role,
          ...(before === null ? {} : { previousRole: before }),
        },
      );
    });
    this.#memberships.clear();
    const members = await this.listMembers(workspaceId);
    return members.find((m) => m.userId === user.id)!;
  }

  async removeMember(workspaceId: string, userName: string, ctx: MutationContext): Promise<void> {
    const user = await this.getUser(userName);
    await this.#mutate(async (trx) => {
      await this.#lockWorkspace(trx, workspaceId);
      const before = await this.#membershipRole(trx, workspaceId, user.id);
      if (before === null) {
        throw notFound(`User '${userName}' is not a member of workspace '${workspaceId}'`, { field: 'user' });
      }
      if (before === 'owner') await this.#keepAnOwner(trx, workspaceId, userName, 'remove');
      await trx
        .deleteFrom('memberships')
        .where('workspace_id', '=', workspaceId)
        .where('user_id', '=', user.id)
        .execute();
      await this.#audit(trx, ctx, workspaceId, 'member.remove', 'user', userName, { previousRole: before });
    });
    this.#memberships.clear();
  }

  // ── API tokens ────────────────────────────────────────────────────────────────────────────────

  /** Creates a token and returns its secret, which is never shown again. */
  async createToken(
    input: CreateTokenInput,
    ctx: MutationContext,
  ): Promise<{ token: ApiToken; secret: string }> {
    const name = checkLength(input.name.trim(), MAX_TOKEN_NAME, 'name');
    if (name === '')
      throw invalidArgument("Token 'name' must not be empty: say what the token is for", { field: 'name' });
    const owner = input.userName
      ? await this.getUser(input.userName)
      : await this.findUserById(ctx.actor.userId);
    if (!owner) {
      throw invalidArgument(
        `'${ctx.actor.userName}' is not a stored user and cannot own tokens: create a user first (POST /api/v1/users) or name one in 'user'`,
        { field: 'user' },
      );
    }
    const workspaceScope = input.workspaceScope ?? null;
    if (workspaceScope !== null) {
      checkWorkspaceName(workspaceScope, 'workspace');
      if (!(await this.workspaceExists(workspaceScope))) throw workspaceNotFound(workspaceScope, 'workspace');
    }
    const roleScope = input.roleScope == null ? null : checkRole(input.roleScope);
    const at = this.#now();
    const expiresAt = input.expiresAt ?? null;
    if (expiresAt !== null && (!Number.isFinite(expiresAt) || expiresAt <= at)) {
      throw invalidArgument("'expiresAt' must be a time in the future, in milliseconds since the epoch", {
        field: 'expiresAt',
      });
    }
    const secret = generateTokenSecret();
    const row = {
      id: randomUUID(),
      user_id: owner.id,
      name,
      token_hash: hashTokenSecret(secret),
      workspace_scope: workspaceScope,
      role_scope: roleScope,
      created_at: at,
      expires_at: expiresAt,
      revoked_at: null,
    };
    await this.#mutate(async (trx) => {
      await trx.insertInto('api_tokens').values(row).execute();
      await this.#audit(trx, ctx, workspaceScope, 'token.create', 'token', row.id, {
        name,
        user: owner.name,
        workspaceScope,
        roleScope,
        expiresAt,
      });
    });
    return { token: toApiToken({ ...row, user_name: owner.name }), secret };
  }

  /** Tokens of one user (by id), or of everyone when `userId` is null; newest first. */
  async listTokens(userId: string | null): Promise<ApiToken[]> {
    let query = this.#db
      .selectFrom('api_tokens')
      .innerJoin('users', 'users.id', 'api_tokens.user_id')
      .selectAll('api_tokens')
      .select('users.name as user_name')
      .orderBy('api_tokens.created_at', 'desc');
    if (userId !== null) query = query.where('api_tokens.user_id', '=', userId);
    const rows = await query.execute();
    return rows.map(toApiToken);
  }

  async getToken(id: string): Promise<ApiToken> {
    const row = await this.#db
      .selectFrom('api_tokens')
      .innerJoin('users', 'users.id', 'api_tokens.user_id')
      .selectAll('api_tokens')
      .select('users.name as user_name')
      .where('api_tokens.id', '=', id)
      .executeTakeFirst();
    if (!row) throw notFound(`API token '${id}' does not exist`, { field: 'id' });
    return toApiToken(row);
  }

  /** Revokes a token; it stops working at once in this process (within the cache TTL elsewhere). */
  async revokeToken(id: string, ctx: MutationContext): Promise<ApiToken> {
    await this.#mutate(async (trx) => {
      const row = await trx
        .selectFrom('api_tokens')
        .select(['revoked_at', 'workspace_scope'])
        .where('id', '=', id)
        .executeTakeFirst();
      if (!row) throw notFound(`API token '${id}' does not exist`, { field: 'id' });
      if (row.revoked_at !== null) return;
      await trx.updateTable('api_tokens').set({ revoked_at: this.#now() }).where('id', '=', id).execute();
      await this.#audit(trx, ctx, row.workspace_scope, 'token.revoke', 'token', id);
    });
    this.#tokens.clear();
    return this.getToken(id);
  }

  // ── authentication ────────────────────────────────────────────────────────────────────────────

  async authenticateToken(secret: string): Promise<Principal | null> {
    if (!looksLikeTokenSecret(secret)) return null;
    const hash = hashTokenSecret(secret);
    const now = this.#now();
    const cached = this.#tokens.get(hash);
    if (cached) return cached.expiresAt === null || cached.expiresAt > now ? cached.principal : null;
    const row = await this.#db
      .selectFrom('api_tokens')
      .innerJoin('users', 'users.id', 'api_tokens.user_id')
      .select([
        'api_tokens.id',
        'api_tokens.workspace_scope',
        'api_tokens.role_scope',
        'api_tokens.expires_at',
        'api_tokens.revoked_at',
        'users.id as user_id',
        'users.name',
        'users.is_admin',
      ])
      .where('api_tokens.token_hash', '=', hash)
      .executeTakeFirst();
    if (!row || row.revoked_at !== null) return null;
    if (row.expires_at !== null && row.expires_at <= now) return null;
    const principal: Principal = {
      userId: row.user_id,
      userName: row.name,
      isAdmin: row.is_admin === 1,
      workspaceScope: row.workspace_scope,
      roleScope: row.role_scope as Role | null,
      tokenId: row.id,
    };
    this.#tokens.set(hash, { principal, expiresAt: row.expires_at });
    return principal;
  }

  async authenticatePassword(name: string, password: string): Promise<Principal | null> {
    if (password.length > MAX_PASSWORD) return null;
    const cacheKey = createHmac('sha256', this.#cacheKey)
      .update(name)
      .update('\0')
      .update(password)
      .digest('hex');
    const cached = this.#passwords.get(cacheKey);
    if (cached) return cached;
    const row = await this.#db
      .selectFrom('users')
      .select(['id', 'name', 'is_admin', 'password_hash'])
      .where('name', '=', name)
      .executeTakeFirst();
    if (!row || row.password_hash === null) {
      await burnPasswordCheck(password);
      return null;
    }
    if (!(await verifyPassword(password, row.password_hash))) return null;
    const principal: Principal = {
      userId: row.id,
      userName: row.name,
      isAdmin: row.is_admin === 1,
      workspaceScope: null,
      roleScope: null,
      tokenId: null,
    };
    this.#passwords.set(cacheKey, principal);
    return principal;
  }

  /** The principal's role in a workspace, or null when it has none there. */
  async effectiveRole(principal: Principal, workspaceId: string): Promise<Role | null> {
    if (
      principal.isAdmin ||
      (principal.workspaceScope !== null && principal.workspaceScope !== workspaceId)
    ) {
      return capRole(principal, workspaceId, null);
    }
    const key = `${principal.userId}\0${workspaceId}`;
    let membership = this.#memberships.get(key);
    if (membership === undefined) {
      membership = await this.#membershipRole(this.#db, workspaceId, principal.userId);
      this.#memberships.set(key, membership);
    }
    return capRole(principal, workspaceId, membership);
  }

  // ── audit ─────────────────────────────────────────────────────────────────────────────────────

  /** A workspace's audit events, newest first, filtered by exact action and actor. */
  async listAuditEvents(
    workspaceId: string,
    query: AuditQuery = {},
  ): Promise<{ events: AuditEvent[]; nextPageToken: string | null }> {
    const limit = query.maxResults ?? DEFAULT_AUDIT_PAGE;
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_AUDIT_PAGE) {
      throw invalidArgument(`'maxResults' must be an integer from 1 to ${MAX_AUDIT_PAGE}`, {
        field: 'maxResults',
      });
    }
    let q = this.#db
      .selectFrom('audit_events')
      .selectAll()
      .where('workspace_id', '=', workspaceId)
      .orderBy('id', 'desc')
      .limit(limit + 1);
    if (query.action) q = q.where('action', '=', query.action);
    if (query.actor) q = q.where('actor', '=', query.actor);
    if (query.pageToken) q = q.where('id', '<', decodePageToken(query.pageToken));
    const rows = await q.execute();
    const page = rows.slice(0, limit);
    const more = rows.length > limit;
    return {
      events: page.map(toAuditEvent),
      nextPageToken: more ? encodePageToken(page[page.length - 1]!.id) : null,
    };
  }

  // ── internals ─────────────────────────────────────────────────────────────────────────────────

  /** Runs a mutation in a transaction; a unique-key race becomes `onDuplicate()`'s error. */
  async #mutate(
    body: (trx: Transaction<Database>) => Promise<void>,
    onDuplicate?: () => Error,
  ): Promise<void> {
    try {
      await this.#db.transaction().execute(body);
    } catch (err) {
      if (onDuplicate && isUniqueViolation(err)) throw onDuplicate();
      throw err;
    }
  }

  async #audit(
    trx: Transaction<Database>,
    ctx: MutationContext,
    workspaceId: string | null,
    action: string,
    targetKind: string,
    targetId: string,
    details?: Record<string, unknown>,
  ): Promise<void> {
    const message =
      ctx.message == null || ctx.message === '' ? null : checkLength(ctx.message, MAX_MESSAGE, 'message');
    const tokenId = ctx.actor.tokenId;
    await insertAuditEvent(trx, {
      workspaceId,
      actor: ctx.actor.userName,
      action,
      targetKind,
      targetId,
      message,
      details: tokenId ? { ...details, viaToken: tokenId } : (details ?? null),
      at: this.#now(),
    });
  }

  /** Serialises membership changes of one workspace on PostgreSQL (SQLite transactions already are). */
  async #lockWorkspace(trx: Transaction<Database>, workspaceId: string): Promise<void> {
    let q = trx.selectFrom('workspaces').select('id').where('id', '=', workspaceId);
    if (this.#store.dialect === 'postgres') q = q.forUpdate();
    const row = await q.executeTakeFirst();
    if (!row) throw workspaceNotFound(workspaceId, 'workspace');
  }

  async #membershipRole(db: Kysely<Database>, workspaceId: string, userId: string): Promise<Role | null> {
    const row = await db
      .selectFrom('memberships')
      .select('role')
      .where('workspace_id', '=', workspaceId)
      .where('user_id', '=', userId)
      .executeTakeFirst();
    return row ? (row.role as Role) : null;
  }

  async #keepAnOwner(
    trx: Transaction<Database>,
    workspaceId: string,
    userName: string,
    what: 'remove' | 'demote',
  ): Promise<void> {
    const owners = await trx
      .selectFrom('memberships')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('workspace_id', '=', workspaceId)
      .where('role', '=', 'owner')
      .executeTakeFirstOrThrow();
    if (Number(owners.n) <= 1) {
      throw conflict(
        `Cannot ${what} '${userName}': they are the last owner of workspace '${workspaceId}'; make another member owner first`,
        { field: 'user' },
      );
    }
  }

  /** Every table with a `workspace_id` column that holds a workspace's contents (found, not listed, so new features count). */
  async #contentTables(): Promise<string[]> {
    const tables = await this.#db.introspection.getTables();
    return tables
      .filter((t) => !t.isView && !NOT_WORKSPACE_CONTENT.has(t.name))
      .filter((t) => t.columns.some((c) => c.name === 'workspace_id'))
      .map((t) => t.name);
  }
}

function checkPassword(password: string): string {
  if (password.length < MIN_PASSWORD || password.length > MAX_PASSWORD) {
    throw invalidArgument(`'password' must be ${MIN_PASSWORD} to ${MAX_PASSWORD} characters long`, {
      field: 'password',
    });
  }
  return password;
}

const workspaceNotFound = (id: string, field = 'workspace') =>
  notFound(`Workspace '${id}' does not exist: list workspaces with GET /api/v1/workspaces`, { field });
const workspaceExists = (name: string) =>
  alreadyExists(`Workspace '${name}' already exists: choose another name`, { field: 'name' });
const userExists = (name: string) => alreadyExists(`User '${name}' already exists`, { field: 'name' });

const encodePageToken = (id: number): string => Buffer.from(JSON.stringify({ id })).toString('base64url');

function decodePageToken(token: string): number {
  try {
    const parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { id?: unknown };
    if (typeof parsed.id === 'number' && Number.isInteger(parsed.id)) return parsed.id;
  } catch {
    // fall through to the error below
  }
  throw invalidArgument("Invalid 'pageToken': pass the nextPageToken of the previous page unchanged", {
    field: 'pageToken',
  });
}
