import type { ComputeTarget } from '@cairn/sdk';
import type { Command } from 'commander';
import { clientFor } from '../client-options.js';
import { formatTime, printFields, printJson, printTable } from '../output.js';
import { readSpecFile, specErrorInWords } from './job.js';

export function registerComputeCommands(program: Command): void {
  const compute = program
    .command('compute')
    .description('Compute targets jobs run on: local (built in), slurm, ray');

  compute
    .command('create')
    .description('Register a compute target from its YAML (name, type, settings)')
    .requiredOption('-f, --file <path>', 'the compute YAML')
    .option('-m, --message <text>', 'why, for the audit log')
    .action(async (opts: { file: string; message?: string }, command: Command) => {
      const { client, options } = clientFor(command);
      const yaml = await readSpecFile(opts.file);
      const c = await client.computes
        .create({ yaml, ...(opts.message ? { message: opts.message } : {}) })
        .catch(specErrorInWords);
      if (options.output === 'json') return printJson(c);
      process.stdout.write(`Created compute target '${c.name}' (${c.kind})\n`);
    });

  compute
    .command('list')
    .description('List compute targets, the built-in local first')
    .action(async (_opts, command: Command) => {
      const { client, options } = clientFor(command);
      const computes = await client.computes.list();
      if (options.output === 'json') return printJson(computes);
      printTable(
        [
          { header: 'NAME', value: (c: ComputeTarget) => c.name },
          { header: 'TYPE', value: (c) => c.kind },
          { header: 'SETTINGS', value: (c) => settings(c), maxWidth: 60 },
          { header: 'CREATED', value: (c) => (c.builtIn ? 'built in' : formatTime(c.createdAt)) },
          { header: 'CREATED BY', value: (c) => c.createdBy ?? '-' },
        ],
        computes,
        'No compute targets',
      );
    });

  compute
    .command('show')
    .description('Show a compute target')
    .argument('<name>', 'compute target name')
    .action(async (name: string, _opts, command: Command) => {
      const { client, options } = clientFor(command);
      const c = await client.computes.get(name);
      if (options.output === 'json') return printJson(c);
      printFields([
        ['Name', c.name],
        ['Type', c.kind],
        ['Created', c.builtIn ? 'built in' : `${formatTime(c.createdAt)} by ${c.createdBy ?? '-'}`],
        ...specFields(c.spec),
      ]);
    });

  compute
    .command('delete')
    .description('Delete a compute target')
    .argument('<name>', 'compute target name')
    .option('-m, --message <text>', 'why, for the audit log')
    .action(async (name: string, opts: { message?: string }, command: Command) => {
      const { client, options } = clientFor(command);
      await client.computes.delete(name, opts.message ? { message: opts.message } : {});
      if (options.output === 'json') return printJson({ deleted: name });
      process.stdout.write(`Deleted compute target '${name}'\n`);
    });
}

const OMITTED = new Set(['$schema', 'name', 'type']);

/** The spec's own settings, one `key: value` each (values as JSON). */
export function specFields(spec: Record<string, unknown>): [string, string][] {
  return Object.entries(spec)
    .filter(([k]) => !OMITTED.has(k))
    .map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)]);
}

const settings = (c: ComputeTarget) =>
  specFields(c.spec)
    .filter(([k]) => k !== 'description')
    .map(([k, v]) => `${k}=${v}`)
    .join(', ') || '-';
