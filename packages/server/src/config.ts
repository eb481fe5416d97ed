import { homedir, userInfo } from 'node:os';
import { join, resolve } from 'node:path';

/**
 * Every setting of the server, declared once with its environment variable and default. The CLI and
 * tests build a `ServerConfig` and pass it in; nothing below reads process.env.
 */
export interface ServerConfig {
  /** Interface to bind. Loopback allows the single-user local mode. */
  host: string;
  port: number;
  /** Folder for the embedded defaults: `cairn.db` and `blobs/`. */
  dataDir: string;
  /** Metadata store URI: a SQLite path or `postgresql://…`. Defaults to `<dataDir>/cairn.db`. */
  storeUri: string;
  /** Blob store URI: a folder path or `s3://bucket/prefix`. Defaults to `<dataDir>/blobs`. */
  blobUri: string;
  /** S3 settings, used when `blobUri` is `s3://…`. */
  s3: { endpoint: string | null; region: string; accessKeyId: string | null; secretAccessKey: string | null };
  /** Largest request body accepted, in bytes (artifact uploads stream and are not bound by it). */
  bodyLimitBytes: number;
  /** Name of the workspace that MLflow routes without a workspace prefix use. */
  defaultWorkspace: string;
  /** Require authentication even on loopback. */
  authRequired: boolean;
  /** Bootstrap admin created at first start when no user exists: `name:password`. */
  bootstrapAdmin: string | null;
  /** Name of the local-mode admin (loopback, no users): the OS user running the server. */
  localUser: string;
  /** Jobs: where they run, their environment cache, and how the job side reaches the server. */
  jobs: JobsConfig;
  /** Data assets: secrets at rest, caches, and how often watched sources are looked at. */
  data: DataConfig;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
}

export interface JobsConfig {
  /** Local jobs' work folders: `<workDir>/<workspace>/<job>/`. Default `<dataDir>/jobs`. */
  workDir: string;
  /** Slurm job folders (batch script, logs); must be on storage every node sees. Default `<dataDir>/slurm-jobs`. */
  slurmJobsDir: string;
  /** Cached Python environments (virtualenvs by spec hash). Default `<dataDir>/envs`. */
  envCacheDir: string;
  /**
   * The URL jobs call back to (tracking, snapshot download, logs): `CAIRN_PUBLIC_URL`. Null: the
   * address the server listens on, which only nodes on this host reach when it is loopback.
   */
  publicUrl: string | null;
  /**
   * The environment every job starts from (PATH, HOME, …): by default the server's own, without its
   * CAIRN_* settings. Filled by `configFromEnv`; empty when the config is built without one.
   */
  baseEnvironment: Record<string, string>;
  /** How often a running local job's CPU, memory and GPU use is sampled into its run. Default 10 s. */
  systemMetricsIntervalMs: number;
}

export interface DataConfig {
  /**
   * The key that seals datastore credentials at rest (32 bytes, base64): `CAIRN_SECRET_KEY`. Null: a
   * key generated once into `secretKeyFile`.
   */
  secretKey: string | null;
  /** Default `<dataDir>/secret.key` (mode 0600). */
  secretKeyFile: string;
  /** Files of referenced versions fetched for preview and profiles. Default `<dataDir>/cache/data`. */
  cacheDir: string;
  /** How often the refresher looks for assets whose watched source is due. Default 5 s; 0 disables it. */
  refreshTickMs: number;
}

export const ENV = {
  host: 'CAIRN_HOST',
  port: 'CAIRN_PORT',
  dataDir: 'CAIRN_DATA_DIR',
  storeUri: 'CAIRN_STORE_URI',
  blobUri: 'CAIRN_BLOB_URI',
  s3Endpoint: 'CAIRN_S3_ENDPOINT',
  s3Region: 'CAIRN_S3_REGION',
  s3AccessKeyId: 'CAIRN_S3_ACCESS_KEY_ID',
  s3SecretAccessKey: 'CAIRN_S3_SECRET_ACCESS_KEY',
  bodyLimitBytes: 'CAIRN_BODY_LIMIT_BYTES',
  authRequired: 'CAIRN_AUTH_REQUIRED',
  bootstrapAdmin: 'CAIRN_BOOTSTRAP_ADMIN',
  logLevel: 'CAIRN_LOG_LEVEL',
  publicUrl: 'CAIRN_PUBLIC_URL',
  jobsDir: 'CAIRN_JOBS_DIR',
  slurmJobsDir: 'CAIRN_SLURM_JOBS_DIR',
  envCacheDir: 'CAIRN_ENV_CACHE_DIR',
  secretKey: 'CAIRN_SECRET_KEY',
} as const;

export type ServerConfigInput = Partial<Omit<ServerConfig, 'jobs' | 'data'>> & {
  jobs?: Partial<JobsConfig>;
  data?: Partial<DataConfig>;
  /** The environment jobs inherit (the server's process environment); CAIRN_* variables are dropped. */
  jobEnvironment?: Record<string, string | undefined>;
};

/** Fills in defaults: what the user wrote (flags, env) → a complete config. */
export function resolveConfig(input: ServerConfigInput = {}): ServerConfig {
  const dataDir = resolve(input.dataDir ?? join(homedir(), '.cairn'));
  return {
    host: input.host ?? '127.0.0.1',
    port: input.port ?? 5000,
    dataDir,
    storeUri: input.storeUri ?? join(dataDir, 'cairn.db'),
    blobUri: input.blobUri ?? join(dataDir, 'blobs'),
    s3: input.s3 ?? { endpoint: null, region: 'us-east-1', accessKeyId: null, secretAccessKey: null },
    bodyLimitBytes: input.bodyLimitBytes ?? 16 * 1024 * 1024,
    defaultWorkspace: input.defaultWorkspace ?? 'default',
    authRequired: input.authRequired ?? false,
    bootstrapAdmin: input.bootstrapAdmin ?? null,
    localUser: input.localUser ?? osUserName(),
    jobs: {
      workDir: resolve(input.jobs?.workDir ?? join(dataDir, 'jobs')),
      slurmJobsDir: resolve(input.jobs?.slurmJobsDir ?? join(dataDir, 'slurm-jobs')),
      envCacheDir: resolve(input.jobs?.envCacheDir ?? join(dataDir, 'envs')),
      publicUrl: input.jobs?.publicUrl?.replace(/\/+$/, '') ?? null,
      baseEnvironment: input.jobs?.baseEnvironment ?? jobEnvironmentOf(input.jobEnvironment ?? {}),
      systemMetricsIntervalMs: input.jobs?.systemMetricsIntervalMs ?? 10_000,
    },
    data: {
      secretKey: input.data?.secretKey ?? null,
      secretKeyFile: resolve(input.data?.secretKeyFile ?? join(dataDir, 'secret.key')),
      cacheDir: resolve(input.data?.cacheDir ?? join(dataDir, 'cache', 'data')),
      refreshTickMs: input.data?.refreshTickMs ?? 5000,
    },
    logLevel: input.logLevel ?? 'warn',
  };
}

/** Reads the declared environment variables into a config input. Called only by the CLI entry point. */
export function configFromEnv(env: NodeJS.ProcessEnv): ServerConfigInput {
  const out: ServerConfigInput = {};
  if (env[ENV.host]) out.host = env[ENV.host];
  if (env[ENV.port]) out.port = Number(env[ENV.port]);
  if (env[ENV.dataDir]) out.dataDir = env[ENV.dataDir];
  if (env[ENV.storeUri]) out.storeUri = env[ENV.storeUri];
  if (env[ENV.blobUri]) out.blobUri = env[ENV.blobUri];
  if (env[ENV.s3Endpoint] || env[ENV.s3AccessKeyId]) {
    out.s3 = {
      endpoint: env[ENV.s3Endpoint] ?? null,
      region: env[ENV.s3Region] ?? 'us-east-1',
      accessKeyId: env[ENV.s3AccessKeyId] ?? null,
      secretAccessKey: env[ENV.s3SecretAccessKey] ?? null,
    };
  }
  if (env[ENV.bodyLimitBytes]) out.bodyLimitBytes = Number(env[ENV.bodyLimitBytes]);
  if (env[ENV.authRequired])
    out.authRequired = env[ENV.authRequired] === '1' || env[ENV.authRequired] === 'true';
  if (env[ENV.bootstrapAdmin]) out.bootstrapAdmin = env[ENV.bootstrapAdmin];
  if (env[ENV.logLevel]) out.logLevel = env[ENV.logLevel] as ServerConfig['logLevel'];
  const jobs: Partial<JobsConfig> = {};
  if (env[ENV.publicUrl]) jobs.publicUrl = env[ENV.publicUrl];
  if (env[ENV.jobsDir]) jobs.workDir = env[ENV.jobsDir];
  if (env[ENV.slurmJobsDir]) jobs.slurmJobsDir = env[ENV.slurmJobsDir];
  if (env[ENV.envCacheDir]) jobs.envCacheDir = env[ENV.envCacheDir];
  out.jobs = jobs;
  if (env[ENV.secretKey]) out.data = { secretKey: env[ENV.secretKey] };
  out.jobEnvironment = env;
  return out;
}

/** The job's starting environment: the given one minus the server's own CAIRN_* settings (and unset names). */
export function jobEnvironmentOf(env: Record<string, string | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined && !k.startsWith('CAIRN_')) out[k] = v;
  return out;
}

export const isLoopback = (host: string): boolean =>
  host === 'localhost' || host === '::1' || host.startsWith('127.');

function osUserName(): string {
  try {
    return userInfo().username || 'local';
  } catch {
    // No passwd entry for the uid (some containers).
    return 'local';
  }
}
