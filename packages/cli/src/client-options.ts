import { CairnClient } from '@cairn/sdk';
import { type Command, InvalidArgumentError, Option } from 'commander';
import type { OutputFormat } from './output.js';

/** The options every client command shares, read from flags or the environment. */
export interface ClientOptions {
  url: string;
  token?: string;
  workspace: string;
  output: OutputFormat;
}

export const DEFAULT_URL = 'http://127.0.0.1:5000';

/** Adds --url, --token, --workspace/-w and --output to the program; they may appear after any command. */
export function registerClientOptions(program: Command): void {
  program
    .addOption(new Option('--url <url>', 'Cairn server URL').env('CAIRN_URL').default(DEFAULT_URL))
    .addOption(new Option('--token <token>', 'API token (not needed in local mode)').env('CAIRN_TOKEN'))
    .addOption(new Option('-w, --workspace <name>', 'workspace').env('CAIRN_WORKSPACE').default('default'))
    .addOption(
      new Option('-o, --output <format>', 'output format').choices(['table', 'json']).default('table'),
    );
}

/** The client options of the command being run (its own and its ancestors' flags). */
export function clientOptions(command: Command): ClientOptions {
  const o = command.optsWithGlobals<ClientOptions>();
  return {
    url: o.url ?? DEFAULT_URL,
    token: o.token,
    workspace: o.workspace ?? 'default',
    output: o.output ?? 'table',
  };
}

export function clientFor(command: Command): { client: CairnClient; options: ClientOptions } {
  const options = clientOptions(command);
  const client = new CairnClient({
    baseUrl: options.url,
    workspace: options.workspace,
    ...(options.token ? { token: options.token } : {}),
  });
  return { client, options };
}

/** Parses a positive integer option (`--max 10`). */
export function positiveInt(name: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`${name} must be a positive integer.`);
    return n;
  };
}

/** Collects a repeatable option (`--order-by a --order-by b`). */
export const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

/** `key=value` pairs of a repeatable option into a map. */
export function keyValues(pairs: readonly string[] | undefined, name: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of pairs ?? []) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new Error(`${name} expects key=value, got '${pair}'`);
    out[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return out;
}
