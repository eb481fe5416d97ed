import { existsSync } from 'node:fs';
import { buildServer, configFromEnv, resolveConfig, type ServerConfigInput } from '@cairn/server';
import type { Command } from 'commander';

interface StartOptions {
  host?: string;
  port?: string;
  dataDir?: string;
  store?: string;
  blobs?: string;
  logLevel?: string;
}

export function registerServerCommands(program: Command): void {
  const server = program.command('server').description('Run the Cairn server');
  server
    .command('start')
    .description('Start the server in the foreground (SQLite and a local blob folder by default)')
    .option('--host <host>', 'interface to bind; loopback runs in single-user local mode', undefined)
    .option('--port <port>', 'port to listen on (default 5000)')
    .option('--data-dir <dir>', 'folder for the embedded store and blobs (default ~/.cairn)')
    .option('--store <uri>', 'metadata store: SQLite file path or postgresql://user:pass@host/db')
    .option('--blobs <uri>', 'blob store: folder path or s3://bucket/prefix')
    .option('--log-level <level>', 'fatal | error | warn | info | debug')
    .action(async (opts: StartOptions) => {
      const input: ServerConfigInput = { ...configFromEnv(process.env) };
      if (opts.host) input.host = opts.host;
      if (opts.port) input.port = parsePort(opts.port);
      if (opts.dataDir) input.dataDir = opts.dataDir;
      if (opts.store) input.storeUri = opts.store;
      if (opts.blobs) input.blobUri = opts.blobs;
      if (opts.logLevel) input.logLevel = opts.logLevel as ServerConfigInput['logLevel'];
      const config = resolveConfig(input);
      const started = Date.now();
      const newKey = config.data.secretKey === null && !existsSync(config.data.secretKeyFile);
      const cairn = await buildServer(config);
      const address = await cairn.app.listen({ host: config.host, port: config.port });
      if (newKey && existsSync(config.data.secretKeyFile)) {
        process.stdout.write(
          `Created ${config.data.secretKeyFile}, the key that seals datastore credentials: back it up with the database\n`,
        );
      }
      process.stdout.write(
        `Cairn listening on ${address} (store: ${redact(config.storeUri)}, blobs: ${config.blobUri}) in ${Date.now() - started} ms\n`,
      );
      const stop = async () => {
        await cairn.close();
        process.exit(0);
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
}

function parsePort(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(`--port must be an integer between 0 and 65535, got '${value}'`);
  }
  return port;
}

const redact = (uri: string) => uri.replace(/\/\/([^:@/]+):[^@/]+@/, '//$1:***@');
