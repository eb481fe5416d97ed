import type { Environment } from '@cairn/sdk';
import type { Command } from 'commander';
import { clientFor } from '../client-options.js';
import { formatTime, printFields, printJson, printTable } from '../output.js';
import { specFields } from './compute.js';
import { readSpecFile, specErrorInWords } from './job.js';

export function registerEnvironmentCommands(program: Command): void {
  const environment = program
    .command('environment')
    .description('Environments: registered, versioned Python dependencies or images that jobs run in');

  environment
    .command('create')
    .description('Register an environment version from its YAML (without version: the next integer)')
    .requiredOption('-f, --file <path>', 'the environment YAML')
    .option('-m, --message <text>', 'why, for the audit log')
    .action(async (opts: { file: string; message?: string }, command: Command) => {
      const { client, options } = clientFor(command);
      const yaml = await readSpecFile(opts.file);
      const e = await client.environments
        .create({ yaml, ...(opts.message ? { message: opts.message } : {}) })
        .catch(specErrorInWords);
      if (options.output === 'json') return printJson(e);
      process.stdout.write(`Created environment ${e.name}:${e.version} (hash ${e.hash.slice(0, 12)})\n`);
    });

  environment
    .command('list')
    .description('List environment versions')
    .action(async (_opts, command: Command) => {
      const { client, options } = clientFor(command);
      const environments = await client.environments.list();
      if (options.output === 'json') return printJson(environments);
      printTable(
        [
          { header: 'NAME', value: (e: Environment) => e.name },
          { header: 'VERSION', value: (e) => e.version, align: 'right' },
          { header: 'HASH', value: (e) => e.hash.slice(0, 12) },
          { header: 'CREATED', value: (e) => formatTime(e.createdAt) },
          { header: 'CREATED BY', value: (e) => e.createdBy },
        ],
        environments,
        'No environments',
      );
    });

  environment
    .command('show')
    .description('Show an environment version (the newest unless NAME:VERSION)')
    .argument('<name>', 'NAME, NAME:VERSION or NAME@latest (an azureml: prefix is accepted)')
    .action(async (ref: string, _opts, command: Command) => {
      const { client, options } = clientFor(command);
      const { name, version } = parseEnvironmentRef(ref);
      const e = await client.environments.get(name, version);
      if (options.output === 'json') return printJson(e);
      printFields([
        ['Name', e.name],
        ['Version', e.version],
        ['Hash', e.hash],
        ['Created', `${formatTime(e.createdAt)} by ${e.createdBy}`],
        ...specFields(e.spec).filter(([k]) => k !== 'version'),
      ]);
    });
}

/** `name`, `name:3`, `name@latest`, `azureml:name:3`. */
export function parseEnvironmentRef(ref: string): { name: string; version?: string } {
  const bare = ref.startsWith('azureml:') ? ref.slice('azureml:'.length) : ref;
  if (bare.endsWith('@latest')) return { name: bare.slice(0, -'@latest'.length) };
  const colon = bare.lastIndexOf(':');
  if (colon <= 0) return { name: bare };
  return { name: bare.slice(0, colon), version: bare.slice(colon + 1) };
}
