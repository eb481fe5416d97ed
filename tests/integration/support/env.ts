import { randomBytes } from 'node:crypto';
import pg from 'pg';

/**
 * Where the services that scripts/test.sh starts are, read once from the environment. Each reader fails
 * with a message that says how to get the service, so a suite run outside scripts/test.sh explains itself.
 */
export const TEST_ENV = {
  pgUri: 'CAIRN_TEST_PG_URI',
  s3Endpoint: 'CAIRN_TEST_S3_ENDPOINT',
  s3Bucket: 'CAIRN_TEST_S3_BUCKET',
  s3AccessKey: 'CAIRN_TEST_S3_ACCESS_KEY',
  s3SecretKey: 'CAIRN_TEST_S3_SECRET_KEY',
  python: 'CAIRN_TEST_PYTHON',
  rayAddress: 'CAIRN_TEST_RAY_ADDRESS',
  slurm: 'CAIRN_TEST_SLURM',
} as const;

export interface TestS3 {
  endpoint: string;
  bucket: string;
  accessKeyId: string;
  secretAccessKey: string;
  region: string;
}

function required(name: string, service: string, script: string): string {
  const value = process.env[name];
  if (!value) {
    throw new Error(
      `${name} is not set: run scripts/test.sh, which starts ${service} (or start it yourself with ${script} and export ${name})`,
    );
  }
  return value;
}

/** PostgreSQL server URI (a maintenance database; suites create their own with `freshPostgresUri`). */
export function testPgUri(): string {
  return required(TEST_ENV.pgUri, 'PostgreSQL', 'scripts/services/postgres.sh');
}

/** The SeaweedFS S3 endpoint, bucket and keys (scripts/services/seaweedfs.sh writes them to .services/seaweedfs.env). */
export function testS3(): TestS3 {
  const script = 'scripts/services/seaweedfs.sh and .services/seaweedfs.env';
  return {
    endpoint: required(TEST_ENV.s3Endpoint, 'SeaweedFS', script),
    bucket: required(TEST_ENV.s3Bucket, 'SeaweedFS', script),
    accessKeyId: required(TEST_ENV.s3AccessKey, 'SeaweedFS', script),
    secretAccessKey: required(TEST_ENV.s3SecretKey, 'SeaweedFS', script),
    region: 'us-east-1',
  };
}

/** The test venv's python (mlflow, scikit-learn, pytest installed). */
export function testPython(): string {
  return required(
    TEST_ENV.python,
    'the Python test environment',
    'scripts/services/python-env.sh (.venv/bin/python)',
  );
}

/**
 * The Ray head's Jobs REST URL (scripts/services/ray.sh), or undefined when no Ray was started: Ray
 * suites skip then. When set, the suites check that it answers and fail if it does not.
 */
export function testRayAddress(): string | undefined {
  return process.env[TEST_ENV.rayAddress] || undefined;
}

/**
 * True when scripts/test.sh started the single-node Slurm cluster (CAIRN_TEST_SLURM=1). Suites that need
 * Slurm run only then, and fail (not skip) when it is set but Slurm does not answer.
 */
export function testSlurmEnabled(): boolean {
  return process.env[TEST_ENV.slurm] === '1';
}

export interface Disposable {
  dispose(): Promise<void>;
}

/** A fresh, uniquely named PostgreSQL database; `dispose` drops it. */
export async function freshPostgresUri(): Promise<{ uri: string } & Disposable> {
  const base = testPgUri();
  const name = `cairn_test_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
  await withAdminClient(base, (client) => client.query(`CREATE DATABASE ${name}`));
  const url = new URL(base);
  url.pathname = `/${name}`;
  return {
    uri: url.toString(),
    dispose: () =>
      withAdminClient(base, async (client) => {
        await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      }),
  };
}

async function withAdminClient<T>(uri: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: uri });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}
